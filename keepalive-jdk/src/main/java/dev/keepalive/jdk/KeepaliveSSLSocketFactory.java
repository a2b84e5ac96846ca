package dev.keepalive.jdk;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.Objects;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * An {@link SSLSocketFactory} whose every TLS socket runs over a TCP connection carrying a
 * {@link KeepalivePolicy}.
 *
 * <p>The JDK's TLS socket class cannot be subclassed, so a direct socket
 * ({@code createSocket(host, port)} and the other connected overloads) is made as a pinned plain
 * socket from {@link KeepaliveSocketFactory#of(KeepalivePolicy)}, connected, with TLS layered over
 * it by the delegate ({@code delegate.createSocket(plain, host, port, true)}): the TLS socket
 * forwards {@code setKeepAlive}/{@code setOption} to that plain socket, so the policy is pinned as
 * on a plain one. The layered {@code createSocket(socket, host, port, autoClose)} applies the
 * policy to the caller's {@code socket} (pinned if it came from a pinning
 * {@link KeepaliveSocketFactory}). The unconnected {@link #createSocket()} is the delegate's own
 * TLS socket with the policy applied: it cannot be pinned, so a client's later keepalive calls on
 * it take effect.
 *
 * <p>The policy is checked when the factory is made. If applying fails on a socket the factory
 * made, that socket is closed and the exception propagates; a socket the caller passed in is
 * borrowed, never closed here. Instances are immutable and thread-safe.
 */
public class KeepaliveSSLSocketFactory extends SSLSocketFactory {

  private final KeepaliveSocketFactory plain;
  private final SSLSocketFactory delegate;

  private KeepaliveSSLSocketFactory(KeepaliveSocketFactory plain, SSLSocketFactory delegate) {
    this.plain = plain;
    this.delegate = delegate;
  }

  /**
   * A factory over {@link SSLSocketFactory#getDefault()}, sockets pinned.
   *
   * @param policy the policy
   * @return the factory
   * @throws NullPointerException if {@code policy} is null
   * @throws IllegalArgumentException if this platform's kernel cannot take the policy
   * @throws UnsupportedKeepaliveOptionException if this runtime cannot set an option the policy
   *     asks for (a user timeout)
   */
  public static KeepaliveSSLSocketFactory of(KeepalivePolicy policy) {
    return of(policy, (SSLSocketFactory) SSLSocketFactory.getDefault());
  }

  /**
   * A factory over {@code delegate} (an {@code SSLContext}'s {@code getSocketFactory()}), sockets
   * pinned except the unconnected {@link #createSocket()}.
   *
   * @param policy the policy
   * @param delegate the TLS factory that layers TLS over the plain sockets
   * @return the factory
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if this platform's kernel cannot take the policy
   * @throws UnsupportedKeepaliveOptionException if this runtime cannot set an option the policy
   *     asks for (a user timeout)
   */
  public static KeepaliveSSLSocketFactory of(KeepalivePolicy policy, SSLSocketFactory delegate) {
    Objects.requireNonNull(delegate, "delegate must not be null");
    return new KeepaliveSSLSocketFactory(KeepaliveSocketFactory.of(policy), delegate);
  }

  /**
   * A factory over {@link SSLSocketFactory#getDefault()} for the policy configured as for
   * {@link KeepaliveSocketFactory#getDefault()} (the system property {@code keepalive.policy}, else
   * the environment variable {@code KEEPALIVE_POLICY}, read on every call): for JNDI LDAP over
   * {@code ldaps://}, whose {@code java.naming.ldap.factory.socket} names a class with a static
   * {@code getDefault()}. Without this method that name would reach the inherited
   * {@link SSLSocketFactory#getDefault()}, and the connections would silently have no keepalive.
   *
   * @return a new pinning factory for the configured policy
   * @throws IllegalStateException if neither the property nor the variable is set
   * @throws IllegalArgumentException if the one read does not parse, or this platform's kernel
   *     cannot take the policy
   * @throws UnsupportedKeepaliveOptionException if this runtime cannot set an option the policy
   *     asks for (a user timeout)
   */
  public static SocketFactory getDefault() {
    return of(KeepaliveSocketFactory.configuredPolicy());
  }

  /**
   * The policy every socket from this factory carries.
   *
   * @return the policy
   */
  public KeepalivePolicy policy() {
    return plain.policy();
  }

  /**
   * A factory like this one whose sockets let a client's later {@code setKeepAlive}/{@code
   * setOption} calls take effect; see {@link KeepaliveSocketFactory#overridable()}.
   *
   * @return the factory, same policy and delegate
   */
  public KeepaliveSSLSocketFactory overridable() {
    return plain.isPinned() ? new KeepaliveSSLSocketFactory(plain.overridable(), delegate) : this;
  }

  /**
   * Whether the direct sockets keep the policy against a client's later calls.
   *
   * @return false if this factory came from {@link #overridable()}
   */
  public boolean isPinned() {
    return plain.isPinned();
  }

  /**
   * The delegate's.
   *
   * @return the cipher suites enabled by default
   */
  @Override
  public String[] getDefaultCipherSuites() {
    return delegate.getDefaultCipherSuites();
  }

  /**
   * The delegate's.
   *
   * @return the cipher suites that can be enabled
   */
  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  /**
   * The delegate's unconnected TLS socket with the policy applied; not pinned (the JDK's TLS socket
   * class cannot be subclassed, and nothing is connected yet to layer over).
   *
   * @return the socket, unconnected, keepalive applied
   * @throws IOException if the delegate fails, or applying fails (the socket is then closed)
   */
  @Override
  public Socket createSocket() throws IOException {
    Socket socket = delegate.createSocket();
    try {
      Keepalive.apply(socket, plain.policy());
      return socket;
    } catch (IOException | RuntimeException e) {
      closeQuietly(socket, e);
      throw e;
    }
  }

  /**
   * TLS layered by the delegate over {@code socket}, after applying the policy to {@code socket}.
   *
   * @param socket the connected plain socket; borrowed, not closed here if applying fails
   * @param host the server's host name, for SNI and endpoint identification
   * @param port the server's port
   * @param autoClose whether closing the TLS socket closes {@code socket}
   * @return the TLS socket
   * @throws IOException if applying or layering fails
   */
  @Override
  public Socket createSocket(Socket socket, String host, int port, boolean autoClose)
      throws IOException {
    Keepalive.apply(Objects.requireNonNull(socket, "socket must not be null"), plain.policy());
    return delegate.createSocket(socket, host, port, autoClose);
  }

  /**
   * A server-mode TLS socket layered by the delegate over {@code socket}, after applying the policy
   * to {@code socket}.
   *
   * @param socket the connected plain socket; borrowed, not closed here if applying fails
   * @param consumed bytes already read from {@code socket}, or null
   * @param autoClose whether closing the TLS socket closes {@code socket}
   * @return the TLS socket
   * @throws IOException if applying or layering fails
   */
  @Override
  public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose)
      throws IOException {
    Keepalive.apply(Objects.requireNonNull(socket, "socket must not be null"), plain.policy());
    return delegate.createSocket(socket, consumed, autoClose);
  }

  /**
   * A TLS socket to {@code host}: a pinned plain socket connected, TLS layered over it.
   *
   * @param host the host name, or null for the loopback address
   * @param port the port
   * @return the TLS socket (its handshake starts on first use, as the JDK's)
   * @throws UnknownHostException if the host cannot be resolved
   * @throws IOException if connecting, applying or layering fails (the sockets are then closed)
   */
  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return layered(plain.createSocket(host, port), host, port);
  }

  /**
   * A TLS socket to {@code host} from {@code localHost:localPort}: a pinned plain socket
   * connected, TLS layered over it.
   *
   * @param host the host name, or null for the loopback address
   * @param port the port
   * @param localHost the local address, or null for any
   * @param localPort the local port, or 0 for any
   * @return the TLS socket
   * @throws UnknownHostException if the host cannot be resolved
   * @throws IOException if binding, connecting, applying or layering fails (the sockets are then
   *     closed)
   */
  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return layered(plain.createSocket(host, port, localHost, localPort), host, port);
  }

  /**
   * A TLS socket to {@code host}: a pinned plain socket connected, TLS layered over it. The host
   * name for SNI and endpoint identification is the one {@code host} was made with, if any (no
   * reverse lookup), else its address.
   *
   * @param host the address
   * @param port the port
   * @return the TLS socket
   * @throws NullPointerException if {@code host} is null
   * @throws IOException if connecting, applying or layering fails (the sockets are then closed)
   */
  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return layered(plain.createSocket(host, port), hostName(host), port);
  }

  /**
   * A TLS socket to {@code address} from {@code localAddress:localPort}: a pinned plain socket
   * connected, TLS layered over it; the host name as for {@link #createSocket(InetAddress, int)}.
   *
   * @param address the address
   * @param port the port
   * @param localAddress the local address, or null for any
   * @param localPort the local port, or 0 for any
   * @return the TLS socket
   * @throws NullPointerException if {@code address} is null
   * @throws IOException if binding, connecting, applying or layering fails (the sockets are then
   *     closed)
   */
  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    return layered(plain.createSocket(address, port, localAddress, localPort), hostName(address),
        port);
  }

  /**
   * Equal to another factory with the same policy, pinning and TLS delegate.
   *
   * @param o the other object
   * @return true if {@code o} is a factory of the same class layering the same TLS factory over an
   *     equal plain factory
   */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (o == null || o.getClass() != getClass()) {
      return false;
    }
    KeepaliveSSLSocketFactory that = (KeepaliveSSLSocketFactory) o;
    return plain.equals(that.plain) && delegate.equals(that.delegate);
  }

  @Override
  public int hashCode() {
    return 31 * plain.hashCode() + delegate.hashCode();
  }

  /**
   * {@code KeepaliveSSLSocketFactory[policy=…, pinned, delegate …]}, or {@code overridable}.
   *
   * @return a description for logs
   */
  @Override
  public String toString() {
    return getClass().getSimpleName() + "[policy=" + plain.policy() + ", "
        + (isPinned() ? "pinned" : "overridable") + ", delegate " + delegate.getClass().getName()
        + "]";
  }

  private Socket layered(Socket socket, String host, int port) throws IOException {
    try {
      return delegate.createSocket(socket, host, port, true);
    } catch (IOException | RuntimeException e) {
      closeQuietly(socket, e);
      throw e;
    }
  }

  /** The name {@code address} was made with, without the reverse lookup getHostName() may do. */
  private static String hostName(InetAddress address) {
    String text = address.toString();
    int slash = text.indexOf('/');
    return slash > 0 ? text.substring(0, slash) : address.getHostAddress();
  }

  private static void closeQuietly(Socket socket, Exception failure) {
    try {
      socket.close();
    } catch (IOException c) {
      failure.addSuppressed(c);
    }
  }
}
