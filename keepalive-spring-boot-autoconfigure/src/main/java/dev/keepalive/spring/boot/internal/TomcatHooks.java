package dev.keepalive.spring.boot.internal;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.spring.boot.KeepaliveIntegration;
import dev.keepalive.spring.boot.KeepaliveSettings;
import dev.keepalive.spring.boot.KeepaliveWiring;
import java.util.Optional;
import org.apache.catalina.connector.Connector;

/**
 * Embedded Tomcat: the line modules name {@link KeepaliveHttp11NioProtocol} as the connector's
 * protocol (only where the application kept Tomcat's default NIO protocol) and hand it the policy
 * when Boot customizes the connector.
 */
public final class TomcatHooks {

  /** The protocol class name the connector is created with. */
  public static final String PROTOCOL = KeepaliveHttp11NioProtocol.class.getName();

  private TomcatHooks() {}

  /**
   * The server's policy, checked for JDK sockets (Tomcat's NIO connector).
   *
   * @param settings the resolved properties
   * @return the policy, or empty when there is none
   */
  public static Optional<KeepalivePolicy> policy(KeepaliveSettings settings) {
    return settings.forJdkSockets(KeepaliveIntegration.SERVER, "Tomcat's JDK sockets");
  }

  /**
   * Hands the policy to a connector's protocol, or records why it cannot.
   *
   * @param connector the connector Boot is customizing
   * @param policy the policy
   * @param wiring where to record it
   */
  public static void connector(Connector connector, KeepalivePolicy policy,
      KeepaliveWiring wiring) {
    if (connector.getProtocolHandler() instanceof KeepaliveHttp11NioProtocol) {
      ((KeepaliveHttp11NioProtocol) connector.getProtocolHandler()).keepalive(policy);
      wiring.wired(KeepaliveIntegration.SERVER, "Tomcat connector (" + connector.getScheme()
          + ", port " + connector.getPort() + "): every accepted connection");
    } else {
      wiring.notWired(KeepaliveIntegration.SERVER, "Tomcat connector (port " + connector.getPort()
          + ") uses the protocol " + connector.getProtocolHandlerClassName() + ", set by the"
          + " application: keepalive reaches Tomcat's default HTTP/1.1 NIO protocol only");
    }
  }
}
