package dev.keepalive.kernel;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.Keepalive;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;

/** A java.net.Socket client with the policy applied through keepalive-jdk; reads block. */
final class SocketClient implements Client {

  private final Socket socket;

  SocketClient(InetSocketAddress peer, KeepalivePolicy policy) throws IOException {
    socket = new Socket();
    try {
      socket.connect(peer, 5_000);
      if (policy != null) {
        Keepalive.apply(socket, policy);
      }
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  @Override
  public long write(byte[] data) throws IOException {
    socket.getOutputStream().write(data);
    return System.nanoTime();
  }

  @Override
  public long readOne(Duration limit) throws IOException {
    socket.setSoTimeout(Math.toIntExact(limit.toMillis()));
    if (socket.getInputStream().read() < 0) {
      throw new EOFException("peer closed before sending its byte");
    }
    return System.nanoTime();
  }

  @Override
  public Outcome awaitFailure(Duration limit) throws IOException {
    socket.setSoTimeout(Math.toIntExact(limit.toMillis()));
    try {
      int b = socket.getInputStream().read();
      return new Outcome(List.of(new Outcome.Event(b < 0 ? "read-eof" : "read-data",
          System.nanoTime(), "")));
    } catch (SocketTimeoutException stillAlive) {
      return new Outcome(List.of());
    } catch (IOException e) {
      return new Outcome(List.of(new Outcome.Event("read-threw", System.nanoTime(),
          String.valueOf(e.getMessage()))));
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
