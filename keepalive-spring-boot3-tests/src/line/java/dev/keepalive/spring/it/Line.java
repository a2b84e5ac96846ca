package dev.keepalive.spring.it;

import io.lettuce.core.resource.NettyCustomizer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.ClientResourcesBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What differs between the Spring Boot lines for the shared tests: this is Spring Boot 3.5's
 * (keepalive-spring-boot4-tests has 4.0's). Class names as strings, so the shared tests never
 * name a class of one line.
 */
final class Line {

  /** The line, for messages. */
  static final String NAME = "Spring Boot 3.5";

  /** The line module's auto-configuration. */
  static final String KEEPALIVE_LINE = "dev.keepalive.spring.boot3.KeepaliveBoot3AutoConfiguration";

  /** The other line module's auto-configuration, which must stay inert here. */
  static final String KEEPALIVE_OTHER_LINE =
      "dev.keepalive.spring.boot4.KeepaliveBoot4AutoConfiguration";

  /** The property that picks RestClient's HTTP client. */
  static final String REST_CLIENT_FACTORY_PROPERTY = "spring.http.client.factory";

  /** The property that picks WebClient's connector. */
  static final String WEB_CLIENT_CONNECTOR_PROPERTY = "spring.http.reactiveclient.connector";

  private Line() {}

  /** Boot's auto-configurations behind RestClient.Builder. */
  static AutoConfigurations restClient() {
    return of("org.springframework.boot.autoconfigure.http.client.HttpClientAutoConfiguration",
        "org.springframework.boot.autoconfigure.web.client.RestClientAutoConfiguration",
        "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration");
  }

  /** Boot's auto-configurations behind WebClient.Builder. */
  static AutoConfigurations webClient() {
    return of(
        "org.springframework.boot.autoconfigure.http.client.reactive.ClientHttpConnectorAutoConfiguration",
        "org.springframework.boot.autoconfigure.web.reactive.function.client.WebClientAutoConfiguration",
        "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration");
  }

  /** Boot's Lettuce auto-configuration. */
  static AutoConfigurations redis() {
    return of("org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration");
  }

  /** Boot's DataSource auto-configuration. */
  static AutoConfigurations dataSource() {
    return of("org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration");
  }

  /** Boot's actuator endpoint and metrics auto-configurations. */
  static AutoConfigurations actuator() {
    return of("org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration");
  }

  static AutoConfigurations of(String... names) {
    Class<?>[] classes = new Class<?>[names.length];
    for (int i = 0; i < names.length; i++) {
      try {
        classes[i] = Class.forName(names[i]);
      } catch (ClassNotFoundException e) {
        throw new AssertionError(NAME + " has no " + names[i], e);
      }
    }
    return AutoConfigurations.of(classes);
  }

  /** An application's own Lettuce nettyCustomizer, set through this line's customizer. */
  @Configuration(proxyBeanMethods = false)
  static class OwnNettyCustomizer {
    @Bean
    ClientResourcesBuilderCustomizer ownNettyCustomizer() {
      return builder -> builder.nettyCustomizer(new NettyCustomizer() {});
    }
  }
}
