package dev.keepalive.spring.boot.internal;

import dev.keepalive.KeepalivePolicy;
import org.apache.hc.core5.http.io.SocketConfig;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;

/**
 * Apache HttpClient 5 under RestClient and RestTemplate: HttpClient sets its {@code SocketConfig}'s
 * SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT on every socket before it connects
 * (its default is 5 s / 5 s / 3). Boot's builder takes no socket factory without replacing its
 * whole connection manager, so the policy goes there, after every other customizer of the socket
 * configuration. Touched only when HttpClient 5 is on the class path.
 */
final class HttpComponentsHooks {

  private HttpComponentsHooks() {}

  static HttpComponentsClientHttpRequestFactoryBuilder withPolicy(
      HttpComponentsClientHttpRequestFactoryBuilder builder, KeepalivePolicy policy) {
    return builder.withSocketConfigCustomizer(config -> socketConfig(config, policy));
  }

  /** The policy's values; for keepalive off, SO_KEEPALIVE off and 0 (HttpClient then sets none). */
  static void socketConfig(SocketConfig.Builder config, KeepalivePolicy policy) {
    config.setSoKeepAlive(policy.enabled());
    config.setTcpKeepIdle(policy.enabled() ? policy.idleSeconds() : 0);
    config.setTcpKeepInterval(policy.enabled() ? policy.intervalSeconds() : 0);
    config.setTcpKeepCount(policy.enabled() ? policy.probes() : 0);
  }
}
