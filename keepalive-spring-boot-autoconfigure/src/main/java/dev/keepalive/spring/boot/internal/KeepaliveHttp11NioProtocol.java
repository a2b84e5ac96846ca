package dev.keepalive.spring.boot.internal;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.Keepalive;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;
import org.apache.tomcat.util.net.NioEndpoint;

/**
 * Tomcat's default HTTP/1.1 NIO protocol, whose endpoint applies a {@link KeepalivePolicy} to every
 * connection it accepts, before the connection is handed to the poller: Tomcat's connector has
 * only {@code socket.soKeepAlive} (SO_KEEPALIVE, no idle, interval or probes), and keepalive
 * belongs on each accepted connection rather than on the listener (macOS's accepted sockets do not
 * inherit TCP_KEEP* from it; the JDK's {@code ServerSocketChannel} refuses SO_KEEPALIVE). The
 * policy is applied strictly with {@link Keepalive#apply(java.nio.channels.NetworkChannel,
 * KeepalivePolicy)}; a connection that refuses it is closed (Tomcat's own contract for {@code
 * setSocketOptions}) and the reason logged. Everything else is Tomcat's {@link Http11NioProtocol}:
 * the same {@code http-nio} names and every {@code server.tomcat.*} setting.
 *
 * <p>Spring Boot names this class as the connector's protocol when {@code keepalive.server.policy}
 * (or {@code keepalive.policy}) is set; the starter then hands it the policy with {@link
 * #keepalive(KeepalivePolicy)}. Works on Tomcat 10.1 (Boot 3.5) and 11 (Boot 4.0).
 */
public class KeepaliveHttp11NioProtocol extends Http11NioProtocol {

  /**
   * Held here rather than read back with {@code getEndpoint()}: Tomcat 10.1 declares that method
   * with a return type Tomcat 11 no longer has, so a call compiled against one fails on the other.
   */
  private final Endpoint endpoint;

  /** The protocol with an endpoint that applies the policy; none until one is handed over. */
  public KeepaliveHttp11NioProtocol() {
    this(new Endpoint());
  }

  private KeepaliveHttp11NioProtocol(Endpoint endpoint) {
    super(endpoint);
    this.endpoint = endpoint;
  }

  /**
   * The policy for every connection accepted from now on.
   *
   * @param policy the policy, already checked for JDK sockets
   */
  public void keepalive(KeepalivePolicy policy) {
    endpoint.policy = policy;
  }

  /**
   * The policy in force.
   *
   * @return the policy, or null before one is handed over
   */
  public KeepalivePolicy keepalive() {
    return endpoint.policy;
  }

  /** Applies the policy to each accepted channel first, then Tomcat's own options. */
  static final class Endpoint extends NioEndpoint {
    private static final Log LOG = LogFactory.getLog(KeepaliveHttp11NioProtocol.class);

    volatile KeepalivePolicy policy;

    @Override
    protected boolean setSocketOptions(SocketChannel socket) {
      KeepalivePolicy p = policy;
      if (p != null) {
        try {
          Keepalive.apply(socket, p);
        } catch (IOException | RuntimeException e) {
          // false: Tomcat's acceptor closes the connection (NioEndpoint's contract).
          LOG.warn("Closed an accepted connection that refused the keepalive policy " + p, e);
          return false;
        }
      }
      return super.setSocketOptions(socket);
    }
  }
}
