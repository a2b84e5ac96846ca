package dev.keepalive.agenttests;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A peer that accepts on 127.0.0.1 and never writes: a client's socket is established and the
 * client waits for a handshake. It reads (and drops) what each client sends, so a test knows when a
 * client that speaks first has finished setting up its socket and is waiting. Runs in the test's
 * JVM, never under the agent.
 */
final class SilentListener implements AutoCloseable {

  private final String label;
  private final ServerSocket server;
  private final List<Socket> accepted = new ArrayList<>();
  /** Bytes received, by the client's (remote) port. */
  private final Map<Integer, Long> received = new HashMap<>();

  private SilentListener(String label, ServerSocket server) {
    this.label = label;
    this.server = server;
    Thread acceptor = new Thread(this::accept, label + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static SilentListener open(String label) throws IOException {
    return new SilentListener(label, new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (true) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException closed) {
        return;
      }
      synchronized (this) {
        accepted.add(s);
        received.put(s.getPort(), 0L);
        notifyAll();
      }
      Thread drain = new Thread(() -> drain(s), label + "-read-" + s.getPort());
      drain.setDaemon(true);
      drain.start();
    }
  }

  private void drain(Socket s) {
    byte[] buffer = new byte[8192];
    try (InputStream in = s.getInputStream()) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        synchronized (this) {
          received.merge(s.getPort(), (long) n, Long::sum);
          notifyAll();
        }
      }
    } catch (IOException closed) {
      // The listener was closed, or the client went away: nothing more will come.
    }
  }

  /**
   * Waits until the client connected from {@code clientPort} has sent its first bytes: it set up
   * its socket and is waiting for the answer.
   *
   * @throws AssertionError if it sends nothing within {@code timeout}
   */
  synchronized void awaitBytesFrom(int clientPort, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (received.getOrDefault(clientPort, 0L) == 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(this + ": the client on port " + clientPort
            + " sent nothing within " + timeout.toSeconds() + " s; received " + received);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    synchronized (this) {
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Override
  public String toString() {
    return "silent listener for " + label + " on 127.0.0.1:" + port();
  }
}
