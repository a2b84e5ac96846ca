package dev.keepalive.agenttests;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One child JVM (an application) with the clients it was told to open, and the peers in this JVM
 * they talk to: its own silent listeners, and the connections this JVM makes to the servers the
 * child runs. Each read returns every keepalive field of the child's end of one connection, as the
 * kernel has it ({@link Readback#fields}).
 */
final class ClientApp implements AutoCloseable {

  private static final Duration WAIT = Duration.ofSeconds(30);

  final ChildJvm child;
  private final Map<String, SilentListener> silent = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> childServers = new LinkedHashMap<>();
  private final List<Socket> peers = new ArrayList<>();

  ClientApp(ChildJvm child) {
    this.child = child;
  }

  /** Opens {@code client} in the child against a new silent listener of its own. */
  ClientApp openSilent(String client) throws IOException {
    return openSilent(client, SilentListener.open(client + " of " + child));
  }

  /**
   * Opens {@code client} in the child against {@code listener}, made before the child (a rule
   * names its port); this application closes it.
   */
  ClientApp openSilent(String client, SilentListener listener) {
    silent.put(client, listener);
    child.open(client, listener.port());
    return this;
  }

  /** Opens {@code client} in the child with these arguments (a real server's port or URL). */
  ClientApp open(String client, Object... args) {
    child.open(client, args);
    return this;
  }

  /** Starts {@code server} in the child; what it says (its port) is kept. */
  ClientApp serve(String server) {
    childServers.put(server, child.open(server));
    return this;
  }

  /** What the child said when it started {@code server}: {@code port}, and any other values. */
  Map<String, String> served(String server) {
    Map<String, String> values = childServers.get(server);
    if (values == null) {
      throw new AssertionError(server + " was not started in " + child);
    }
    return values;
  }

  private int port(String server) {
    return Integer.parseInt(served(server).get("port"));
  }

  /** The child's end of the one connection its {@code server} accepted from the child itself. */
  String acceptedInChild(String server) {
    return Readback.acceptedOn(child.pid(), port(server));
  }

  /** The child's connection to its own {@code server}. */
  String connectionToChild(String server) {
    return Readback.connectionTo(child.pid(), port(server));
  }

  /**
   * The child's connection to its silent listener for {@code client}, once the client has sent
   * its first bytes: it has set up its socket and waits for an answer. With {@code speaksFirst}
   * false (a protocol where the server speaks first), once connected.
   */
  String silentPeer(String client, boolean speaksFirst) throws InterruptedException {
    SilentListener listener = silent.get(client);
    int local = Readback.localPortOfConnectionTo(child.pid(), listener.port(), WAIT);
    if (speaksFirst) {
      listener.awaitBytesFrom(local, WAIT);
    }
    return Readback.connectionTo(child.pid(), listener.port());
  }

  /** The child's connection to a server of this JVM on {@code port}. */
  String connectionTo(int port) {
    return Readback.connectionTo(child.pid(), port);
  }

  /**
   * Connects to the child's {@code server} and waits for the byte it writes on each connection it
   * accepts (the application holds the socket then), and returns the child's end.
   */
  String acceptedBy(String server) throws IOException {
    int port = port(server);
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    peers.add(s);
    s.setSoTimeout((int) WAIT.toMillis());
    try {
      // Not closed here: closing a socket's stream closes the socket.
      InputStream in = s.getInputStream();
      int b = in.read();
      if (b != 'a') {
        throw new AssertionError(server + " of " + child + " wrote " + b + ", not 'a'");
      }
    } catch (IOException e) {
      throw new IOException(server + " of " + child + " did not answer" + child.diagnostics(), e);
    }
    return Readback.acceptedOn(child.pid(), port);
  }

  /** What the child opened, for a failure message. */
  String diagnostics() {
    return child.diagnostics();
  }

  @Override
  public void close() throws IOException {
    child.close();
    for (Socket s : peers) {
      s.close();
    }
    for (SilentListener l : silent.values()) {
      l.close();
    }
  }
}
