package dev.keepalive.spring.boot;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code keepalive} actuator endpoint, when Spring Boot's actuator is on the class path and the
 * endpoint is available (enabled and exposed over HTTP or JMX).
 */
@AutoConfiguration(after = KeepaliveAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(KeepaliveWiring.class)
@ConditionalOnAvailableEndpoint(endpoint = KeepaliveEndpoint.class)
public class KeepaliveEndpointAutoConfiguration {

  /** The auto-configuration Spring Boot instantiates. */
  public KeepaliveEndpointAutoConfiguration() {}

  /**
   * The endpoint.
   *
   * @param settings the resolved properties
   * @param wiring the record of what was wired
   * @return the endpoint
   */
  @Bean
  @ConditionalOnMissingBean
  public KeepaliveEndpoint keepaliveEndpoint(KeepaliveSettings settings, KeepaliveWiring wiring) {
    return new KeepaliveEndpoint(settings, wiring);
  }
}
