package dev.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    assertEquals("cannot parse keepalive policy at index 48: expected a duration for user-timeout "
        + "such as 90s, 1500ms, 2m, 1h or PT1M30S (a unit is required), found end of value",
        error("idle=90s,interval=15s,probes=2,user-timeout=1500"));
  }

  @Test
  void offMeansDisabled() {
    assertSame(KeepalivePolicy.disabled(), KeepalivePolicy.parse("off"));
    assertSame(KeepalivePolicy.disabled(), KeepalivePolicy.parse("  OFF\n"));
  }

  @Test
  void offTakesAUserTimeoutAndNothingElse() {
    KeepalivePolicy off = KeepalivePolicy.disabled().withUserTimeout(Duration.ofSeconds(5));
    assertEquals(off, KeepalivePolicy.parse("off,user-timeout=5s"));
    assertEquals(off, KeepalivePolicy.parse("user-timeout=5000ms, Off"));
    assertEquals("cannot parse keepalive policy at index 9: expected only a user-timeout beside"
        + " off, found idle (keepalive is off: it has no idle)", error("off,idle=1s"));
    assertEquals("cannot parse keepalive policy at index 4: expected off once, found off again"
        + " (first given at index 0)", error("off,off"));
  }

  @Test
  void errorsNameTheUserTimeoutAsTheParserSpellsIt() {
    // Regression (issue 16, item 11): the messages named userTimeout, a key the parser refuses.
    String zero = error("idle=90s,interval=15s,probes=2,user-timeout=0s");
    assertTrue(zero.startsWith("user-timeout must be positive, was PT0S"), zero);
    assertTrue(zero.endsWith("(at index 44)"), zero);
    String twice = error("idle=90s,interval=15s,probes=2,user-timeout=1s,user_timeout=2s");
    assertTrue(twice.contains("found user-timeout again"), twice);
    assertFalse(error("off,user-timeout=0ms").contains("userTimeout"));
  }

  @Test
  void toStringRoundTrips() {
    for (KeepalivePolicy p : new KeepalivePolicy[] {KeepalivePolicy.linuxDefaults(),
        KeepalivePolicy.disabled(), P90.withUserTimeout(Duration.ofMillis(1)),
        KeepalivePolicy.disabled().withUserTimeout(Duration.ofMillis(1500)),
        P90.withUserTimeout(Duration.ofHours(2)), KeepalivePolicy.ofSeconds(Integer.MAX_VALUE,
            Integer.MAX_VALUE, Integer.MAX_VALUE)}) {
      assertEquals(p, KeepalivePolicy.parse(p.toString()));
    }
  }

  /** Issue 13: Duration.parse reads -PT-90S and PT+90S as 90 s; ISO-8601 has no sign in a duration. */
  @Test
  void isoDurationsTakeNoSignAnywhere() {
    String leading = "expected an ISO-8601 duration such as PT1M30S or PT0.5S (without a sign), found ";
    assertEquals("cannot parse keepalive policy at index 5: " + leading + "'-'",
        error("idle=-PT-90S,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 5: " + leading + "'-'",
        error("idle=-PT90S,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 5: " + leading + "'+'",
        error("idle=+PT90S,interval=15s,probes=2"));
    String inside = "expected a number of hours, minutes or seconds (an ISO-8601 duration takes no "
        + "sign), found ";
    assertEquals("cannot parse keepalive policy at index 7: " + inside + "'+'",
        error("idle=PT+90S,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 7: " + inside + "'-'",
        error("idle=PT-90S,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 9: " + inside + "'-'",
        error("idle=PT1H-30M,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 6: expected a number of days or T (an "
        + "ISO-8601 duration takes no sign), found '-'", error("idle=P-1DT90S,interval=15s,probes=2"));
    // Minus zero was a user timeout of 0 before.
    assertEquals("cannot parse keepalive policy at index 44: " + leading + "'-'",
        error("idle=90s,interval=15s,probes=2,user-timeout=-PT0S"));
  }

  /** Issue 13: Duration.parse reads PT90.S as 90 s; ISO-8601 wants a digit after the point. */
  @Test
  void isoFractionNeedsDigitsOnBothSidesOfThePoint() {
    assertEquals("cannot parse keepalive policy at index 10: expected a digit after the decimal "
        + "point, found 'S'", error("idle=PT90.S,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 48: expected a digit after the decimal "
        + "point, found 'S'", error("idle=90s,interval=15s,probes=2,user-timeout=PT1.S"));
    assertEquals("cannot parse keepalive policy at index 7: expected a number of hours, minutes or "
        + "seconds, found '.'", error("idle=PT.5S,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 57: expected at most 9 digits after the "
        + "decimal point (nanoseconds), found '1'",
        error("idle=90s,interval=15s,probes=2,user-timeout=PT0.1234567891S"));
    assertEquals("cannot parse keepalive policy at index 10: expected S (only seconds take a "
        + "fraction), found 'M'", error("idle=PT1.5M,interval=15s,probes=2"));
    assertEquals(P90.withUserTimeout(Duration.ofMillis(1500)),
        KeepalivePolicy.parse("idle=PT1M30.0S,interval=PT15.000000000S,probes=2,user-timeout=PT1.5S"));
  }

  /** ISO-8601 allows a decimal comma; here the comma ends the entry, so say so where it stands. */
  @Test
  void isoDecimalCommaIsRefusedWhereItStands() {
    assertEquals("cannot parse keepalive policy at index 9: expected a decimal point '.' (a comma "
        + "separates entries), found ','", error("idle=PT90,5S,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 9: expected H, M or S after \"90\", found "
        + "end of value", error("idle=PT90,interval=15s,probes=2"));
  }

  @Test
  void isoStructureErrorsArePositioned() {
    assertEquals("cannot parse keepalive policy at index 10: expected D, H, M and S each at most "
        + "once and in that order, found 'H'", error("idle=PT1H1H,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 10: expected D, H, M and S each at most "
        + "once and in that order, found 'H'", error("idle=PT1M1H,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 10: expected end of value after the "
        + "seconds, found '2'", error("idle=PT90S2,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 9: expected a number of hours, minutes or "
        + "seconds after T, found end of value", error("idle=P1DT,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 6: expected a number of days or T after "
        + "P, found end of value", error("idle=P,interval=15s,probes=2"));
    assertEquals("cannot parse keepalive policy at index 7: expected D (or T before hours, minutes "
        + "and seconds), found 'W'", error("idle=P1W,interval=15s,probes=2"));
    assertTrue(error("idle=PT9999999999999999999S,interval=15s,probes=2").startsWith(
        "cannot parse keepalive policy at index 7: expected an ISO-8601 duration such as PT1M30S"
            + " or PT0.5S, found \"PT9999999999999999999S\", which is out of range"));
    assertEquals("cannot parse keepalive policy at index 9: expected H, M or S, found character "
        + "U+017F", error("idle=PT90\u017f,interval=15s,probes=2"));
    assertEquals(KeepalivePolicy.ofSeconds(86_400 + 90, 15, 2),
        KeepalivePolicy.parse("idle=p1dt1m30s,interval=pT15s,probes=2"));
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
