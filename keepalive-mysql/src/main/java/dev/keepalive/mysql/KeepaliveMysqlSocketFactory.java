package dev.keepalive.mysql;

import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.protocol.StandardSocketFactory;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A MySQL Connector/J socket factory whose sockets carry a {@link KeepalivePolicy}, pinned: for
 * the driver's {@code socketFactory} property, which must name a
 * {@code com.mysql.cj.protocol.SocketFactory} (naming {@link KeepaliveSocketFactory}, a
 * {@code javax.net.SocketFactory}, fails with "does not implement the interface").
 *
 * <pre>{@code
 * // -Dkeepalive.policy=idle=60s,interval=10s,probes=3   (or KEEPALIVE_POLICY in the environment)
 * jdbc:mysql://db:3306/app?socketFactory=dev.keepalive.mysql.KeepaliveMysqlSocketFactory
 * }</pre>
 *
 * <p>The driver makes one instance per connection with the no-arg constructor, which reads the
 * policy as {@link KeepaliveSocketFactory#getDefault()} does: the system property
 * {@value KeepaliveSocketFactory#POLICY_PROPERTY}, else the environment variable
 * {@value KeepaliveSocketFactory#POLICY_ENVIRONMENT_VARIABLE}, on every connection (never cached). A
 * missing or bad policy fails the connection before any socket exists, with the driver's
 * {@code SQLException} carrying this library's message.
 *
 * <p>The sockets are {@link KeepaliveSocketFactory}'s own: the policy is applied before the socket
 * connects, so from the first SYN, and pinned, so the driver's {@code setKeepAlive(tcpKeepAlive)}
 * right after cannot change it (with the driver's default {@code tcpKeepAlive=true} and a policy
 * that switches keepalive on, the two agree and nothing is logged; {@code tcpKeepAlive=false} is
 * ignored and logged once, as {@link KeepaliveSocketFactory} describes). TLS
 * ({@code sslMode=REQUIRED}) is layered by the driver over this plain socket, which keeps the
 * policy. The driver's other socket settings ({@code tcpNoDelay}, buffers, {@code connectTimeout},
 * {@code localSocketAddress}, every address of a host name) work as with its
 * {@code StandardSocketFactory}, whose connection logic this class keeps; unlike it, a socket
 * whose configuration or bind failed is closed, not left to the garbage collector.
 *
 * <p>For a policy set in code rather than in the configuration (one per data source, say), subclass
 * with a public no-arg constructor that calls {@link #KeepaliveMysqlSocketFactory(KeepaliveSocketFactory)}
 * and name the subclass in the URL. Instances are made and used by the driver for one connection
 * each, as its own {@code StandardSocketFactory} is: not thread-safe.
 */
// The driver's types in this API are the application's, read from the class path (module-info.java
// says why the driver's module is not named): javac's "exports" lint cannot see that.
@SuppressWarnings("exports")
public class KeepaliveMysqlSocketFactory extends StandardSocketFactory {

  private final KeepaliveSocketFactory sockets;
  /** The sockets made during the current {@link #connect}; null outside one. */
  private List<Socket> made;

  /**
   * The constructor the driver calls for each connection: the policy configured in the system
   * property {@value KeepaliveSocketFactory#POLICY_PROPERTY}, else the environment variable
   * {@value KeepaliveSocketFactory#POLICY_ENVIRONMENT_VARIABLE}, read now. Sockets are pinned.
   *
   * @throws IllegalStateException if neither is set
   * @throws IllegalArgumentException if the one read does not parse (the message names it and
   *     quotes the value), or this platform's kernel cannot take the policy
   * @throws UnsupportedKeepaliveOptionException if this runtime cannot set an option the policy
   *     asks for (a user timeout: the JDK has no TCP_USER_TIMEOUT)
   */
  public KeepaliveMysqlSocketFactory() {
    this(configured());
  }

  /**
   * A factory whose sockets come from {@code sockets}: for a subclass that fixes the policy in
   * code, {@code super(KeepaliveSocketFactory.of(policy))}, or lets the driver's settings win,
   * {@code super(KeepaliveSocketFactory.of(policy).overridable())}.
   *
   * @param sockets the factory that makes and applies the policy to every socket
   * @throws NullPointerException if {@code sockets} is null
   */
  protected KeepaliveMysqlSocketFactory(KeepaliveSocketFactory sockets) {
    this.sockets = Objects.requireNonNull(sockets, "sockets must not be null");
  }

  /**
   * The policy every socket from this factory carries.
   *
   * @return the policy
   */
  public KeepalivePolicy policy() {
    return sockets.policy();
  }

  /**
   * The factory that makes the sockets, with its policy and pinning.
   *
   * @return the socket factory
   */
  public KeepaliveSocketFactory sockets() {
    return sockets;
  }

  /**
   * An unconnected socket carrying the policy, from {@link KeepaliveSocketFactory#createSocket()}:
   * the driver configures, binds and connects it.
   *
   * @param props the connection's properties (not read: the policy is this factory's)
   * @return the socket, unconnected, keepalive applied
   * @throws UncheckedIOException if the socket cannot be made or the policy applied (the socket is
   *     then closed); {@link #connect(String, int, PropertySet, int)} passes its cause on as the
   *     {@link IOException} it is
   * @throws UnsupportedKeepaliveOptionException if the socket cannot take an option (it is closed)
   */
  @Override
  protected Socket createSocket(PropertySet props) {
    Socket socket;
    try {
      socket = sockets.createSocket();
    } catch (IOException e) {
      // The driver's hook declares no IOException; connect() below unwraps this one.
      throw new CreationFailure(e);
    }
    if (made != null) {
      made.add(socket);
    }
    return socket;
  }

  /**
   * Connects as the driver's {@code StandardSocketFactory} does (every address of the host, the
   * driver's socket settings and timeouts), with sockets from {@link #createSocket(PropertySet)}.
   *
   * @param <T> the socket type the driver expects
   * @param hostname the host to connect to
   * @param portNumber the port
   * @param props the connection's properties
   * @param loginTimeout the login timeout in milliseconds, or 0
   * @return the connected socket
   * @throws IOException if no address connects, or a socket cannot be made or take the policy;
   *     every socket this call made is then closed
   */
  @Override
  public <T extends Closeable> T connect(String hostname, int portNumber, PropertySet props,
      int loginTimeout) throws IOException {
    List<Socket> attempts = new ArrayList<>();
    made = attempts;
    try {
      T connected = super.connect(hostname, portNumber, props, loginTimeout);
      closeAllBut(attempts, connected, null);
      return connected;
    } catch (CreationFailure e) {
      IOException cause = e.getCause();
      closeAllBut(attempts, null, cause);
      throw cause;
    } catch (IOException | RuntimeException e) {
      closeAllBut(attempts, null, e);
      throw e;
    } finally {
      made = null;
    }
  }

  /**
   * Closes the sockets of failed attempts. The driver drops a socket whose configuration or
   * {@code bind} failed without closing it (the JDK closes one only when {@code connect} fails), and
   * ours has its descriptor from the start: it carries the policy before it connects.
   */
  private static void closeAllBut(List<Socket> attempts, Object kept, Exception failure) {
    for (Socket socket : attempts) {
      if (socket == kept) {
        continue;
      }
      try {
        socket.close();
      } catch (IOException e) {
        if (failure != null) {
          failure.addSuppressed(e);
        }
        // Otherwise the connection succeeded; an unconnected socket that cannot be closed has no
        // peer to hold and nothing the caller could do.
      }
    }
  }

  /**
   * The class and its socket factory, e.g.
   * {@code KeepaliveMysqlSocketFactory[KeepaliveSocketFactory[policy=idle=60s,interval=10s,probes=3, pinned]]}.
   *
   * @return a description for logs
   */
  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + sockets + "]";
  }

  private static KeepaliveSocketFactory configured() {
    // KeepaliveSocketFactory's own message would point a MySQL user at pgjdbc's socketFactoryArg.
    if (System.getProperty(KeepaliveSocketFactory.POLICY_PROPERTY) == null
        && System.getenv(KeepaliveSocketFactory.POLICY_ENVIRONMENT_VARIABLE) == null) {
      throw new IllegalStateException("no keepalive policy configured for"
          + " KeepaliveMysqlSocketFactory: set the system property "
          + KeepaliveSocketFactory.POLICY_PROPERTY + " or the environment variable "
          + KeepaliveSocketFactory.POLICY_ENVIRONMENT_VARIABLE
          + " (e.g. idle=60s,interval=10s,probes=3), or subclass it with a policy in code");
    }
    return new KeepaliveSocketFactory();
  }

  /** An {@link IOException} out of the driver's {@code createSocket} hook, which declares none. */
  private static final class CreationFailure extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    CreationFailure(IOException cause) {
      super(cause);
    }
  }
}
