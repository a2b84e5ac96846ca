package dev.keepalive.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keepalive.KeepaliveCounters;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.spring.boot.KeepaliveEndpoint;
import dev.keepalive.spring.boot.KeepaliveIntegration;
import dev.keepalive.spring.boot.KeepaliveWiring;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The actuator endpoint's conditions and report, and the meters through Spring Boot's own metrics
 * auto-configuration, with keepalive-agent's agreed names standing in for the agent.
 */
class EndpointAndMetricsTest {

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  private static ApplicationContextRunner actuator() {
    return Contexts.starter().withConfiguration(Line.actuator())
        .withPropertyValues("keepalive.policy=" + Contexts.POLICY);
  }

  @Test
  void theEndpointIsNotAvailableUntilTheApplicationExposesIt() {
    actuator().run(c -> assertThat(c).doesNotHaveBean(KeepaliveEndpoint.class));
    actuator().withPropertyValues("management.endpoints.web.exposure.include=keepalive")
        .run(c -> assertThat(c).hasSingleBean(KeepaliveEndpoint.class));
    actuator().withPropertyValues("management.endpoints.web.exposure.include=keepalive",
        "management.endpoint.keepalive.access=NONE")
        .run(c -> assertThat(c).doesNotHaveBean(KeepaliveEndpoint.class));
  }

  @Test
  void theEndpointReportsEveryIntegrationWhatWasWiredAndWhatNot() {
    actuator().withPropertyValues("management.endpoints.web.exposure.include=keepalive",
        "keepalive.redis.policy=unchanged").run(c -> {
          KeepaliveWiring wiring = c.getBean(KeepaliveWiring.class);
          wiring.wired(KeepaliveIntegration.SERVER, "a server");
          Map<String, Object> report = c.getBean(KeepaliveEndpoint.class).keepalive();
          assertThat(report).containsOnlyKeys("integrations", "agent", "connections",
              "notReachable");
          Map<String, Object> integrations = map(report.get("integrations"));
          assertThat(integrations.keySet()).containsExactly("server", "webclient", "rest-client",
              "datasource", "redis");
          assertThat(map(integrations.get("server"))).containsEntry("policy", Contexts.POLICY)
              .containsEntry("source", "keepalive.policy")
              .containsEntry("wired", List.of("a server")).containsEntry("notWired", List.of());
          assertThat(list(map(integrations.get("datasource")).get("notWired")))
              .containsExactly("no HikariDataSource bean was created");
          assertThat(map(integrations.get("redis"))).containsEntry("policy", "unchanged")
              .containsEntry("notWired", List.of());
          assertThat(list(report.get("notReachable"))).anySatisfy(n -> assertThat(n)
              .asString().contains("keepalive-agent"));
        });
  }

  @Test
  void theMetersAreBoundByTheApplicationsRegistry() {
    actuator().run(c -> {
      MeterRegistry registry = c.getBean(MeterRegistry.class);
      assertThat(registry.get("keepalive.overrides.ignored").functionCounters()).hasSize(5);
      double before = registry.get("keepalive.overrides.ignored").tag("option", "SO_KEEPALIVE")
          .functionCounter().count();
      KeepaliveCounters.recordIgnoredOverride(KeepaliveOption.SO_KEEPALIVE);
      assertThat(registry.get("keepalive.overrides.ignored").tag("option", "SO_KEEPALIVE")
          .functionCounter().count()).isEqualTo(before + 1);
      assertThat(registry.get("keepalive.heartbeat.timeouts").functionCounter().count())
          .isEqualTo(KeepaliveCounters.heartbeatTimeouts());
      assertThat(registry.find("keepalive.connections").meters())
          .hasSize(Runtime.version().feature() >= 22 ? 4 : 0);
      assertThat(registry.find("keepalive.agent.connections").meters()).isEmpty();
    });
  }

  @Test
  void keepaliveAgentIsFoundByItsSystemPropertyAndMBean() throws Exception {
    ObjectName name = new ObjectName("dev.keepalive:type=Agent");
    FakeAgentMXBean agent = new FakeAgentMXBean() {
      public String getVersion() {
        return "9.9.9";
      }

      public long getConnectionsApplied() {
        return 7;
      }

      public long getConnectionsUnchanged() {
        return 2;
      }

      public Map<String, Long> getRefusalsByOption() {
        return Map.of("TCP_USER_TIMEOUT", 3L);
      }

      public Map<String, Long> getIgnoredOverridesByOption() {
        return Map.of("TCP_KEEPIDLE", 5L);
      }
    };
    ManagementFactory.getPlatformMBeanServer().registerMBean(agent, name);
    System.setProperty("keepalive.agent.version", "9.9.9");
    try {
      actuator().withPropertyValues("management.endpoints.web.exposure.include=keepalive")
          .run(c -> {
            Map<String, Object> report = map(c.getBean(KeepaliveEndpoint.class).keepalive()
                .get("agent"));
            assertThat(report).containsEntry("present", true).containsEntry("version", "9.9.9")
                .containsEntry("mbean", "dev.keepalive:type=Agent");
            assertThat(map(report.get("counts"))).containsEntry("ConnectionsApplied", 7L)
                .containsEntry("IgnoredOverridesByOption", Map.of("TCP_KEEPIDLE", 5L));
            MeterRegistry registry = c.getBean(MeterRegistry.class);
            assertThat(registry.get("keepalive.agent.connections").tag("result", "applied")
                .functionCounter().count()).isEqualTo(7);
            assertThat(registry.get("keepalive.agent.connections").tag("result", "unchanged")
                .functionCounter().count()).isEqualTo(2);
            assertThat(registry.get("keepalive.agent.refusals").tag("option", "TCP_USER_TIMEOUT")
                .functionCounter().count()).isEqualTo(3);
            assertThat(registry.get("keepalive.agent.refusals").tag("option", "SO_KEEPALIVE")
                .functionCounter().count()).isZero();
            // The library's count plus the agent's.
            assertThat(registry.get("keepalive.overrides.ignored").tag("option", "TCP_KEEPIDLE")
                .functionCounter().count()).isEqualTo(
                    KeepaliveCounters.ignoredOverrides(KeepaliveOption.TCP_KEEPIDLE) + 5);
          });
    } finally {
      System.clearProperty("keepalive.agent.version");
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
    }
  }
}
