package dev.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeepalivePolicyTest {

  private static IllegalArgumentException illegal(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run);
  }

  @ParameterizedTest(name = "{0}/{1}/{2} -> {3}s")
  @CsvSource({
      "7200, 75, 9, 7875", // the Linux defaults: 2 h 11 min 15 s (seed 001)
      "90, 15, 2, 120", // seed 003's worked example
      "10, 5, 3, 25", // seed 000's sysctl.conf experiment
      "1, 1, 1, 2",
  })
  void detectionDeadlineIsIdlePlusIntervalTimesProbes(long idle, long interval, int probes,
      long deadline) {
    assertEquals(Duration.ofSeconds(deadline),
        KeepalivePolicy.ofSeconds(idle, interval, probes).detectionDeadline());
  }

  @Test
  void linuxDefaultsAreTheKernelsAndTakeTwoHoursElevenMinutesFifteenSeconds() {
    KeepalivePolicy p = KeepalivePolicy.linuxDefaults();
    assertEquals(Duration.ofHours(2), p.idle());
    assertEquals(Duration.ofSeconds(75), p.interval());
    assertEquals(9, p.probes());
    assertEquals(Duration.ofHours(2).plusMinutes(11).plusSeconds(15), p.detectionDeadline());
  }

  @Test
  void detectionDeadlineNeverOverflows() {
    KeepalivePolicy p = KeepalivePolicy.ofSeconds(Integer.MAX_VALUE, Integer.MAX_VALUE,
        Integer.MAX_VALUE);
    long max = Integer.MAX_VALUE;
    assertEquals(Duration.ofSeconds(max + max * max), p.detectionDeadline());
  }

  @Test
  void rejectsSubSecondIdle() {
    assertEquals("idle must be a whole number of seconds, was PT1.5S",
        illegal(() -> KeepalivePolicy.of(Duration.ofMillis(1500), Duration.ofSeconds(1), 3))
            .getMessage());
  }

  @Test
  void rejectsSubSecondIntervalRatherThanTruncatingToZero() {
    assertEquals("interval must be a whole number of seconds, was PT0.5S",
        illegal(() -> KeepalivePolicy.of(Duration.ofSeconds(1), Duration.ofMillis(500), 3))
            .getMessage());
  }

  @ParameterizedTest(name = "idle {0}s accepted={1}")
  @CsvSource({"-1, false", "0, false", "1, true", "32767, true", "32768, true",
      "2147483647, true", "2147483648, false"})
  void idleBoundaries(long seconds, boolean accepted) {
    Runnable r = () -> KeepalivePolicy.ofSeconds(seconds, 1, 3);
    if (accepted) {
      r.run();
      return;
    }
    String expected = seconds < 1
        ? "idle must be at least 1 second, was " + Duration.ofSeconds(seconds)
        : "idle must be at most 2147483647 seconds, was " + Duration.ofSeconds(seconds);
    assertEquals(expected, illegal(r).getMessage());
  }

  @ParameterizedTest(name = "interval {0}s accepted={1}")
  @CsvSource({"0, false", "1, true", "32767, true", "32768, true", "2147483647, true",
      "2147483648, false"})
  void intervalBoundaries(long seconds, boolean accepted) {
    Runnable r = () -> KeepalivePolicy.ofSeconds(1, seconds, 3);
    if (accepted) {
      assertEquals(seconds, KeepalivePolicy.ofSeconds(1, seconds, 3).intervalSeconds());
    } else {
      assertTrue(illegal(r).getMessage().startsWith("interval must be"));
    }
  }

  @ParameterizedTest(name = "probes {0} accepted={1}")
  @CsvSource({"-1, false", "0, false", "1, true", "127, true", "128, true", "2147483647, true"})
  void probesBoundaries(int probes, boolean accepted) {
    if (accepted) {
      assertEquals(probes, KeepalivePolicy.ofSeconds(1, 1, probes).probes());
    } else {
      assertEquals("probes must be at least 1, was " + probes,
          illegal(() -> KeepalivePolicy.ofSeconds(1, 1, probes)).getMessage());
    }
  }

  @Test
  void nullsAreNamed() {
    assertEquals("idle must not be null", assertThrows(NullPointerException.class,
        () -> KeepalivePolicy.of(null, Duration.ofSeconds(1), 1)).getMessage());
    assertEquals("interval must not be null", assertThrows(NullPointerException.class,
        () -> KeepalivePolicy.of(Duration.ofSeconds(1), null, 1)).getMessage());
    KeepalivePolicy p = KeepalivePolicy.goDefaults();
    assertEquals("idle must not be null",
        assertThrows(NullPointerException.class, () -> p.withIdle(null)).getMessage());
    assertEquals("userTimeout must not be null",
        assertThrows(NullPointerException.class, () -> p.withUserTimeout(null)).getMessage());
    assertEquals("text must not be null",
        assertThrows(NullPointerException.class, () -> KeepalivePolicy.parse(null)).getMessage());
  }

  @Test
  void withersRunTheSameChecksAsTheFactory() {
    KeepalivePolicy p = KeepalivePolicy.goDefaults();
    assertEquals("idle must be a whole number of seconds, was PT1.5S",
        illegal(() -> p.withIdle(Duration.ofMillis(1500))).getMessage());
    assertEquals("interval must be at least 1 second, was PT0S",
        illegal(() -> p.withInterval(Duration.ZERO)).getMessage());
    assertEquals("probes must be at least 1, was 0", illegal(() -> p.withProbes(0)).getMessage());
    assertEquals(KeepalivePolicy.ofSeconds(90, 15, 9),
        p.withIdle(Duration.ofSeconds(90)));
    assertEquals(KeepalivePolicy.ofSeconds(15, 15, 2), p.withProbes(2));
  }

  @Test
  void userTimeoutIsEmptyUnlessAsked() {
    assertEquals(Optional.empty(), KeepalivePolicy.goDefaults().userTimeout());
    assertFalse(KeepalivePolicy.goDefaults().hasUserTimeout());
  }

  @Test
  void userTimeoutHasMillisecondGranularity() {
    KeepalivePolicy p = KeepalivePolicy.goDefaults().withUserTimeout(Duration.ofMillis(1500));
    assertEquals(Optional.of(Duration.ofMillis(1500)), p.userTimeout());
    assertEquals(1500, p.userTimeoutMillis());
    assertEquals("userTimeout must be a whole number of milliseconds, was PT0.0015001S",
        illegal(() -> p.withUserTimeout(Duration.ofNanos(1_500_100))).getMessage());
    assertEquals("userTimeout must be positive, was PT-1S: 0 is the kernel's \"no user timeout\","
        + " which a policy says by having none (withoutUserTimeout())",
        illegal(() -> p.withUserTimeout(Duration.ofSeconds(-1))).getMessage());
    assertTrue(illegal(() -> p.withUserTimeout(Duration.ofMillis(Integer.MAX_VALUE + 1L)))
        .getMessage().startsWith("userTimeout must be at most 2147483647 milliseconds"));
  }

  @Test
  void zeroUserTimeoutIsRefusedBecauseTheKernelReadsItAsNone() {
    KeepalivePolicy p = KeepalivePolicy.goDefaults();
    assertEquals("userTimeout must be positive, was PT0S: 0 is the kernel's \"no user timeout\","
        + " which a policy says by having none (withoutUserTimeout())",
        illegal(() -> p.withUserTimeout(Duration.ZERO)).getMessage());
    assertEquals(1, p.withUserTimeout(Duration.ofMillis(1)).userTimeoutMillis());
    assertTrue(illegal(() -> KeepalivePolicy.parse("idle=90s,interval=15s,probes=2,"
        + "user-timeout=0s")).getMessage().contains("user-timeout must be positive, was PT0S"));
  }

  @Test
  void userTimeoutAtDetectionDeadlineIsTheCommonChoice() {
    KeepalivePolicy p = KeepalivePolicy.ofSeconds(90, 15, 2).withUserTimeoutAtDetectionDeadline();
    assertEquals(Optional.of(Duration.ofSeconds(120)), p.userTimeout());
    assertEquals(KeepalivePolicy.ofSeconds(90, 15, 2), p.withoutUserTimeout());
    assertTrue(illegal(() -> KeepalivePolicy.linuxDefaults().withIdle(Duration.ofSeconds(
        Integer.MAX_VALUE)).withUserTimeoutAtDetectionDeadline()).getMessage()
        .startsWith("userTimeout must be at most"));
  }

  @Test
  void disabledHasNoValues() {
    KeepalivePolicy off = KeepalivePolicy.disabled();
    assertFalse(off.enabled());
    assertEquals("keepalive is disabled (off): there is no idle",
        assertThrows(IllegalStateException.class, off::idle).getMessage());
    assertThrows(IllegalStateException.class, off::detectionDeadline);
    assertThrows(IllegalStateException.class, () -> off.withProbes(3));
    assertEquals(Optional.empty(), off.userTimeout());
    assertSame(off, off.withoutUserTimeout());
  }

  @Test
  void disabledMayCarryAUserTimeoutBecauseTheKernelHoldsOneWithKeepaliveOff() {
    KeepalivePolicy off = KeepalivePolicy.disabled().withUserTimeout(Duration.ofSeconds(5));
    assertFalse(off.enabled());
    assertEquals(5000, off.userTimeoutMillis());
    assertEquals("off,user-timeout=5s", off.toString());
    assertEquals(KeepalivePolicy.disabled(), off.withoutUserTimeout());
    assertNotEquals(KeepalivePolicy.disabled(), off);
    assertThrows(IllegalStateException.class, off::detectionDeadline);
    assertThrows(IllegalStateException.class, off::withUserTimeoutAtDetectionDeadline);
    assertEquals(List.of(KeepaliveOption.TCP_USER_TIMEOUT, KeepaliveOption.SO_KEEPALIVE),
        ApplyReport.optionsOf(off));
    assertEquals(List.of(), PlatformLimits.of(Platform.LINUX).check(off));
    assertEquals(KeepaliveOption.TCP_USER_TIMEOUT,
        PlatformLimits.of(Platform.MACOS).check(off).get(0).option());
  }

  @Test
  void equalityIsByValue() {
    assertEquals(KeepalivePolicy.ofSeconds(7200, 75, 9), KeepalivePolicy.linuxDefaults());
    assertEquals(KeepalivePolicy.ofSeconds(7200, 75, 9).hashCode(),
        KeepalivePolicy.linuxDefaults().hashCode());
    assertNotEquals(KeepalivePolicy.linuxDefaults(),
        KeepalivePolicy.linuxDefaults().withUserTimeout(Duration.ofMillis(1)));
    assertNotEquals(KeepalivePolicy.disabled(), KeepalivePolicy.linuxDefaults());
  }

  @Test
  void toStringIsTheParseableForm() {
    assertEquals("idle=90s,interval=15s,probes=2", KeepalivePolicy.ofSeconds(90, 15, 2).toString());
    assertEquals("idle=90s,interval=15s,probes=2,user-timeout=1500ms",
        KeepalivePolicy.ofSeconds(90, 15, 2).withUserTimeout(Duration.ofMillis(1500)).toString());
    assertEquals("idle=90s,interval=15s,probes=2,user-timeout=120s",
        KeepalivePolicy.ofSeconds(90, 15, 2).withUserTimeoutAtDetectionDeadline().toString());
    assertEquals("off", KeepalivePolicy.disabled().toString());
  }

  @Test
  void keepingAliveThroughAnNlbSendsEveryProbeBeforeTheNlbForgets() {
    KeepalivePolicy p = KeepalivePolicy.keepingAliveThrough(Middlebox.AWS_NLB);
    assertEquals(KeepalivePolicy.ofSeconds(175, 35, 5), p);
    long lastProbe = p.idleSeconds() + (long) p.intervalSeconds() * (p.probes() - 1);
    assertTrue(lastProbe < 350, "last probe at " + lastProbe + "s");
    assertEquals(Duration.ofSeconds(350), p.detectionDeadline());
    assertFalse(Middlebox.AWS_NLB.forgets(p));
    assertTrue(Rfc1122.check(p, Rfc1122.Use.EXPLICIT).isEmpty());
  }

  @Test
  void keepingAliveThroughEveryKnownMiddleboxStaysBelowItsTimeout() {
    for (Middlebox m : Middlebox.values()) {
      KeepalivePolicy p = KeepalivePolicy.keepingAliveThrough(m);
      long lastProbe = p.idleSeconds() + (long) p.intervalSeconds() * (p.probes() - 1);
      assertTrue(lastProbe < m.idleTimeout().getSeconds(), m + ": " + p);
      assertTrue(PlatformLimits.of(Platform.LINUX).check(p).isEmpty(), m + ": " + p);
    }
  }

  @Test
  void keepingAliveThroughRefusesTimeoutsTooShortForWholeSeconds() {
    assertEquals("middleboxIdleTimeout must be at least 10 seconds, was PT9S",
        illegal(() -> KeepalivePolicy.keepingAliveThrough(Duration.ofSeconds(9))).getMessage());
    assertEquals(KeepalivePolicy.ofSeconds(5, 1, 5),
        KeepalivePolicy.keepingAliveThrough(Duration.ofSeconds(10)));
  }

  @ParameterizedTest(name = "within {0}s")
  @CsvSource({"4", "5", "25", "120", "7875", "86400"})
  void detectingWithinMeetsTheDeadlineWithThreeProbes(long seconds) {
    KeepalivePolicy p = KeepalivePolicy.detectingWithin(Duration.ofSeconds(seconds));
    assertEquals(3, p.probes());
    assertTrue(p.detectionDeadline().compareTo(Duration.ofSeconds(seconds)) <= 0, p.toString());
    assertTrue(p.detectionDeadline().getSeconds() >= seconds - 2, p.toString());
  }

  @Test
  void detectingWithinRefusesDeadlinesThatWouldNeedOneProbe() {
    assertEquals("deadline must be at least 4 seconds (idle 1 s + 3 probes 1 s apart), was PT3S",
        illegal(() -> KeepalivePolicy.detectingWithin(Duration.ofSeconds(3))).getMessage());
  }

  @Test
  void goDefaultsAreFifteenFifteenNine() {
    assertEquals(KeepalivePolicy.ofSeconds(15, 15, 9), KeepalivePolicy.goDefaults());
    assertEquals(Duration.ofSeconds(150), KeepalivePolicy.goDefaults().detectionDeadline());
  }
}
