package dev.keepalive.jdk;

import dev.keepalive.ApplyMode;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.jdk.internal.Applier;
import dev.keepalive.jdk.internal.PinnedSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * A {@link SocketFactory} whose every socket carries a {@link KeepalivePolicy}: for the connections
 * that libraries open (JDBC drivers, HTTP clients, JNDI LDAP), which take a factory but never hand
 * the application a socket.
 *
 * <pre>{@code
 * SocketFactory factory = KeepaliveSocketFactory.of(KeepalivePolicy.parse("idle=60s,interval=10s,probes=3"));
 * // pgjdbc:    jdbc:postgresql://db/app?socketFactory=dev.keepalive.jdk.KeepaliveSocketFactory
 * //                &socketFactoryArg=idle=60s,interval=10s,probes=3
 * // JNDI LDAP: env.put("java.naming.ldap.factory.socket", "dev.keepalive.jdk.KeepaliveSocketFactory")
 * //            with -Dkeepalive.policy=idle=60s,interval=10s,probes=3
 * }</pre>
 *
 * <p>The policy is checked when the factory is made, before any socket exists: a policy beyond this
 * platform's kernel limits is an {@link IllegalArgumentException}, one this runtime cannot set (a
 * user timeout: the JDK has no TCP_USER_TIMEOUT) an {@link UnsupportedKeepaliveOptionException}.
 * Each socket gets the policy through {@link Keepalive#apply(Socket, KeepalivePolicy)} as soon as it
 * exists (an unconnected socket before it connects, so from the first SYN); if that fails, the
 * socket is closed and the exception propagates.
 *
 * <p><b>The policy is pinned.</b> Clients set keepalive themselves after the factory returned the
 * socket: pgjdbc calls {@code setKeepAlive(false)} unless {@code tcpKeepAlive=true}; HttpClient 5's
 * default {@code SocketConfig} sets idle 5 s, interval 5 s, 3 probes. On a socket from a pinning
 * factory such a call ({@code setKeepAlive}, or {@code setOption} of SO_KEEPALIVE, TCP_KEEPIDLE,
 * TCP_KEEPINTERVAL or TCP_KEEPCOUNT with a value other than the policy's) is ignored and logged at
 * {@code WARNING} through {@link System.Logger} {@code dev.keepalive.jdk.KeepaliveSocketFactory},
 * naming the option, the caller's value, the caller and the policy kept, once per JVM for each
 * distinct override. The same value as the policy's is set silently; reads ({@code getKeepAlive},
 * {@code getOption}) ask the kernel. {@link Keepalive#apply(Socket, KeepalivePolicy)} itself still
 * works on a pinned socket, and pins the new policy. {@link #overridable()} gives a factory whose
 * sockets let the client's settings win.
 *
 * <p>Pinning needs a socket of this library's own class, so it holds for {@link #of(KeepalivePolicy)},
 * the constructors and {@link #getDefault()}, and for {@link #of(KeepalivePolicy, SocketFactory)}
 * with the JDK's {@link SocketFactory#getDefault()}. Sockets from any other delegate get the policy
 * applied but not pinned: a socket of a class we do not own cannot be subclassed, and a wrapper
 * cannot forward every method faithfully (its channel, its impl, {@code instanceof} checks).
 *
 * <p>No {@code (Properties)} constructor, on purpose: pgjdbc looks for one before the
 * {@code (String)} one, and would then never pass {@code socketFactoryArg}. Subclasses may record
 * or decorate the sockets they create; the connected {@code createSocket} overloads do not call
 * {@link #createSocket()}. Instances are immutable and thread-safe.
 */
public class KeepaliveSocketFactory extends SocketFactory {

  /** The system property read by the no-arg constructor and {@link #getDefault()}. */
  public static final String POLICY_PROPERTY = "keepalive.policy";

  /** The environment variable read when {@link #POLICY_PROPERTY} is not set. */
  public static final String POLICY_ENVIRONMENT_VARIABLE = "KEEPALIVE_POLICY";

  private final KeepalivePolicy policy;
  /** Null: this library makes the sockets itself (and pins them if {@link #pinned}). */
  private final SocketFactory delegate;
  private final boolean pinned;

  /**
   * A factory for the policy in {@code policy}, parsed by {@link KeepalivePolicy#parse(String)}:
   * the constructor pgjdbc calls with its {@code socketFactoryArg}. A null {@code policy} (pgjdbc
   * passes null when the URL has no {@code socketFactoryArg}) reads the configuration as
   * {@link #KeepaliveSocketFactory()} does. Sockets are pinned.
   *
   * @param policy the policy text, e.g. {@code "idle=60s,interval=10s,probes=3"}; or null
   * @throws IllegalArgumentException if {@code policy} does not parse (the message quotes it), or
   *     this platform's kernel cannot take the policy; if null, as {@link #KeepaliveSocketFactory()}
   * @throws IllegalStateException if {@code policy} is null and no policy is configured
   * @throws UnsupportedKeepaliveOptionException if this runtime cannot set an option the policy
   *     asks for (a user timeout)
   */
  public KeepaliveSocketFactory(String policy) {
    this(policy == null ? configuredPolicy() : parseArgument(policy), null, true);
  }

  /**
   * A factory for the policy configured in the system property {@value #POLICY_PROPERTY}, else the
   * environment variable {@value #POLICY_ENVIRONMENT_VARIABLE}, read now. Sockets are pinned.
   *
   * @throws IllegalStateException if neither is set
   * @throws IllegalArgumentException if the one read does not parse (the message names both and
   *     quotes the value), or this platform's kernel cannot take the policy
   * @throws UnsupportedKeepaliveOptionException if this runtime cannot set an option the policy
   *     asks for (a user timeout)
   */
  public KeepaliveSocketFactory() {
    this(configuredPolicy(), null, true);
  }

  /**
   * The constructor every factory ends in: checks the policy, before any socket exists.
   *
   * @param policy the policy
   * @param delegate the factory that makes the sockets, or null for this library's own
   * @param pinned whether sockets of this library's own are pinned
   */
  KeepaliveSocketFactory(KeepalivePolicy policy, SocketFactory delegate, boolean pinned) {
    Applier.checkPolicy(policy, ApplyMode.STRICT);
    this.policy = policy;
    this.delegate = delegate;
    this.pinned = pinned;
  }

  /**
   * A factory whose sockets are {@code new Socket()}s carrying {@code policy}, pinned.
   *
   * @param policy the policy
   * @return the factory
   * @throws NullPointerException if {@code policy} is null
   * @throws IllegalArgumentException if this platform's kernel cannot take the policy
   * @throws UnsupportedKeepaliveOptionException if this runtime cannot set an option the policy
   *     asks for (a user timeout)
   */
  public static KeepaliveSocketFactory of(KeepalivePolicy policy) {
    return new KeepaliveSocketFactory(policy, null, true);
  }

  /**
   * A factory whose sockets come from {@code delegate} and carry {@code policy}. With the JDK's
   * {@link SocketFactory#getDefault()} the sockets are this library's own and pinned; with any
   * other delegate the policy is applied but not pinned.
   *
   * @param policy the policy
   * @param delegate the factory that makes the sockets
   * @return the factory
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if this platform's kernel cannot take the policy
   * @throws UnsupportedKeepaliveOptionException if this runtime cannot set an option the policy
   *     asks for (a user timeout)
   */
  public static KeepaliveSocketFactory of(KeepalivePolicy policy, SocketFactory delegate) {
    Objects.requireNonNull(delegate, "delegate must not be null");
    // The JDK's default factory makes plain new Socket()s: making them ourselves is the same, and
    // lets them be pinned.
    boolean jdkDefault = delegate.getClass() == SocketFactory.getDefault().getClass();
    return new KeepaliveSocketFactory(policy, jdkDefault ? null : delegate, true);
  }

  /**
   * A factory for the configured policy, for JNDI LDAP: {@code java.naming.ldap.factory.socket}
   * names a class whose static {@code getDefault()} it calls. The configuration is read on every
   * call, as by {@link #KeepaliveSocketFactory()}, so a call before the property is set does not
   * poison later ones.
   *
   * @return a new pinning factory for the configured policy
   * @throws IllegalStateException if neither {@value #POLICY_PROPERTY} nor
   *     {@value #POLICY_ENVIRONMENT_VARIABLE} is set
   * @throws IllegalArgumentException if the one read does not parse, or this platform's kernel
   *     cannot take the policy
   * @throws UnsupportedKeepaliveOptionException if this runtime cannot set an option the policy
   *     asks for (a user timeout)
   */
  public static SocketFactory getDefault() {
    return new KeepaliveSocketFactory();
  }

  /**
   * The policy every socket from this factory carries.
   *
   * @return the policy
   */
  public KeepalivePolicy policy() {
    return policy;
  }

  /**
   * A factory like this one whose sockets are not pinned: the policy is applied when each socket is
   * made, and a client's later {@code setKeepAlive}/{@code setOption} calls take effect.
   *
   * @return the factory, same policy and delegate
   */
  public KeepaliveSocketFactory overridable() {
    return pinned ? new KeepaliveSocketFactory(policy, delegate, false) : this;
  }

  /**
   * Whether sockets from this factory keep the policy against a client's later calls: true unless
   * the factory came from {@link #overridable()} or has a delegate other than the JDK's default.
   *
   * @return true if the sockets are pinned
   */
  public boolean isPinned() {
    return pinned && delegate == null;
  }

  /**
   * An unconnected socket carrying the policy: the one pgjdbc, OkHttp and JNDI LDAP (with a connect
   * timeout) call, then {@code connect}.
   *
   * @return the socket, unconnected, keepalive applied
   * @throws IOException if the delegate fails, or applying fails (the socket is then closed)
   * @throws UnsupportedKeepaliveOptionException if the socket cannot take an option (it is closed)
   */
  @Override
  public Socket createSocket() throws IOException {
    return delegate == null ? applied(newSocket(null)) : applied(delegate.createSocket());
  }

  /**
   * An unconnected socket through {@code proxy}, carrying the policy: the shape of HttpClient 5's
   * {@code DetachedSocketFactory} ({@code factory::createSocket}), which passes the SOCKS proxy of
   * its {@code SocketConfig}. Keepalive then runs on the connection to the proxy.
   *
   * @param proxy the proxy as for {@link Socket#Socket(Proxy)}; null or {@link Proxy#NO_PROXY} for
   *     a direct connection
   * @return the socket, unconnected, keepalive applied
   * @throws IllegalArgumentException if {@link Socket#Socket(Proxy)} refuses the proxy
   * @throws UnsupportedOperationException if the proxy is not direct and this factory has a
   *     delegate other than the JDK's default ({@link SocketFactory} takes no proxy)
   * @throws IOException if the delegate fails, or applying fails (the socket is then closed)
   */
  public Socket createSocket(Proxy proxy) throws IOException {
    boolean direct = proxy == null || proxy.type() == Proxy.Type.DIRECT;
    if (delegate == null) {
      return applied(newSocket(direct ? null : proxy));
    }
    if (!direct) {
      throw new UnsupportedOperationException("cannot create a socket through " + proxy + ": the"
          + " delegate " + delegate.getClass().getName() + " is a javax.net.SocketFactory, which"
          + " takes no proxy");
    }
    return applied(delegate.createSocket());
  }

  /**
   * A socket connected to {@code host}, as {@code new Socket(host, port)}, carrying the policy from
   * before it connects.
   *
   * @param host the host name, or null for the loopback address
   * @param port the port
   * @return the connected socket
   * @throws UnknownHostException if the host cannot be resolved
   * @throws IOException if connecting or applying fails (the socket is then closed)
   */
  @Override
  public Socket createSocket(String host, int port) throws IOException {
    if (delegate != null) {
      return applied(delegate.createSocket(host, port));
    }
    return connected(InetAddress.getByName(host), port, null);
  }

  /**
   * A socket bound to {@code localHost:localPort} and connected to {@code host}, as the matching
   * {@link Socket} constructor, carrying the policy from before it connects.
   *
   * @param host the host name, or null for the loopback address
   * @param port the port
   * @param localHost the local address, or null for any
   * @param localPort the local port, or 0 for any
   * @return the connected socket
   * @throws UnknownHostException if the host cannot be resolved
   * @throws IOException if binding, connecting or applying fails (the socket is then closed)
   */
  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    if (delegate != null) {
      return applied(delegate.createSocket(host, port, localHost, localPort));
    }
    return connected(InetAddress.getByName(host), port,
        new InetSocketAddress(localHost, localPort));
  }

  /**
   * A socket connected to {@code host}, as {@code new Socket(host, port)}, carrying the policy from
   * before it connects.
   *
   * @param host the address
   * @param port the port
   * @return the connected socket
   * @throws NullPointerException if {@code host} is null
   * @throws IOException if connecting or applying fails (the socket is then closed)
   */
  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    if (delegate != null) {
      return applied(delegate.createSocket(host, port));
    }
    return connected(Objects.requireNonNull(host, "host must not be null"), port, null);
  }

  /**
   * A socket bound to {@code localAddress:localPort} and connected to {@code address}, as the
   * matching {@link Socket} constructor, carrying the policy from before it connects.
   *
   * @param address the address
   * @param port the port
   * @param localAddress the local address, or null for any
   * @param localPort the local port, or 0 for any
   * @return the connected socket
   * @throws NullPointerException if {@code address} is null
   * @throws IOException if binding, connecting or applying fails (the socket is then closed)
   */
  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    if (delegate != null) {
      return applied(delegate.createSocket(address, port, localAddress, localPort));
    }
    return connected(Objects.requireNonNull(address, "address must not be null"), port,
        new InetSocketAddress(localAddress, localPort));
  }

  /**
   * Equal to another factory with the same policy, pinning and delegate: a factory is an
   * immutable value, and pools or clients that compare factories (or key a cache by one) see two
   * made from the same configuration as the same.
   *
   * @param o the other object
   * @return true if {@code o} is a factory of the same class with the same policy, pinning and
   *     delegate
   */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (o == null || o.getClass() != getClass()) {
      return false;
    }
    KeepaliveSocketFactory that = (KeepaliveSocketFactory) o;
    return pinned == that.pinned && policy.equals(that.policy)
        && Objects.equals(delegate, that.delegate);
  }

  @Override
  public int hashCode() {
    return Objects.hash(policy, pinned, delegate);
  }

  /**
   * {@code KeepaliveSocketFactory[policy=…, pinned]}, or {@code overridable}, and the delegate if
   * any, e.g. {@code KeepaliveSocketFactory[policy=idle=60s,interval=10s,probes=3, pinned]}.
   *
   * @return a description for logs
   */
  @Override
  public String toString() {
    String pinning = isPinned() ? "pinned" : pinned ? "not pinned (its delegate makes the sockets)"
        : "overridable";
    return getClass().getSimpleName() + "[policy=" + policy + ", " + pinning
        + (delegate == null ? "" : ", delegate " + delegate.getClass().getName()) + "]";
  }

  private Socket newSocket(Proxy proxy) {
    if (pinned) {
      return proxy == null ? new PinnedSocket() : new PinnedSocket(proxy);
    }
    return proxy == null ? new Socket() : new Socket(proxy);
  }

  private Socket connected(InetAddress host, int port, InetSocketAddress local)
      throws IOException {
    // Checked before a socket exists, as the JDK's Socket(host, port) constructors do.
    InetSocketAddress remote = new InetSocketAddress(host, port);
    Socket socket = applied(newSocket(null));
    try {
      if (local != null) {
        socket.bind(local);
      }
      socket.connect(remote);
      return socket;
    } catch (IOException | RuntimeException e) {
      closeQuietly(socket, e);
      throw e;
    }
  }

  /** Applies the policy to a socket this factory made; closes it if that fails. */
  private Socket applied(Socket socket) throws IOException {
    try {
      Keepalive.apply(socket, policy);
      return socket;
    } catch (IOException | RuntimeException e) {
      // The socket never reached the caller: nobody else can close it.
      closeQuietly(socket, e);
      throw e;
    }
  }

  private static void closeQuietly(Socket socket, Exception failure) {
    try {
      socket.close();
    } catch (IOException c) {
      failure.addSuppressed(c);
    }
  }

  private static KeepalivePolicy parseArgument(String text) {
    try {
      return KeepalivePolicy.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("KeepaliveSocketFactory argument \"" + text
          + "\" is not a keepalive policy: " + e.getMessage(), e);
    }
  }

  /**
   * The policy in {@link #POLICY_PROPERTY}, else {@link #POLICY_ENVIRONMENT_VARIABLE}. Read on every
   * call: never cached, so setting the property later takes effect.
   */
  static KeepalivePolicy configuredPolicy() {
    String property = System.getProperty(POLICY_PROPERTY);
    String source;
    String text;
    if (property != null) {
      source = "system property " + POLICY_PROPERTY;
      text = property;
    } else {
      text = System.getenv(POLICY_ENVIRONMENT_VARIABLE);
      source = "environment variable " + POLICY_ENVIRONMENT_VARIABLE;
      if (text == null) {
        throw new IllegalStateException("no keepalive policy configured for KeepaliveSocketFactory:"
            + " set the system property " + POLICY_PROPERTY + " or the environment variable "
            + POLICY_ENVIRONMENT_VARIABLE + " (e.g. idle=60s,interval=10s,probes=3), or pass the"
            + " policy (pgjdbc: socketFactoryArg)");
      }
    }
    try {
      return KeepalivePolicy.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the " + source + " (\"" + text + "\"; "
          + (property != null
              ? "it takes precedence over the environment variable " + POLICY_ENVIRONMENT_VARIABLE
              : "the system property " + POLICY_PROPERTY + " is not set")
          + ") is not a keepalive policy: " + e.getMessage(), e);
    }
  }
}
