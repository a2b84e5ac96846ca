package dev.keepalive.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.spring.boot.KeepaliveConfigurationException;
import dev.keepalive.spring.boot.KeepaliveIntegration;
import dev.keepalive.spring.boot.KeepaliveProperties;
import dev.keepalive.spring.boot.KeepaliveSettings;
import org.junit.jupiter.api.Test;

/** How the keepalive.* properties resolve, and every refusal's report. */
class KeepaliveSettingsTest {

  private static final String POLICY = "idle=61s,interval=11s,probes=4";

  private static KeepaliveProperties properties(String global) {
    KeepaliveProperties p = new KeepaliveProperties();
    p.setPolicy(global);
    return p;
  }

  @Test
  void theGlobalPolicyReachesEveryIntegration() {
    KeepaliveSettings s = new KeepaliveSettings(properties(POLICY));
    for (KeepaliveIntegration i : KeepaliveIntegration.values()) {
      assertThat(s.policy(i)).contains(KeepalivePolicy.parse(POLICY));
      assertThat(s.source(i)).contains("keepalive.policy");
    }
    assertThat(s.inForce()).containsExactly(KeepalivePolicy.parse(POLICY));
  }

  @Test
  void anIntegrationsOwnPolicyWinsAndUnchangedLeavesItAlone() {
    KeepaliveProperties p = properties(POLICY);
    p.getRedis().setPolicy("idle=62s,interval=12s,probes=5,user-timeout=20s");
    p.getDatasource().setPolicy("unchanged");
    p.getRestClient().setPolicy(" Unchanged ");
    KeepaliveSettings s = new KeepaliveSettings(p);
    assertThat(s.policy(KeepaliveIntegration.REDIS))
        .contains(KeepalivePolicy.parse("idle=62s,interval=12s,probes=5,user-timeout=20s"));
    assertThat(s.source(KeepaliveIntegration.REDIS)).contains("keepalive.redis.policy");
    assertThat(s.policy(KeepaliveIntegration.DATASOURCE)).isEmpty();
    assertThat(s.describe(KeepaliveIntegration.DATASOURCE)).isEqualTo("unchanged");
    assertThat(s.source(KeepaliveIntegration.DATASOURCE)).contains("keepalive.datasource.policy");
    assertThat(s.policy(KeepaliveIntegration.REST_CLIENT)).isEmpty();
    assertThat(s.policy(KeepaliveIntegration.SERVER)).contains(KeepalivePolicy.parse(POLICY));
    assertThat(s.inForce()).hasSize(2);
  }

  @Test
  void withNothingConfiguredNoIntegrationHasAPolicy() {
    KeepaliveSettings s = new KeepaliveSettings(new KeepaliveProperties());
    for (KeepaliveIntegration i : KeepaliveIntegration.values()) {
      assertThat(s.policy(i)).isEmpty();
      assertThat(s.describe(i)).isEqualTo("none");
      assertThat(s.source(i)).isEmpty();
    }
    assertThat(s.inForce()).isEmpty();
  }

  @Test
  void anIntegrationPolicyAloneConfiguresOnlyThatIntegration() {
    KeepaliveProperties p = new KeepaliveProperties();
    p.getServer().setPolicy("off");
    KeepaliveSettings s = new KeepaliveSettings(p);
    assertThat(s.policy(KeepaliveIntegration.SERVER)).contains(KeepalivePolicy.disabled());
    assertThat(s.policy(KeepaliveIntegration.WEBCLIENT)).isEmpty();
  }

  @Test
  void aMalformedGlobalPolicyNamesThePropertyValueAndFix() {
    assertThatThrownBy(() -> new KeepaliveSettings(properties("idle=abc,interval=11s,probes=4")))
        .isInstanceOfSatisfying(KeepaliveConfigurationException.class, e -> {
          assertThat(e.property()).isEqualTo("keepalive.policy");
          assertThat(e.value()).isEqualTo("idle=abc,interval=11s,probes=4");
          assertThat(e.integration()).isEqualTo("every integration without a policy of its own");
          assertThat(e.reason()).startsWith("it is not a keepalive policy: ");
          assertThat(e.fix()).startsWith("Set keepalive.policy to a policy such as"
              + " idle=60s,interval=10s,probes=3");
          assertThat(e).hasCauseInstanceOf(IllegalArgumentException.class);
        });
  }

  @Test
  void aMalformedIntegrationPolicyNamesItsOwnProperty() {
    KeepaliveProperties p = properties(POLICY);
    p.getWebclient().setPolicy("idle=61s,interval=11s");
    assertThatThrownBy(() -> new KeepaliveSettings(p))
        .isInstanceOfSatisfying(KeepaliveConfigurationException.class, e -> {
          assertThat(e.property()).isEqualTo("keepalive.webclient.policy");
          assertThat(e.integration()).isEqualTo("WebClient (Boot's WebClient.Builder)");
          assertThat(e.fix()).startsWith("Set keepalive.webclient.policy to a policy");
        });
  }

  @Test
  void anEmptyPolicyIsMalformedNotIgnored() {
    assertThatThrownBy(() -> new KeepaliveSettings(properties("")))
        .isInstanceOf(KeepaliveConfigurationException.class)
        .hasMessageStartingWith("keepalive.policy= cannot be used for every integration");
  }

  @Test
  void aPolicyBeyondTheKernelsLimitsFailsBeforeAnySocket() {
    assertThatThrownBy(() -> new KeepaliveSettings(properties("idle=40000s,interval=11s,probes=4")))
        .isInstanceOfSatisfying(KeepaliveConfigurationException.class, e -> {
          assertThat(e.reason()).startsWith("this platform's kernel cannot take it: idle 40000s");
          assertThat(e.fix()).contains("idle at most 32767s");
        });
  }

  @Test
  void aUserTimeoutOnJdkSocketsFailsNamingTheIntegrationsOwnPropertyAsTheFix() {
    KeepaliveSettings s = new KeepaliveSettings(properties(POLICY + ",user-timeout=5s"));
    assertThatThrownBy(() -> s.forJdkSockets(KeepaliveIntegration.DATASOURCE, "HikariCP"))
        .isInstanceOfSatisfying(KeepaliveConfigurationException.class, e -> {
          assertThat(e.property()).isEqualTo("keepalive.policy");
          assertThat(e.value()).isEqualTo(POLICY + ",user-timeout=5s");
          assertThat(e.integration()).isEqualTo("the DataSource (HikariCP) on HikariCP");
          assertThat(e.reason()).startsWith("TCP_USER_TIMEOUT (userTimeout) cannot be set on JDK");
          assertThat(e.fix()).isEqualTo("Set keepalive.datasource.policy=" + POLICY
              + " (the same policy without the user timeout), or keepalive-agent for this"
              + " integration's sockets. keepalive.policy keeps the user timeout for the"
              + " integrations that can set it.");
        });
    // Netty's native transports take it.
    assertThat(s.forNetty(KeepaliveIntegration.REDIS, "Lettuce", true))
        .contains(KeepalivePolicy.parse(POLICY + ",user-timeout=5s"));
  }

  @Test
  void aUserTimeoutOnNettyNioFailsNamingTheTransport() {
    KeepaliveProperties p = properties(POLICY);
    p.getRedis().setPolicy(POLICY + ",user-timeout=5s");
    KeepaliveSettings s = new KeepaliveSettings(p);
    assertThatThrownBy(() -> s.forNetty(KeepaliveIntegration.REDIS, "Lettuce", false))
        .isInstanceOfSatisfying(KeepaliveConfigurationException.class, e -> {
          assertThat(e.property()).isEqualTo("keepalive.redis.policy");
          assertThat(e.integration()).isEqualTo("Redis (Lettuce) on Lettuce over Netty NIO");
          assertThat(e.reason()).contains("Netty NIO").contains("epoll");
          assertThat(e.fix()).startsWith("Set keepalive.redis.policy=" + POLICY + " ");
        });
  }

  @Test
  void theNettyTransportIsAskedOnlyForAPolicyWithAUserTimeout() {
    KeepaliveProperties p = properties(POLICY);
    p.getRedis().setPolicy(POLICY + ",user-timeout=5s");
    KeepaliveSettings s = new KeepaliveSettings(p);
    // Finding the transport loads Netty's native one: a policy without a user timeout needs none.
    assertThat(s.forNetty(KeepaliveIntegration.SERVER, "Reactor Netty", () -> {
      throw new AssertionError("the transport was asked for a policy without a user timeout");
    })).contains(KeepalivePolicy.parse(POLICY));
    int[] asked = {0};
    assertThat(s.forNetty(KeepaliveIntegration.REDIS, "Lettuce", () -> ++asked[0] > 0))
        .contains(KeepalivePolicy.parse(POLICY + ",user-timeout=5s"));
    assertThat(asked[0]).isEqualTo(1);
  }

  @Test
  void unchangedAndAbsentPoliciesNeedNoCheck() {
    KeepaliveProperties p = properties("unchanged");
    KeepaliveSettings s = new KeepaliveSettings(p);
    assertThat(s.forJdkSockets(KeepaliveIntegration.DATASOURCE, "HikariCP")).isEmpty();
    assertThat(s.forNetty(KeepaliveIntegration.SERVER, "Reactor Netty", false)).isEmpty();
  }
}
