package dev.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.ApplyReport.Status;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApplyReportTest {

  @Test
  void keepaliveIsSwitchedOnLastSoAFailurePartWayNeverLeavesHalfAPolicyRunning() {
    assertEquals(List.of(KeepaliveOption.TCP_KEEPIDLE, KeepaliveOption.TCP_KEEPINTERVAL,
        KeepaliveOption.TCP_KEEPCOUNT, KeepaliveOption.SO_KEEPALIVE),
        ApplyReport.optionsOf(KeepalivePolicy.goDefaults()));
    assertEquals(List.of(KeepaliveOption.TCP_KEEPIDLE, KeepaliveOption.TCP_KEEPINTERVAL,
        KeepaliveOption.TCP_KEEPCOUNT, KeepaliveOption.TCP_USER_TIMEOUT,
        KeepaliveOption.SO_KEEPALIVE), ApplyReport.optionsOf(
            KeepalivePolicy.goDefaults().withUserTimeout(Duration.ofSeconds(1))));
    assertEquals(List.of(KeepaliveOption.SO_KEEPALIVE),
        ApplyReport.optionsOf(KeepalivePolicy.disabled()));
  }

  @Test
  void optionOrderIsSharedSoAdaptersNeedNoCopyOfIt() {
    assertSame(ApplyReport.optionsOf(KeepalivePolicy.goDefaults()),
        ApplyReport.optionsOf(KeepalivePolicy.linuxDefaults()));
    assertSame(ApplyReport.optionsOf(KeepalivePolicy.goDefaults().withUserTimeout(Duration.ofMillis(1))),
        ApplyReport.optionsOf(KeepalivePolicy.linuxDefaults().withUserTimeout(Duration.ofSeconds(9))));
  }

  @Test
  void allAppliedIsMadeOncePerPolicy() {
    KeepalivePolicy p = KeepalivePolicy.ofSeconds(90, 15, 2);
    ApplyReport r = ApplyReport.allApplied(p);
    assertSame(r, ApplyReport.allApplied(p));
    assertTrue(r.fullyApplied());
    assertTrue(r.notApplied().isEmpty());
    assertEquals("idle=90s,interval=15s,probes=2: applied\n  TCP_KEEPIDLE=90s APPLIED\n"
        + "  TCP_KEEPINTERVAL=15s APPLIED\n  TCP_KEEPCOUNT=2 APPLIED\n  SO_KEEPALIVE=on APPLIED",
        r.toString());
  }

  @Test
  void partialReportListsWhatDidNotTake() {
    KeepalivePolicy p = KeepalivePolicy.ofSeconds(90, 15, 2).withUserTimeout(Duration.ofSeconds(5));
    ApplyReport r = ApplyReport.builder(p)
        .applied(KeepaliveOption.TCP_KEEPIDLE)
        .applied(KeepaliveOption.TCP_KEEPINTERVAL)
        .failed(KeepaliveOption.TCP_KEEPCOUNT, "Invalid argument")
        .notSupported(KeepaliveOption.TCP_USER_TIMEOUT, "the JDK has no TCP_USER_TIMEOUT")
        .applied(KeepaliveOption.SO_KEEPALIVE)
        .build();
    assertFalse(r.fullyApplied());
    assertEquals(Set.of(KeepaliveOption.TCP_KEEPCOUNT, KeepaliveOption.TCP_USER_TIMEOUT),
        r.notApplied());
    assertEquals(Status.NOT_SUPPORTED, r.status(KeepaliveOption.TCP_USER_TIMEOUT));
    assertEquals("TCP_USER_TIMEOUT=5000ms NOT_SUPPORTED: the JDK has no TCP_USER_TIMEOUT",
        r.entries().get(3).toString());
    assertNull(ApplyReport.allApplied(KeepalivePolicy.disabled())
        .status(KeepaliveOption.TCP_KEEPIDLE));
  }

  @Test
  void unsupportedOptionExceptionNamesOptionAndPlatform() {
    UnsupportedKeepaliveOptionException e = new UnsupportedKeepaliveOptionException(
        KeepaliveOption.TCP_USER_TIMEOUT, "JDK 17 on Linux", "the JDK has no TCP_USER_TIMEOUT");
    assertEquals("TCP_USER_TIMEOUT (userTimeout) cannot be set on JDK 17 on Linux: the JDK has no "
        + "TCP_USER_TIMEOUT", e.getMessage());
    assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
    assertEquals("JDK 17 on Linux", e.platform());
  }
}
