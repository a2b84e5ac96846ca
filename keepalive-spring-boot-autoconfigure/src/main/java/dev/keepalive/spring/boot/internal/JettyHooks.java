package dev.keepalive.spring.boot.internal;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.Keepalive;
import dev.keepalive.spring.boot.KeepaliveIntegration;
import dev.keepalive.spring.boot.KeepaliveSettings;
import dev.keepalive.spring.boot.KeepaliveWiring;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Embedded Jetty 12: every {@link ServerConnector}'s selector manager takes an {@link
 * SelectorManager.AcceptListener}, told of each accepted channel before Jetty makes an endpoint of
 * it; ours applies the policy strictly there. If it throws, Jetty closes the channel and reports
 * the failure to its listeners.
 */
public final class JettyHooks {

  private JettyHooks() {}

  /**
   * The server's policy, checked for JDK sockets (Jetty's NIO connectors).
   *
   * @param settings the resolved properties
   * @return the policy, or empty when there is none
   */
  public static Optional<KeepalivePolicy> policy(KeepaliveSettings settings) {
    return settings.forJdkSockets(KeepaliveIntegration.SERVER, "Jetty's JDK sockets");
  }

  /**
   * Adds the listener to every connector of {@code server}.
   *
   * @param server the server Boot is building
   * @param policy the policy
   * @param wiring where to record it
   */
  public static void server(Server server, KeepalivePolicy policy, KeepaliveWiring wiring) {
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof ServerConnector) {
        ((ServerConnector) connector).getSelectorManager().addEventListener(new Listener(policy));
        wiring.wired(KeepaliveIntegration.SERVER, "Jetty " + connector.getName()
            + ": every accepted connection");
      } else {
        wiring.notWired(KeepaliveIntegration.SERVER, "Jetty connector " + connector.getName()
            + " (" + connector.getClass().getName() + ") is not a ServerConnector");
      }
    }
  }

  /** Applies the policy to each channel Jetty accepts, before it becomes an endpoint. */
  static final class Listener implements SelectorManager.AcceptListener {
    private final KeepalivePolicy policy;

    Listener(KeepalivePolicy policy) {
      this.policy = policy;
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
      if (channel instanceof SocketChannel) {
        try {
          Keepalive.apply((SocketChannel) channel, policy);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }
}
