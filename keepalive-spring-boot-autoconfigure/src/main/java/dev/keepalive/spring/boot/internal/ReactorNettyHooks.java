package dev.keepalive.spring.boot.internal;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.Platform;
import dev.keepalive.netty.NettyKeepalive;
import dev.keepalive.spring.boot.KeepaliveIntegration;
import dev.keepalive.spring.boot.KeepaliveSettings;
import dev.keepalive.spring.boot.KeepaliveWiring;
import io.netty.channel.ChannelHandler;
import java.util.Optional;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * Reactor Netty, server and client: {@code doOnChannelInit} runs for every accepted connection and
 * for every client channel before it connects, and puts {@link NettyKeepalive#initializer} first in
 * its pipeline. The initializer applies the policy strictly and leaves the pipeline: a refused
 * policy fails a client's connect with the reason (not a bare {@code ClosedChannelException}), and
 * closes an accepted connection. Reactor Netty composes {@code doOnChannelInit} with any the
 * application set.
 */
public final class ReactorNettyHooks {

  private ReactorNettyHooks() {}

  /**
   * The policy of {@code integration}, checked for Reactor Netty's transport here (found only for a
   * policy with a user timeout).
   *
   * @param settings the resolved properties
   * @param integration the integration
   * @return the policy, or empty when there is none
   */
  public static Optional<KeepalivePolicy> policy(KeepaliveSettings settings,
      KeepaliveIntegration integration) {
    return settings.forNetty(integration, "Reactor Netty", ReactorNettyHooks::nativeTransport);
  }

  /**
   * The server with the policy on every accepted connection.
   *
   * @param server the server Spring Boot is building
   * @param policy the policy
   * @param wiring where to record it
   * @return the server with the hook
   */
  public static HttpServer server(HttpServer server, KeepalivePolicy policy,
      KeepaliveWiring wiring) {
    ChannelHandler initializer = NettyKeepalive.initializer(policy);
    wiring.wired(KeepaliveIntegration.SERVER,
        "Reactor Netty server (NettyServerCustomizer): every accepted connection");
    return server.doOnChannelInit((observer, channel, address) ->
        channel.pipeline().addFirst(initializer));
  }

  /**
   * The client with the policy on every connection it opens.
   *
   * @param client the client Spring Boot is building
   * @param policy the policy
   * @return the client with the hook
   */
  public static HttpClient client(HttpClient client, KeepalivePolicy policy) {
    ChannelHandler initializer = NettyKeepalive.initializer(policy);
    return client.doOnChannelInit((observer, channel, address) ->
        channel.pipeline().addFirst(initializer));
  }

  /**
   * RestClient's Reactor Netty request factory builder with the policy on every connection.
   *
   * @param builder the builder
   * @param policy the policy
   * @return the builder with the hook
   */
  public static ReactorClientHttpRequestFactoryBuilder withPolicy(
      ReactorClientHttpRequestFactoryBuilder builder, KeepalivePolicy policy) {
    return builder.withHttpClientCustomizer(c -> client(c, policy));
  }

  /**
   * WebClient's Reactor Netty connector builder with the policy on every connection.
   *
   * @param builder the builder
   * @param policy the policy
   * @return the builder with the hook
   */
  public static ReactorClientHttpConnectorBuilder withPolicy(
      ReactorClientHttpConnectorBuilder builder, KeepalivePolicy policy) {
    return builder.withHttpClientCustomizer(c -> client(c, policy));
  }

  /**
   * Whether Reactor Netty runs on a transport that can set TCP_USER_TIMEOUT here: epoll or io_uring
   * on Linux, which it picks by itself when the native jar is present ({@code reactor.netty.native}
   * not false).
   *
   * @return true on Linux with a native transport
   */
  public static boolean nativeTransport() {
    return LoopResources.DEFAULT_NATIVE && LoopResources.hasNativeSupport()
        && Platform.current() == Platform.LINUX;
  }
}
