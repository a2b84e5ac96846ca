package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keepalive.KeepalivePolicy;
import org.junit.jupiter.api.Test;

/** timeLeft() follows tcp_keepalive_timer (net/ipv4/tcp_timer.c) for every case it has. */
class TimeLeftTest {

  private static final KeepalivePolicy P = KeepalivePolicy.ofSeconds(60, 10, 3);

  private static long left(KeepalivePolicy p, int state, int userTimeout, long since) {
    return SocketKeepalive.timeLeftMillis(p, state, userTimeout, since);
  }

  @Test
  void withoutUserTimeoutTheDeadlineIsIdlePlusProbesTimesInterval() {
    assertEquals(90_000, left(P, SocketKeepalive.ESTABLISHED, 0, 0));
    assertEquals(28_500, left(P, SocketKeepalive.ESTABLISHED, 0, 61_500));
  }

  @Test
  void neverBelowZero() {
    assertEquals(0, left(P, SocketKeepalive.ESTABLISHED, 0, 95_000));
  }

  @Test
  void aUserTimeoutBelowIdleKillsAtTheSecondTimerRunOneProbeOut() {
    // elapsed >= user timeout and probes_out > 0: first true at idle + 1 × interval.
    assertEquals(70_000, left(P, SocketKeepalive.ESTABLISHED, 30_000, 0));
    assertEquals(70_000, left(P, SocketKeepalive.ESTABLISHED, 1, 0));
  }

  @Test
  void aUserTimeoutReplacesTheProbeCountRoundedUpToATimerRun() {
    // Runs at 60, 70, 80, 90, 100 s: the first at or past 95 s is 100 s (4 probes, not 3).
    assertEquals(100_000, left(P, SocketKeepalive.ESTABLISHED, 95_000, 0));
    assertEquals(90_000, left(P, SocketKeepalive.ESTABLISHED, 90_000, 0));
    assertEquals(200_000, left(P, SocketKeepalive.ESTABLISHED, 200_000, 0));
  }

  @Test
  void noTimerWithKeepaliveOffOrInStatesWhereItDoesNotRun() {
    assertEquals(-1, left(KeepalivePolicy.disabled(), SocketKeepalive.ESTABLISHED, 0, 0));
    assertEquals(-1, left(P, SocketKeepalive.LISTEN, 0, 0));
    assertEquals(-1, left(P, SocketKeepalive.CLOSE, 0, 0));
    assertEquals(-1, left(P, SocketKeepalive.SYN_SENT, 0, 0));
    assertEquals(90_000, left(P, 8 /* CLOSE_WAIT */, 0, 0));
  }
}
