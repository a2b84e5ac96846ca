package dev.keepalive.agentit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The test's own end of the child's connections, in this JVM (never under the agent): a listener
 * the child connects to, and connections to the child's listeners.
 */
final class Peer implements AutoCloseable {

  private final ServerSocket listener;
  private final List<Socket> sockets = new ArrayList<>();

  Peer() throws IOException {
    listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Connects to the child's listener on {@code port}; returns this end's local port. */
  int connect(int port) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    sockets.add(s);
    return s.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    listener.close();
  }

  /** A port nothing listens on now, for a rule that names a port before the listener exists. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
