package dev.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.Rfc1122.Rule;
import dev.keepalive.Rfc1122.Use;
import dev.keepalive.Rfc1122.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

class Rfc1122Test {

  @Test
  void offIsCompliantForEveryUse() {
    assertTrue(Rfc1122.check(KeepalivePolicy.disabled(), Use.DEFAULT).isEmpty());
    assertTrue(Rfc1122.check(KeepalivePolicy.disabled(), Use.EXPLICIT).isEmpty());
  }

  @Test
  void aDefaultMustBeOff() {
    List<Violation> v = Rfc1122.check(KeepalivePolicy.linuxDefaults(), Use.DEFAULT);
    assertEquals(1, v.size());
    assertSame(Rule.MUST_DEFAULT_TO_OFF, v.get(0).rule());
    assertEquals("enabled=true", v.get(0).value());
    assertTrue(v.get(0).requirement().endsWith("and they MUST default to off."));
  }

  @Test
  void aDefaultIdleBelowTwoHoursViolates() {
    List<Violation> v = Rfc1122.check(KeepalivePolicy.ofSeconds(7199, 75, 9), Use.DEFAULT);
    assertEquals(2, v.size());
    assertSame(Rule.DEFAULT_IDLE_AT_LEAST_TWO_HOURS, v.get(1).rule());
    assertEquals("idle=7199s", v.get(1).value());
    assertEquals("This interval MUST be configurable and MUST default to no less than two hours.",
        v.get(1).requirement());
  }

  @Test
  void anExplicitShortIdleIsTheApplicationsRight() {
    assertTrue(Rfc1122.check(KeepalivePolicy.ofSeconds(90, 15, 2), Use.EXPLICIT).isEmpty());
  }

  @Test
  void oneProbeViolatesRfc1122ForEveryUse() {
    for (Use use : Use.values()) {
      List<Violation> v = Rfc1122.check(KeepalivePolicy.ofSeconds(7200, 75, 1), use);
      Violation last = v.get(v.size() - 1);
      assertSame(Rule.NO_DEATH_ON_ONE_PROBE, last.rule());
      assertEquals("probes=1", last.value());
      assertTrue(last.requirement().contains("MUST NOT interpret failure to respond to any specific"
          + " probe as a dead connection"));
    }
  }

  @Test
  void strictCallThrowsWithEveryViolation() {
    Rfc1122.ViolationException e = assertThrows(Rfc1122.ViolationException.class,
        () -> Rfc1122.requireCompliant(KeepalivePolicy.ofSeconds(90, 15, 1), Use.DEFAULT));
    assertEquals(3, e.violations().size());
    assertTrue(e.getMessage().startsWith("policy idle=90s,interval=15s,probes=1 used as DEFAULT "
        + "breaks RFC 1122: enabled=true violates RFC 1122 §4.2.3.6 MUST_DEFAULT_TO_OFF"),
        e.getMessage());
    assertTrue(e instanceof IllegalArgumentException);
    KeepalivePolicy ok = KeepalivePolicy.ofSeconds(90, 15, 2);
    assertSame(ok, Rfc1122.requireCompliant(ok, Use.EXPLICIT));
  }
}
