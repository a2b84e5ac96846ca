package dev.keepalive.jdk;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.IdentityHashMap;
import java.util.Map;

/** Loopback connections for tests, each with a peer closed together with it. Bounded waits. */
final class Loopback {

  static final int TIMEOUT_MILLIS = 5000;

  private final Map<Object, Closeable> peers = new IdentityHashMap<>();

  /** A listener on {@code loopback}, port chosen by the kernel, accept bounded. */
  static ServerSocket listen(InetAddress loopback) throws IOException {
    ServerSocket server = new ServerSocket();
    try {
      server.bind(new InetSocketAddress(loopback, 0), 50);
      server.setSoTimeout(TIMEOUT_MILLIS);
      return server;
    } catch (IOException e) {
      server.close();
      throw e;
    }
  }

  /** A connected java.net.Socket. */
  Socket socket(InetAddress loopback) throws IOException {
    try (ServerSocket server = listen(loopback)) {
      Socket client = new Socket();
      client.connect(server.getLocalSocketAddress(), TIMEOUT_MILLIS);
      keep(client, server.accept());
      return client;
    }
  }

  /** Remembers {@code peer} to close with {@code socket}. */
  synchronized <T> T keep(T socket, Closeable peer) {
    peers.put(socket, peer);
    return socket;
  }

  /** Closes {@code socket} and its peer. */
  void close(Object socket) throws IOException {
    Closeable peer;
    synchronized (this) {
      peer = peers.remove(socket);
    }
    try {
      ((Closeable) socket).close();
    } finally {
      if (peer != null) {
        peer.close();
      }
    }
  }
}
