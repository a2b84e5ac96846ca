package dev.keepalive.spring.boot;

import dev.keepalive.micrometer.KeepaliveMetrics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * keepalive's Micrometer meters ({@link KeepaliveMetrics}), bound by Spring Boot to every
 * {@code MeterRegistry}, with the policies in force as the expected ones.
 */
@AutoConfiguration(after = KeepaliveAutoConfiguration.class)
@ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
@ConditionalOnBean(KeepaliveSettings.class)
public class KeepaliveMetricsAutoConfiguration {

  /** The auto-configuration Spring Boot instantiates. */
  public KeepaliveMetricsAutoConfiguration() {}

  /**
   * The meters.
   *
   * @param settings the resolved properties
   * @return the binder
   */
  @Bean
  @ConditionalOnMissingBean
  public KeepaliveMetrics keepaliveMetrics(KeepaliveSettings settings) {
    return new KeepaliveMetrics(settings.inForce());
  }
}
