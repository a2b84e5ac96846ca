package dev.keepalive.integration;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;

/**
 * A {@link KeepaliveSocketFactory} that remembers the sockets it makes, for clients that never hand
 * the application their socket: registered by class name exactly like the real factory (pgjdbc's
 * {@code socketFactory}, JNDI's {@code java.naming.ldap.factory.socket}), so the client goes through
 * the same constructor and static {@code getDefault()}; a test then reads each socket's options
 * back from the kernel with {@code Keepalive.inspect}.
 *
 * <p>An argument starting with {@code overridable:} makes an {@link #overridable()} factory: the
 * control that shows what the client does to keepalive without the pin.
 */
public final class RecordingSocketFactory extends KeepaliveSocketFactory {

  private static final String OVERRIDABLE = "overridable:";
  private static final List<Socket> CREATED = new ArrayList<>();

  private final KeepaliveSocketFactory sockets;

  /**
   * pgjdbc's constructor: {@code socketFactoryArg}.
   *
   * @param policy the policy text, optionally prefixed with {@code overridable:}
   */
  public RecordingSocketFactory(String policy) {
    super(policy != null && policy.startsWith(OVERRIDABLE)
        ? policy.substring(OVERRIDABLE.length()) : policy);
    sockets = policy != null && policy.startsWith(OVERRIDABLE) ? overridable() : this;
  }

  /** The configured policy ({@code keepalive.policy}), as {@link KeepaliveSocketFactory#KeepaliveSocketFactory()}. */
  public RecordingSocketFactory() {
    super();
    sockets = this;
  }

  /** A recording factory for {@code policy}, pinned. */
  static RecordingSocketFactory recording(KeepalivePolicy policy) {
    return new RecordingSocketFactory(policy.toString());
  }

  /** A recording factory for {@code policy} whose sockets are not pinned. */
  static RecordingSocketFactory recordingOverridable(KeepalivePolicy policy) {
    return new RecordingSocketFactory(OVERRIDABLE + policy);
  }

  /**
   * JNDI LDAP's entry point: {@code java.naming.ldap.factory.socket} names a class with a static
   * {@code getDefault()}.
   *
   * @return a recording factory for the configured policy
   */
  public static SocketFactory getDefault() {
    return new RecordingSocketFactory();
  }

  /** Every socket made since the last {@link #clear()}, oldest first. */
  static List<Socket> created() {
    synchronized (CREATED) {
      return new ArrayList<>(CREATED);
    }
  }

  static void clear() {
    synchronized (CREATED) {
      CREATED.clear();
    }
  }

  private Socket record(Socket socket) {
    synchronized (CREATED) {
      CREATED.add(socket);
    }
    return socket;
  }

  private KeepaliveSocketFactory sockets() {
    return sockets == this ? null : sockets;
  }

  @Override
  public Socket createSocket() throws IOException {
    return record(sockets() == null ? super.createSocket() : sockets().createSocket());
  }

  @Override
  public Socket createSocket(Proxy proxy) throws IOException {
    return record(sockets() == null ? super.createSocket(proxy) : sockets().createSocket(proxy));
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return record(sockets() == null ? super.createSocket(host, port)
        : sockets().createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return record(sockets() == null ? super.createSocket(host, port, localHost, localPort)
        : sockets().createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return record(sockets() == null ? super.createSocket(host, port)
        : sockets().createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    return record(sockets() == null ? super.createSocket(address, port, localAddress, localPort)
        : sockets().createSocket(address, port, localAddress, localPort));
  }
}
