package dev.keepalive.kernel;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.Keepalive;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** Listeners whose connections keepalive-jdk accepts: ServerSocket and ServerSocketChannel. */
final class JdkServers {

  private JdkServers() {}

  static Server serverSocket(InetAddress address, KeepalivePolicy policy) throws IOException {
    ServerSocket listener = new ServerSocket(0, 1, address);
    return new Server() {
      private Socket accepted;

      @Override
      public int port() {
        return listener.getLocalPort();
      }

      @Override
      public void awaitAccepted(long millis) throws IOException {
        listener.setSoTimeout(Math.toIntExact(millis));
        accepted = Keepalive.accept(listener, policy);
      }

      @Override
      public void close() throws IOException {
        try (listener) {
          if (accepted != null) {
            accepted.close();
          }
        }
      }
    };
  }

  static Server serverSocketChannel(InetAddress address, KeepalivePolicy policy)
      throws IOException {
    ServerSocketChannel listener = ServerSocketChannel.open();
    listener.bind(new InetSocketAddress(address, 0), 1);
    listener.configureBlocking(false);
    return new Server() {
      private SocketChannel accepted;

      @Override
      public int port() {
        return listener.socket().getLocalPort();
      }

      @Override
      public void awaitAccepted(long millis) throws IOException, InterruptedException {
        // Non-blocking accept polled until the deadline: a blocking accept has no timeout.
        long deadline = System.nanoTime() + millis * 1_000_000;
        while ((accepted = Keepalive.accept(listener, policy)) == null) {
          if (System.nanoTime() > deadline) {
            throw new SocketTimeoutException("nothing accepted within " + millis + " ms");
          }
          Thread.sleep(10);
        }
      }

      @Override
      public void close() throws IOException {
        try (listener) {
          if (accepted != null) {
            accepted.close();
          }
        }
      }
    };
  }
}
