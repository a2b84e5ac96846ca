package dev.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyParserTest {

  private static final KeepalivePolicy P90 = KeepalivePolicy.ofSeconds(90, 15, 2);

  private static String error(String text) {
    return assertThrows(IllegalArgumentException.class, () -> KeepalivePolicy.parse(text))
        .getMessage();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "idle=90s,interval=15s,probes=2",
      "time=90s,intvl=15s,count=2",
      "idle=90,interval=15,probes=2",
      "  idle = 90s , interval = 15s , probes = 2  ",
      "idle=90s\ninterval=15s\nprobes=2\n",
      "idle=90s\r\ninterval=15s\r\nprobes=2\r\n",
      "probes=2,interval=15s,idle=90s",
      "idle=PT1M30S,interval=PT15S,probes=2",
      "idle=90000ms,interval=15000ms,probes=2",
      "IDLE=90S,Interval=15S,PROBES=2",
      "net.ipv4.tcp_keepalive_time = 90\nnet.ipv4.tcp_keepalive_intvl = 15\n"
          + "net.ipv4.tcp_keepalive_probes = 2",
      "# /etc/sysctl.d/99-keepalive.conf\n\nnet/ipv4/tcp_keepalive_time=90\n"
          + "; comment\nnet.ipv4.tcp_keepalive_intvl=15\nnet.ipv4.tcp_keepalive_probes=2\n",
  })
  void readsEveryDocumentedForm(String text) {
    assertEquals(P90, KeepalivePolicy.parse(text));
  }

  @Test
  void unitsMinutesAndHours() {
    assertEquals(KeepalivePolicy.linuxDefaults(),
        KeepalivePolicy.parse("idle=2h,interval=75s,probes=9"));
    assertEquals(KeepalivePolicy.ofSeconds(120, 60, 3),
        KeepalivePolicy.parse("idle=2m,interval=1m,probes=3"));
  }

  @Test
  void userTimeoutNeedsAUnit() {
    assertEquals(P90.withUserTimeout(Duration.ofMillis(1500)),
        KeepalivePolicy.parse("idle=90s,interval=15s,probes=2,user-timeout=1500ms"));
    assertEquals(P90.withUserTimeout(Duration.ofMinutes(2)),
        KeepalivePolicy.parse("idle=90s,interval=15s,probes=2,user_timeout=2m"));
    assertEquals("cannot parse keepalive policy at index 48: expected a duration for userTimeout "
        + "such as 90s, 1500ms, 2m, 1h or PT1M30S (a unit is required), found end of value",
        error("idle=90s,interval=15s,probes=2,user-timeout=1500"));
  }

  @Test
  void offMeansDisabled() {
    assertSame(KeepalivePolicy.disabled(), KeepalivePolicy.parse("off"));
    assertSame(KeepalivePolicy.disabled(), KeepalivePolicy.parse("  OFF\n"));
  }

  @Test
  void toStringRoundTrips() {
    for (KeepalivePolicy p : new KeepalivePolicy[] {KeepalivePolicy.linuxDefaults(),
        KeepalivePolicy.disabled(), P90.withUserTimeout(Duration.ofMillis(1)),
        P90.withUserTimeout(Duration.ofHours(2)), KeepalivePolicy.ofSeconds(Integer.MAX_VALUE,
            Integer.MAX_VALUE, Integer.MAX_VALUE)}) {
      assertEquals(p, KeepalivePolicy.parse(p.toString()));
    }
  }

  @Test
  void subSecondIdleGetsThePolicysMessageWithAPosition() {
    assertEquals("idle must be a whole number of seconds, was PT1.5S (at index 5)",
        error("idle=1500ms,interval=15s,probes=2"));
  }

  @Test
  void outOfRangeValuesPointAtTheValue() {
    assertEquals("probes must be at least 1, was 0 (at index 29)",
        error("idle=90s,interval=15s,probes=0"));
    assertEquals("interval must be at least 1 second, was PT0S (at index 18)",
        error("idle=90s,interval=0s,probes=2"));
  }

  @Test
  void missingFieldIsAnError() {
    assertEquals("cannot parse keepalive policy at index 21: expected probes, count or "
        + "net.ipv4.tcp_keepalive_probes, found no probes given", error("idle=90s,interval=15s"));
  }

  @Test
  void duplicateKeyIsAnErrorUnderAnyOfItsNames() {
    assertEquals("cannot parse keepalive policy at index 9: expected each key once, found idle "
        + "again (first given at index 5)", error("idle=90s,time=90s,interval=15s,probes=2"));
  }

  @Test
  void unknownKeyNamesTheKnownOnes() {
    assertTrue(error("idle=90s,interval=15s,retries=2").startsWith(
        "cannot parse keepalive policy at index 22: expected a key: idle (time), interval (intvl),"
            + " probes (count), user-timeout, or net.ipv4.tcp_keepalive_{time,intvl,probes}, "
            + "found \"retries\""));
  }

  @Test
  void malformedInputsSayWhereAndWhatWasExpected() {
    assertEquals("cannot parse keepalive policy at index 2: expected a policy such as "
        + "idle=90s,interval=15s,probes=2, or off, found empty text", error("  "));
    assertEquals("cannot parse keepalive policy at index 4: expected '=' after \"idle\", found ':'",
        error("idle:90s,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 7: expected a unit ms, s, m or h, found "
        + "\"d\"", error("idle=90d,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 9: expected a key such as idle, interval "
        + "or probes, found an empty entry", error("idle=90s,,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 30: expected a whole number of probes "
        + "such as 9, found '.'", error("idle=90s,interval=15s,probes=2.5"));
    assertEquals("cannot parse keepalive policy at index 7: expected end of the value for idle "
        + "(a separator is ',' or a new line), found white space", error("idle=90 s,interval=15s,probes=2"));
  }

  @Test
  void hugeNumbersAreRefusedNotWrapped() {
    assertTrue(error("idle=99999999999999999999s,interval=1s,probes=2")
        .startsWith("cannot parse keepalive policy at index 5: expected a smaller idle"));
    assertEquals("idle must be at most 2147483647 seconds, was PT2562047788015215H30M (at index 5)",
        error("idle=153722867280912930m,interval=1s,probes=2"));
  }

  @Test
  void twoMegabytesAreRefusedInMilliseconds() {
    String huge = "idle=" + "9".repeat(2_000_000);
    String message = assertTimeoutPreemptively(Duration.ofMillis(500), () -> error(huge));
    assertEquals("policy text is too long: 2000005 characters, at most 8192 expected (at index 8192)",
        message);
  }

  @Test
  void longestAcceptedInputParsesInLinearTime() {
    // Just under the cap, all comment lines: the scanner must not go quadratic.
    String text = ("#" + "x".repeat(98) + "\n").repeat(80) + "idle=90s,interval=15s,probes=2";
    assertTrue(text.length() <= PolicyParser.MAX_LENGTH);
    assertEquals(P90, assertTimeoutPreemptively(Duration.ofMillis(500),
        () -> KeepalivePolicy.parse(text)));
  }
}
