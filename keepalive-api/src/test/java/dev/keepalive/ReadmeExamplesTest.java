package dev.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's "Using the policy" and "Presets" examples, line for line, with their claimed results. */
class ReadmeExamplesTest {

  @Test
  void usingThePolicy() {
    KeepalivePolicy policy = KeepalivePolicy.of(Duration.ofSeconds(90), Duration.ofSeconds(15), 2);
    assertEquals(Duration.ofMinutes(2), policy.detectionDeadline());
    assertEquals("idle=90s,interval=15s,probes=2", policy.toString());
    assertTrue(KeepalivePolicy.parse("idle=90s,interval=15s,probes=2").equals(policy));

    assertEquals(policy, KeepalivePolicy.parse("time=90,intvl=15,count=2"));
    assertEquals(policy, KeepalivePolicy.parse("net.ipv4.tcp_keepalive_time = 90\n"
        + "net.ipv4.tcp_keepalive_intvl = 15\n"
        + "net.ipv4.tcp_keepalive_probes = 2"));

    assertEquals("idle must be a whole number of seconds, was PT1.5S",
        assertThrows(IllegalArgumentException.class, () -> KeepalivePolicy.of(
            Duration.ofMillis(1500), Duration.ofSeconds(15), 2)).getMessage());
    assertEquals("cannot parse keepalive policy at index 21: expected probes, count or "
        + "net.ipv4.tcp_keepalive_probes, found no probes given",
        assertThrows(IllegalArgumentException.class,
            () -> KeepalivePolicy.parse("idle=90s,interval=15s")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> PlatformLimits.of(Platform.LINUX).requireSupported(
            KeepalivePolicy.ofSeconds(40000, 15, 2))).getMessage()
        .startsWith("idle 40000s is beyond Linux's limit: at most 32767s (TCP_KEEPIDLE) in "));
  }

  @Test
  void presets() {
    assertEquals(Duration.ofSeconds(7875), KeepalivePolicy.linuxDefaults().detectionDeadline());
    assertEquals(Duration.ofSeconds(150), KeepalivePolicy.goDefaults().detectionDeadline());
    assertEquals(KeepalivePolicy.ofSeconds(175, 35, 5),
        KeepalivePolicy.keepingAliveThrough(Middlebox.AWS_NLB));
    assertEquals(KeepalivePolicy.ofSeconds(84, 12, 3),
        KeepalivePolicy.detectingWithin(Duration.ofMinutes(2)));
    assertEquals(Duration.ofSeconds(120), KeepalivePolicy.detectingWithin(Duration.ofMinutes(2))
        .detectionDeadline());
  }
}
