package dev.keepalive.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The algorithm itself, on a socket simulated in memory: the rules every adapter inherits. The
 * adapters' own tests (keepalive-jdk's and keepalive-netty's contract and failure-injection tests)
 * prove the same rules on real kernels.
 */
class KeepaliveApplierTest {

  /** A socket as a kernel would keep it: one value per option, calls recorded. */
  static final class FakeSocket {
    final Map<KeepaliveOption, Integer> values = new EnumMap<>(KeepaliveOption.class);
    final Set<KeepaliveOption> missing = EnumSet.noneOf(KeepaliveOption.class);
    final Set<KeepaliveOption> refused = EnumSet.noneOf(KeepaliveOption.class);
    final Set<KeepaliveOption> unreadable = EnumSet.noneOf(KeepaliveOption.class);
    final List<String> calls = new ArrayList<>();
    boolean closed;

    FakeSocket() {
      values.put(KeepaliveOption.SO_KEEPALIVE, 1);
      values.put(KeepaliveOption.TCP_KEEPIDLE, 100);
      values.put(KeepaliveOption.TCP_KEEPINTERVAL, 20);
      values.put(KeepaliveOption.TCP_KEEPCOUNT, 5);
      values.put(KeepaliveOption.TCP_USER_TIMEOUT, 0);
    }
  }

  static final class Access implements SocketOptionAccess<FakeSocket, IOException> {
    @Override
    public String unsupported(FakeSocket s, KeepaliveOption option) {
      return s.missing.contains(option) ? "the fake has no " + option : null;
    }

    @Override
    public String platform(FakeSocket s) {
      return "fake";
    }

    @Override
    public int read(FakeSocket s, KeepaliveOption option) throws IOException {
      if (s.closed) {
        throw new IOException("closed");
      }
      s.calls.add("read " + option);
      if (s.unreadable.contains(option)) {
        throw new IOException("cannot read " + option);
      }
      return s.values.get(option);
    }

    @Override
    public void write(FakeSocket s, KeepaliveOption option, int value) throws IOException {
      if (s.closed) {
        throw new IOException("closed"); // touches nothing, as the contract says
      }
      s.calls.add(option + "=" + value);
      if (s.refused.contains(option)) {
        throw new IOException("refused " + option + "=" + value);
      }
      s.values.put(option, value);
    }

    @Override
    public boolean isClosed(FakeSocket s) {
      return s.closed;
    }

    @Override
    public IOException closed(FakeSocket s, Exception cause) {
      return new IOException("socket is closed", cause);
    }
  }

  private static final Access ACCESS = new Access();
  private static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(7777, 30, 6);

  @Test
  void setsTheTuningOptionsThenSwitchesKeepaliveOn() throws IOException {
    FakeSocket s = new FakeSocket();
    s.values.put(KeepaliveOption.SO_KEEPALIVE, 0);
    assertSame(ApplyReport.allApplied(POLICY), KeepaliveApplier.apply(ACCESS, s, POLICY,
        ApplyMode.STRICT));
    assertEquals(List.of("read TCP_USER_TIMEOUT", "TCP_KEEPIDLE=7777", "TCP_KEEPINTERVAL=30",
        "TCP_KEEPCOUNT=6", "SO_KEEPALIVE=1"), s.calls, "no user timeout in force: none written");
    assertEquals(POLICY, KeepaliveApplier.inspect(ACCESS, s));
  }

  @Test
  void aPolicyWithoutUserTimeoutClearsOneInForceInEveryMode() throws IOException {
    // Regression (issue 16, items 7 and 8): an old user timeout (or a childOption's) stayed in
    // force, unseen, after applying a policy without one.
    for (ApplyMode mode : ApplyMode.values()) {
      FakeSocket s = new FakeSocket();
      s.values.put(KeepaliveOption.TCP_USER_TIMEOUT, 5000);
      ApplyReport report = KeepaliveApplier.apply(ACCESS, s, POLICY, mode);
      assertTrue(report.fullyApplied(), mode + ": " + report);
      assertEquals(0, s.values.get(KeepaliveOption.TCP_USER_TIMEOUT), mode.name());
      List<String> writes = s.calls.stream().filter(c -> !c.startsWith("read "))
          .collect(java.util.stream.Collectors.toList());
      assertEquals(List.of("TCP_KEEPIDLE=7777", "TCP_KEEPINTERVAL=30", "TCP_KEEPCOUNT=6",
          "TCP_USER_TIMEOUT=0", "SO_KEEPALIVE=1"), writes, mode.name());
      assertEquals(POLICY, KeepaliveApplier.inspect(ACCESS, s), mode.name());
    }
  }

  @Test
  void offClearsAUserTimeoutAndInspectNeverHidesOne() throws IOException {
    FakeSocket s = new FakeSocket();
    s.values.put(KeepaliveOption.TCP_USER_TIMEOUT, 5000);
    s.values.put(KeepaliveOption.SO_KEEPALIVE, 0);
    KeepalivePolicy offWithUserTimeout = KeepalivePolicy.disabled()
        .withUserTimeout(Duration.ofMillis(5000));
    assertEquals(offWithUserTimeout, KeepaliveApplier.inspect(ACCESS, s),
        "keepalive off does not hide the user timeout in force");
    KeepaliveApplier.apply(ACCESS, s, KeepalivePolicy.disabled(), ApplyMode.STRICT);
    assertEquals(KeepalivePolicy.disabled(), KeepaliveApplier.inspect(ACCESS, s));
    KeepaliveApplier.apply(ACCESS, s, offWithUserTimeout, ApplyMode.STRICT);
    assertEquals(offWithUserTimeout, KeepaliveApplier.inspect(ACCESS, s));
  }

  @Test
  void aSocketThatCannotSetAUserTimeoutIsNeitherReadNorCleared() throws IOException {
    FakeSocket s = new FakeSocket();
    s.missing.add(KeepaliveOption.TCP_USER_TIMEOUT);
    KeepaliveApplier.apply(ACCESS, s, POLICY, ApplyMode.STRICT);
    assertEquals(List.of("TCP_KEEPIDLE=7777", "TCP_KEEPINTERVAL=30", "TCP_KEEPCOUNT=6",
        "SO_KEEPALIVE=1"), s.calls);
  }

  @Test
  void aUserTimeoutThatCannotBeReadToClearIsAFailureNeverSilence() throws IOException {
    FakeSocket strict = new FakeSocket();
    strict.unreadable.add(KeepaliveOption.TCP_USER_TIMEOUT);
    assertEquals("cannot read TCP_USER_TIMEOUT", assertThrows(IOException.class,
        () -> KeepaliveApplier.apply(ACCESS, strict, POLICY, ApplyMode.STRICT)).getMessage());
    assertEquals(List.of("read TCP_USER_TIMEOUT"), strict.calls, "nothing set");

    FakeSocket lenient = new FakeSocket();
    lenient.unreadable.add(KeepaliveOption.TCP_USER_TIMEOUT);
    ApplyReport report = KeepaliveApplier.apply(ACCESS, lenient, POLICY, ApplyMode.LENIENT);
    assertEquals(Set.of(KeepaliveOption.TCP_USER_TIMEOUT), report.notApplied());
    assertEquals("TCP_USER_TIMEOUT=none FAILED: could not read TCP_USER_TIMEOUT to clear one in"
        + " force: cannot read TCP_USER_TIMEOUT", report.entries().get(0).toString());
    assertEquals(5, report.entries().size(), report.toString());
  }

  @Test
  void strictRefusedFirstCallLeavesTheSocketAsItWas() {
    FakeSocket s = new FakeSocket();
    s.refused.add(KeepaliveOption.TCP_KEEPIDLE);
    assertThrows(IOException.class, () -> KeepaliveApplier.apply(ACCESS, s, POLICY,
        ApplyMode.STRICT));
    assertEquals(List.of("read TCP_USER_TIMEOUT", "TCP_KEEPIDLE=7777"), s.calls,
        "nothing to undo");
  }

  @Test
  void strictRefusedLaterCallSwitchesKeepaliveOff() throws IOException {
    FakeSocket s = new FakeSocket();
    s.refused.add(KeepaliveOption.TCP_KEEPCOUNT);
    assertThrows(IOException.class, () -> KeepaliveApplier.apply(ACCESS, s, POLICY,
        ApplyMode.STRICT));
    assertEquals(KeepalivePolicy.disabled(), KeepaliveApplier.inspect(ACCESS, s));
  }

  @Test
  void transactionalRestoresNewestFirst() throws IOException {
    FakeSocket s = new FakeSocket();
    s.refused.add(KeepaliveOption.TCP_KEEPCOUNT);
    assertThrows(IOException.class, () -> KeepaliveApplier.apply(ACCESS, s, POLICY,
        ApplyMode.TRANSACTIONAL));
    assertEquals(List.of("TCP_KEEPINTERVAL=20", "TCP_KEEPIDLE=100"),
        s.calls.subList(s.calls.size() - 2, s.calls.size()));
    assertEquals(KeepalivePolicy.ofSeconds(100, 20, 5), KeepaliveApplier.inspect(ACCESS, s));
  }

  @Test
  void unsupportedOptionIsRefusedBeforeAnyCallInStrictAndReportedInLenient() throws IOException {
    FakeSocket s = new FakeSocket();
    s.missing.add(KeepaliveOption.TCP_USER_TIMEOUT);
    KeepalivePolicy withUserTimeout = POLICY.withUserTimeout(Duration.ofSeconds(9));
    UnsupportedKeepaliveOptionException e = assertThrows(UnsupportedKeepaliveOptionException.class,
        () -> KeepaliveApplier.apply(ACCESS, s, withUserTimeout, ApplyMode.STRICT));
    assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
    assertEquals(List.of(), s.calls);

    ApplyReport report = KeepaliveApplier.apply(ACCESS, s, withUserTimeout, ApplyMode.LENIENT);
    assertEquals(Set.of(KeepaliveOption.TCP_USER_TIMEOUT), report.notApplied());
    assertEquals(List.of(ApplyReport.Status.APPLIED, ApplyReport.Status.APPLIED,
        ApplyReport.Status.APPLIED, ApplyReport.Status.NOT_SUPPORTED, ApplyReport.Status.APPLIED),
        report.entries().stream().map(ApplyReport.Entry::status).collect(
            java.util.stream.Collectors.toList()));
    assertEquals("the fake has no TCP_USER_TIMEOUT", report.entries().get(3).detail());
  }

  @Test
  void closedSocketIsTheClosedExceptionInEveryMode() {
    for (ApplyMode mode : ApplyMode.values()) {
      FakeSocket s = new FakeSocket();
      s.closed = true;
      assertEquals("socket is closed", assertThrows(IOException.class,
          () -> KeepaliveApplier.apply(ACCESS, s, POLICY, mode)).getMessage(), mode.name());
      assertEquals(List.of(), s.calls, mode.name());
    }
  }

  @Test
  void inspectReadsAPositiveUserTimeoutAndTreatsZeroAsNone() throws IOException {
    FakeSocket s = new FakeSocket();
    assertEquals(KeepalivePolicy.ofSeconds(100, 20, 5), KeepaliveApplier.inspect(ACCESS, s));
    s.values.put(KeepaliveOption.TCP_USER_TIMEOUT, 1500);
    assertEquals(KeepalivePolicy.ofSeconds(100, 20, 5).withUserTimeout(Duration.ofMillis(1500)),
        KeepaliveApplier.inspect(ACCESS, s));
  }

  @Test
  void inspectOfASocketWithoutKeepaliveOptionsIsTheTypedException() {
    FakeSocket s = new FakeSocket();
    s.missing.add(KeepaliveOption.SO_KEEPALIVE);
    UnsupportedKeepaliveOptionException e = assertThrows(UnsupportedKeepaliveOptionException.class,
        () -> KeepaliveApplier.inspect(ACCESS, s));
    assertEquals("SO_KEEPALIVE", e.option().name());
    assertTrue(e.getMessage().contains("cannot read it back: the fake has no SO_KEEPALIVE"),
        e::getMessage);
  }

  @Test
  void beyondThePlatformsLimitsIsRefusedBeforeTheSocketIsTouched() {
    FakeSocket s = new FakeSocket();
    assertThrows(IllegalArgumentException.class, () -> KeepaliveApplier.apply(ACCESS, s,
        KeepalivePolicy.ofSeconds(Integer.MAX_VALUE, 30, 6), ApplyMode.LENIENT));
    assertEquals(List.of(), s.calls);
  }
}
