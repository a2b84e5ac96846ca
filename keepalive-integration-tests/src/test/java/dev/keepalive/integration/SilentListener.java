package dev.keepalive.integration;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A listener on 127.0.0.1 that accepts connections and never says a word: a client connects and
 * then waits for a greeting (SQL Server's PRELOGIN answer, AMQP's Connection.Start, MongoDB's hello
 * reply) long enough for a test to read its socket from the kernel. For the clients whose server
 * is not in Debian's test budget. {@link #close()} closes the listener and every accepted socket,
 * which ends a client's wait at once.
 */
final class SilentListener implements AutoCloseable {

  private final ServerSocket server;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  SilentListener() throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
    acceptor = new Thread(this::acceptUntilClosed, "silent-listener-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptUntilClosed() {
    while (!server.isClosed()) {
      try {
        accepted.add(server.accept());
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        // Keep accepting: one failed accept says nothing about the next client.
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : accepted) {
      s.close();
    }
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
