package dev.keepalive.spring.it;

import dev.keepalive.spring.boot.KeepaliveAutoConfiguration;
import dev.keepalive.spring.boot.KeepaliveEndpointAutoConfiguration;
import dev.keepalive.spring.boot.KeepaliveMetricsAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The starter's auto-configurations as Spring Boot loads them, for ApplicationContextRunner. */
final class Contexts {

  static final String POLICY = "idle=61s,interval=11s,probes=4";

  private Contexts() {}

  /** Every auto-configuration of the starter: the core, both lines, the endpoint, the meters. */
  static ApplicationContextRunner starter() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KeepaliveAutoConfiguration.class,
            KeepaliveEndpointAutoConfiguration.class, KeepaliveMetricsAutoConfiguration.class))
        .withConfiguration(Line.of(Line.KEEPALIVE_LINE, Line.KEEPALIVE_OTHER_LINE));
  }
}
