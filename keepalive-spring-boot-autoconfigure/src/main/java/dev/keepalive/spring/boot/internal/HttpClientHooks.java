package dev.keepalive.spring.boot.internal;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.spring.boot.KeepaliveIntegration;
import dev.keepalive.spring.boot.KeepaliveSettings;
import dev.keepalive.spring.boot.KeepaliveWiring;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.util.ClassUtils;

/**
 * Spring Boot's HTTP client builders: the {@code ClientHttpRequestFactoryBuilder} behind
 * RestClient and RestTemplate, and the {@code ClientHttpConnectorBuilder} behind WebClient. The
 * builder classes have the same names and methods on Boot 3.5 and 4.0; only the customizer
 * interfaces that hand them over moved.
 *
 * <ul>
 *   <li>Reactor Netty: {@code doOnChannelInit}, see {@link ReactorNettyHooks}.
 *   <li>Apache HttpClient 5: its {@code SocketConfig} carries idle, interval and probes, which it
 *       sets on every socket before connecting (its own default is 5 s / 5 s / 3). Boot's builder
 *       offers no way to hand HttpClient a socket factory without replacing Boot's whole connection
 *       manager (its SSL bundle and timeouts), so the policy goes into that {@code SocketConfig},
 *       checked here for JDK sockets first; the kernel read-back tests prove every field.
 *   <li>Anything else (the JDK's HttpClient, Jetty's client, {@code HttpURLConnection}) opens its
 *       own sockets with no hook: recorded as not wired, pointing at keepalive-agent.
 * </ul>
 */
public final class HttpClientHooks {

  // Asked only of a builder of that kind: the WebClient hook never loads HttpClient 5.
  private static final String HTTP_COMPONENTS =
      "org.apache.hc.client5.http.impl.classic.HttpClientBuilder";
  private static final String REACTOR = "reactor.netty.http.client.HttpClient";

  private HttpClientHooks() {}

  /**
   * RestClient's and RestTemplate's request factory builder with the policy.
   *
   * @param builder the builder Spring Boot made
   * @param settings the resolved properties
   * @param wiring where to record what was wired
   * @return the builder carrying the policy, or {@code builder} unchanged
   * @throws dev.keepalive.spring.boot.KeepaliveConfigurationException if the builder's transport
   *     cannot take the policy
   */
  public static ClientHttpRequestFactoryBuilder<?> restClient(
      ClientHttpRequestFactoryBuilder<?> builder, KeepaliveSettings settings,
      KeepaliveWiring wiring) {
    KeepaliveIntegration integration = KeepaliveIntegration.REST_CLIENT;
    if (settings.policy(integration).isEmpty()) {
      return builder;
    }
    if (builder instanceof HttpComponentsClientHttpRequestFactoryBuilder
        && present(HTTP_COMPONENTS)) {
      KeepalivePolicy policy = settings.forJdkSockets(integration,
          "Apache HttpClient 5's JDK sockets").orElseThrow();
      wiring.wired(integration, "Apache HttpClient 5 (ClientHttpRequestFactoryBuilder): every"
          + " connection, through its SocketConfig");
      return HttpComponentsHooks.withPolicy((HttpComponentsClientHttpRequestFactoryBuilder) builder,
          policy);
    }
    if (builder instanceof ReactorClientHttpRequestFactoryBuilder && present(REACTOR)) {
      KeepalivePolicy policy = ReactorNettyHooks.policy(settings, integration).orElseThrow();
      wiring.wired(integration, "Reactor Netty (ClientHttpRequestFactoryBuilder): every"
          + " connection, before it connects");
      return ReactorNettyHooks.withPolicy((ReactorClientHttpRequestFactoryBuilder) builder, policy);
    }
    wiring.notWired(integration, "RestClient/RestTemplate use " + builder.getClass().getName()
        + ", which opens its own sockets with no hook for keepalive: use Apache HttpClient 5 or"
        + " Reactor Netty (spring.http.client.factory), or keepalive-agent");
    return builder;
  }

  /**
   * WebClient's connector builder with the policy.
   *
   * @param builder the builder Spring Boot made
   * @param settings the resolved properties
   * @param wiring where to record what was wired
   * @return the builder carrying the policy, or {@code builder} unchanged
   * @throws dev.keepalive.spring.boot.KeepaliveConfigurationException if Reactor Netty cannot take
   *     the policy here
   */
  public static ClientHttpConnectorBuilder<?> webClient(ClientHttpConnectorBuilder<?> builder,
      KeepaliveSettings settings, KeepaliveWiring wiring) {
    KeepaliveIntegration integration = KeepaliveIntegration.WEBCLIENT;
    if (settings.policy(integration).isEmpty()) {
      return builder;
    }
    if (builder instanceof ReactorClientHttpConnectorBuilder && present(REACTOR)) {
      KeepalivePolicy policy = ReactorNettyHooks.policy(settings, integration).orElseThrow();
      wiring.wired(integration, "Reactor Netty (ClientHttpConnectorBuilder of Boot's"
          + " WebClient.Builder): every connection, before it connects");
      return ReactorNettyHooks.withPolicy((ReactorClientHttpConnectorBuilder) builder, policy);
    }
    wiring.notWired(integration, "WebClient uses " + builder.getClass().getName()
        + ", which opens its own sockets with no hook for keepalive: use Reactor Netty, or"
        + " keepalive-agent");
    return builder;
  }

  private static boolean present(String className) {
    return ClassUtils.isPresent(className, HttpClientHooks.class.getClassLoader());
  }
}
