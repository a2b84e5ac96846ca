package dev.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformLimitsTest {

  private static final PlatformLimits LINUX = PlatformLimits.of(Platform.LINUX);

  @ParameterizedTest(name = "Linux idle {0}s fits={1}")
  @CsvSource({"1, true", "32767, true", "32768, false", "40000, false", "2147483647, false"})
  void linuxIdleLimitIsMaxTcpKeepidle(long idle, boolean fits) {
    assertEquals(fits, LINUX.check(KeepalivePolicy.ofSeconds(idle, 1, 3)).isEmpty());
  }

  @ParameterizedTest(name = "Linux interval {0}s fits={1}")
  @CsvSource({"1, true", "32767, true", "32768, false"})
  void linuxIntervalLimitIsMaxTcpKeepintvl(long interval, boolean fits) {
    assertEquals(fits, LINUX.check(KeepalivePolicy.ofSeconds(1, interval, 3)).isEmpty());
  }

  @ParameterizedTest(name = "Linux probes {0} fits={1}")
  @CsvSource({"1, true", "127, true", "128, false", "200, false"})
  void linuxProbesLimitIsMaxTcpKeepcnt(int probes, boolean fits) {
    assertEquals(fits, LINUX.check(KeepalivePolicy.ofSeconds(1, 1, probes)).isEmpty());
  }

  @Test
  void requireSupportedNamesFieldValueLimitAndOption() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LINUX.requireSupported(KeepalivePolicy.ofSeconds(40000, 15, 200)));
    assertEquals("idle 40000s is beyond Linux's limit: at most 32767s (TCP_KEEPIDLE); "
        + "probes 200 is beyond Linux's limit: at most 127 (TCP_KEEPCNT) "
        + "in idle=40000s,interval=15s,probes=200", e.getMessage());
  }

  @Test
  void violationsCarryOptionValueAndLimit() {
    List<PlatformLimits.Violation> v = LINUX.check(KeepalivePolicy.ofSeconds(1, 40000, 3));
    assertEquals(1, v.size());
    assertEquals(KeepaliveOption.TCP_KEEPINTERVAL, v.get(0).option());
    assertEquals("40000s", v.get(0).value());
    assertEquals("at most 32767s", v.get(0).limit());
    assertEquals(Platform.LINUX, v.get(0).platform());
  }

  @Test
  void userTimeoutExistsOnlyOnLinux() {
    KeepalivePolicy p = KeepalivePolicy.goDefaults().withUserTimeout(Duration.ofSeconds(30));
    assertTrue(LINUX.check(p).isEmpty());
    assertEquals("userTimeout 30000ms is beyond macOS's limit: not available on macOS "
        + "(TCP_USER_TIMEOUT)", PlatformLimits.of(Platform.MACOS).check(p).get(0).message());
    assertEquals(1, PlatformLimits.of(Platform.WINDOWS).check(p).size());
  }

  @Test
  void windowsAllowsAtMost255Probes() {
    PlatformLimits windows = PlatformLimits.of(Platform.WINDOWS);
    assertTrue(windows.check(KeepalivePolicy.ofSeconds(40000, 1, 255)).isEmpty());
    assertEquals(KeepaliveOption.TCP_KEEPCOUNT,
        windows.check(KeepalivePolicy.ofSeconds(1, 1, 256)).get(0).option());
  }

  @Test
  void macOsTakesWhatItsMillisecondTimersHold() {
    PlatformLimits mac = PlatformLimits.of(Platform.MACOS);
    assertTrue(mac.check(KeepalivePolicy.ofSeconds(4294967, 4294967, 1000)).isEmpty());
    assertEquals(2, mac.check(KeepalivePolicy.ofSeconds(4294968, 4294968, 3)).size());
  }

  @Test
  void disabledFitsEverywhere() {
    for (Platform p : Platform.values()) {
      assertTrue(p.limits().check(KeepalivePolicy.disabled()).isEmpty());
    }
  }

  @Test
  void platformComesFromOsName() {
    assertSame(Platform.LINUX, Platform.fromOsName("Linux"));
    assertSame(Platform.MACOS, Platform.fromOsName("Mac OS X"));
    assertSame(Platform.WINDOWS, Platform.fromOsName("Windows Server 2022"));
    assertSame(Platform.OTHER, Platform.fromOsName("FreeBSD"));
  }
}
