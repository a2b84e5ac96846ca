package dev.keepalive.kernel;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.Keepalive;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A SocketChannel client with the policy applied through keepalive-jdk, read through a Selector as
 * event loops do. Seed 000's point: when keepalive gives up, select() reports the channel
 * readable, and only the read that follows says what happened.
 */
final class SocketChannelClient implements Client {

  private final SocketChannel channel;
  private final Selector selector;

  SocketChannelClient(InetSocketAddress peer, KeepalivePolicy policy) throws IOException {
    channel = SocketChannel.open();
    try {
      channel.socket().connect(peer, 5_000);
      if (policy != null) {
        Keepalive.apply(channel, policy);
      }
      channel.configureBlocking(false);
      selector = Selector.open();
      channel.register(selector, SelectionKey.OP_READ);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public long write(byte[] data) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(data);
    // A few bytes always fit an empty send buffer; a short write here would be a bug in the test.
    if (channel.write(buffer) != data.length) {
      throw new IOException("short write of " + data.length + " bytes");
    }
    return System.nanoTime();
  }

  @Override
  public long readOne(Duration limit) throws IOException {
    if (selector.select(limit.toMillis()) == 0) {
      throw new SocketTimeoutException("no byte from the peer within " + limit);
    }
    selector.selectedKeys().clear();
    int n = channel.read(ByteBuffer.allocate(1));
    if (n < 0) {
      throw new EOFException("peer closed before sending its byte");
    }
    if (n == 0) {
      throw new IOException("selector reported readable but there was no byte");
    }
    return System.nanoTime();
  }

  @Override
  public Outcome awaitFailure(Duration limit) throws IOException {
    List<Outcome.Event> events = new ArrayList<>();
    if (selector.select(limit.toMillis()) == 0) {
      return new Outcome(events);
    }
    selector.selectedKeys().clear();
    events.add(new Outcome.Event("selector-readable", System.nanoTime(), ""));
    try {
      int n = channel.read(ByteBuffer.allocate(1));
      events.add(new Outcome.Event(n < 0 ? "read-eof" : "read-data", System.nanoTime(), ""));
    } catch (IOException e) {
      events.add(new Outcome.Event("read-threw", System.nanoTime(), String.valueOf(e.getMessage())));
    }
    return new Outcome(events);
  }

  @Override
  public void close() throws IOException {
    try (selector) {
      channel.close();
    }
  }
}
