package dev.keepalive.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.KeepaliveCounters;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.Keepalive;
import dev.keepalive.micrometer.internal.AuditBridge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The meters without Spring: a plain {@link SimpleMeterRegistry}. */
class KeepaliveMetricsTest {

  private static final KeepalivePolicy POLICY = KeepalivePolicy.parse("idle=61s,interval=11s,probes=4");

  @Test
  void everyIgnoredOverrideOptionIsRegisteredAtZeroAndCountsWhatThePinsRecord() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new KeepaliveMetrics().bindTo(registry);
    Set<String> options = new TreeSet<>();
    for (Meter m : registry.find("keepalive.overrides.ignored").meters()) {
      options.add(m.getId().getTag("option"));
    }
    assertEquals(Set.of("SO_KEEPALIVE", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT",
        "TCP_USER_TIMEOUT"), options);
    double before = registry.get("keepalive.overrides.ignored").tag("option", "TCP_KEEPIDLE")
        .functionCounter().count();
    assertEquals((double) KeepaliveCounters.ignoredOverrides(KeepaliveOption.TCP_KEEPIDLE), before);
    KeepaliveCounters.recordIgnoredOverride(KeepaliveOption.TCP_KEEPIDLE);
    assertEquals(before + 1, registry.get("keepalive.overrides.ignored")
        .tag("option", "TCP_KEEPIDLE").functionCounter().count());
    assertEquals((double) KeepaliveCounters.heartbeatTimeouts(),
        registry.get("keepalive.heartbeat.timeouts").functionCounter().count());
  }

  @Test
  void withoutTheAgentThereAreNoAgentMeters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new KeepaliveMetrics().bindTo(registry);
    assertNull(registry.find("keepalive.agent.connections").meter());
  }

  @Test
  void theExpectedPoliciesAreAValueWithoutDuplicates() {
    KeepaliveMetrics metrics = new KeepaliveMetrics(List.of(POLICY, POLICY,
        KeepalivePolicy.disabled()));
    assertEquals(List.of(POLICY, KeepalivePolicy.disabled()), metrics.expected());
    assertThrows(NullPointerException.class, () -> new KeepaliveMetrics(null));
    assertThrows(NullPointerException.class, () -> metrics.bindTo(null));
  }

  @Test
  void connectionsByStateOnJava22WithTheAudit() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new KeepaliveMetrics(List.of(POLICY)).bindTo(registry);
    if (AuditBridge.unavailable().isPresent()) {
      assertNull(registry.find("keepalive.connections").meter(),
          AuditBridge.unavailable().get());
      assertTrue(Runtime.version().feature() < 22
          || AuditBridge.unavailable().get().contains("not on the class path"));
      return;
    }
    double policyBefore = registry.get("keepalive.connections").tag("state", "policy").gauge()
        .value();
    double offBefore = registry.get("keepalive.connections").tag("state", "off").gauge().value();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket()) {
      Keepalive.apply(client, POLICY);
      client.connect(server.getLocalSocketAddress());
      try (Socket accepted = server.accept()) {
        assertTrue(accepted.isConnected());
        Thread.sleep(1_100);
        // The client holds the policy, the accepted end has keepalive off.
        assertEquals(policyBefore + 1, registry.get("keepalive.connections")
            .tag("state", "policy").gauge().value());
        assertEquals(offBefore + 1, registry.get("keepalive.connections").tag("state", "off")
            .gauge().value());
      }
    }
  }
}
