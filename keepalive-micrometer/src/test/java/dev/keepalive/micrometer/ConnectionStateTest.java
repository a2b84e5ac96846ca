package dev.keepalive.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.micrometer.internal.ConnectionState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a connection's keepalive is counted. */
class ConnectionStateTest {

  private static final KeepalivePolicy POLICY = KeepalivePolicy.parse("idle=61s,interval=11s,probes=4");
  private static final Optional<KeepalivePolicy> DEFAULTS =
      Optional.of(KeepalivePolicy.linuxDefaults());

  @Test
  void offIsOffWhateverIsExpected() {
    assertEquals(ConnectionState.OFF, ConnectionState.of(KeepalivePolicy.disabled(),
        List.of(KeepalivePolicy.disabled()), DEFAULTS));
  }

  @Test
  void theExpectedPolicyExactlyIsPolicy() {
    assertEquals(ConnectionState.POLICY, ConnectionState.of(POLICY, List.of(POLICY), DEFAULTS));
    assertEquals(ConnectionState.MISMATCH, ConnectionState.of(
        POLICY.withUserTimeout(Duration.ofSeconds(5)), List.of(POLICY), DEFAULTS));
  }

  @Test
  void theNamespaceDefaultsAreKernelDefaultEvenWithAUserTimeout() {
    assertEquals(ConnectionState.KERNEL_DEFAULT, ConnectionState.of(
        KeepalivePolicy.linuxDefaults().withUserTimeout(Duration.ofSeconds(5)), List.of(POLICY),
        DEFAULTS));
    assertEquals(ConnectionState.POLICY, ConnectionState.of(KeepalivePolicy.linuxDefaults(),
        List.of(KeepalivePolicy.linuxDefaults()), DEFAULTS));
  }

  @Test
  void aClientsOwnValuesAreAMismatchOnlyWhenAPolicyIsExpected() {
    KeepalivePolicy httpClient5 = KeepalivePolicy.ofSeconds(5, 5, 3);
    assertEquals(ConnectionState.MISMATCH, ConnectionState.of(httpClient5, List.of(POLICY),
        DEFAULTS));
    assertEquals(ConnectionState.POLICY, ConnectionState.of(httpClient5, List.of(), DEFAULTS));
    assertEquals(ConnectionState.POLICY, ConnectionState.of(KeepalivePolicy.linuxDefaults(),
        List.of(), Optional.empty()));
  }

  @Test
  void tagsAreTheLowerCaseNames() {
    assertEquals("kernel_default", ConnectionState.KERNEL_DEFAULT.tag());
  }
}
