package dev.keepalive.spring.boot.internal;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.netty.NettyKeepalive;
import dev.keepalive.spring.boot.KeepaliveIntegration;
import dev.keepalive.spring.boot.KeepaliveSettings;
import dev.keepalive.spring.boot.KeepaliveWiring;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import java.util.Optional;

/**
 * Lettuce (Spring Data Redis): its {@code ClientResources} hold one {@link NettyCustomizer}, which
 * Lettuce calls for every channel it initializes, the first connection and every reconnect, before
 * it connects. Ours puts {@link NettyKeepalive#initializer} first in the pipeline: the policy is
 * applied strictly (a refused one fails the connect with the reason) on NIO, epoll and io_uring,
 * with TCP_USER_TIMEOUT where the transport has it. Lettuce's builder keeps a single customizer:
 * the starter's runs first, so an application that sets its own replaces it, which {@link
 * #check} reports.
 */
public final class LettuceHooks {

  private LettuceHooks() {}

  /**
   * The policy of the Redis integration, checked for Lettuce's transport here (found only for a
   * policy with a user timeout).
   *
   * @param settings the resolved properties
   * @return the policy, or empty when there is none
   */
  public static Optional<KeepalivePolicy> policy(KeepaliveSettings settings) {
    return settings.forNetty(KeepaliveIntegration.REDIS, "Lettuce", LettuceHooks::nativeTransport);
  }

  /**
   * Puts the policy into Lettuce's resources as they are built.
   *
   * @param builder Spring Boot's builder
   * @param policy the policy
   * @param wiring where to record it
   */
  public static void customize(ClientResources.Builder builder, KeepalivePolicy policy,
      KeepaliveWiring wiring) {
    builder.nettyCustomizer(new Customizer(NettyKeepalive.initializer(policy)));
    wiring.wired(KeepaliveIntegration.REDIS, "Lettuce ClientResources (nettyCustomizer): every"
        + " connection, reconnects included, before it connects");
  }

  /**
   * Records, once the resources are built, whether an application's own {@code nettyCustomizer}
   * replaced the starter's.
   *
   * @param resources the resources Spring Boot built
   * @param wiring where to record it
   */
  public static void check(ClientResources resources, KeepaliveWiring wiring) {
    NettyCustomizer customizer = resources.nettyCustomizer();
    if (customizer != null && !(customizer instanceof Customizer)) {
      wiring.notWired(KeepaliveIntegration.REDIS, "the application's ClientResourcesBuilderCustomizer"
          + " set its own nettyCustomizer (" + customizer.getClass().getName() + "), which"
          + " replaced keepalive's: Lettuce keeps one; call"
          + " channel.pipeline().addFirst(NettyKeepalive.initializer(policy)) in it");
    }
  }

  /** Whether Lettuce runs on epoll or io_uring here, the transports with TCP_USER_TIMEOUT. */
  static boolean nativeTransport() {
    return EpollProvider.isAvailable() || IOUringProvider.isAvailable();
  }

  /** The starter's customizer: one sharable initializer for every channel. */
  static final class Customizer implements NettyCustomizer {
    private final ChannelHandler initializer;

    Customizer(ChannelHandler initializer) {
      this.initializer = initializer;
    }

    @Override
    public void afterChannelInitialized(Channel channel) {
      channel.pipeline().addFirst(initializer);
    }
  }
}
