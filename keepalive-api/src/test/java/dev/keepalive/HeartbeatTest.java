package dev.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.Heartbeat.Action;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The heartbeat state machine, on a fake clock: exact times. */
class HeartbeatTest {

  private static final long S = 1_000_000_000L;
  private static final long MS = 1_000_000L;

  /** idle 10 s, interval 3 s, 4 probes: detection deadline 22 s. */
  private final KeepalivePolicy policy = KeepalivePolicy.ofSeconds(10, 3, 4);

  /** Polls the way a driver does, at each wake-up it asks for, until it must act. */
  private static final class Driver {
    final Heartbeat heartbeat;
    long now;

    Driver(Heartbeat heartbeat, long start) {
      this.heartbeat = heartbeat.start(start);
      this.now = start;
    }

    /** Sleeps until the next wake-up (but not past {@code limit}) and polls; WAIT at the limit. */
    Action step(long limit) {
      long wake = now + heartbeat.nanosUntilNextPoll(now);
      if (wake - limit > 0) {
        now = limit;
        return Action.WAIT;
      }
      now = wake;
      return heartbeat.poll(now);
    }

    /** Steps until something other than WAIT or the limit; the times of every ping on the way. */
    Action runUntilActionOrLimit(long limit, List<Long> pingTimes) {
      while (now - limit < 0) {
        Action a = step(limit);
        if (a == Action.PING) {
          pingTimes.add(now);
        } else if (a == Action.TIME_OUT) {
          return a;
        }
      }
      return Action.WAIT;
    }
  }

  @Test
  void silentPeerGetsProbesPingsIntervalApartAndTimesOutAtTheDetectionDeadline() {
    Driver d = new Driver(Heartbeat.of(policy), 0);
    List<Long> pings = new ArrayList<>();

    assertEquals(Action.TIME_OUT, d.runUntilActionOrLimit(60 * S, pings));

    assertEquals(List.of(10 * S, 13 * S, 16 * S, 19 * S), pings);
    assertEquals(policy.detectionDeadline().toNanos(), d.now);
    assertEquals(22 * S, d.now);
    assertEquals(4, d.heartbeat.unansweredPings());
    assertTrue(d.heartbeat.isTimedOut());
  }

  @Test
  void doesNotTimeOutOneNanosecondBeforeTheDeadline() {
    Heartbeat h = Heartbeat.of(policy).start(0);
    for (long t : new long[] {10 * S, 13 * S, 16 * S, 19 * S}) {
      assertEquals(Action.PING, h.poll(t));
    }
    assertEquals(Action.WAIT, h.poll(22 * S - 1));
    assertEquals(1, h.nanosUntilNextPoll(22 * S - 1));
    assertFalse(h.isTimedOut());
    assertEquals(Action.TIME_OUT, h.poll(22 * S));
  }

  @Test
  void firstPingIsDueIdleAfterStart() {
    Heartbeat h = Heartbeat.of(policy).start(5 * S);
    assertEquals(10 * S, h.nanosUntilNextPoll(5 * S));
    assertEquals(Action.WAIT, h.poll(15 * S - 1));
    assertEquals(Action.PING, h.poll(15 * S));
    assertEquals(1, h.unansweredPings());
  }

  @Test
  void chattyPeerNeverTriggersAPing() {
    Driver d = new Driver(Heartbeat.of(policy), 0);
    // A message every 9.999 s, just inside idle, for 1000 s.
    for (long t = 0; t < 1000 * S; t += 9_999 * MS) {
      d.heartbeat.activity(t);
      Action a = d.step(t + 9_999 * MS);
      assertEquals(Action.WAIT, a, "at " + d.now);
    }
    assertEquals(0, d.heartbeat.unansweredPings());
    assertEquals(Optional.empty(), d.heartbeat.lastRoundTrip());
  }

  @Test
  void inboundMessagesDoNotMoveTheWakeUpOnlyThePollsAnswer() {
    Heartbeat h = Heartbeat.of(policy).start(0);
    h.activity(4 * S);
    // The driver's wake-up stays where it was (no rescheduling per message) ...
    assertEquals(10 * S, h.nanosUntilNextPoll(0));
    // ... and the poll at that wake-up moves it to idle after the last message.
    assertEquals(Action.WAIT, h.poll(10 * S));
    assertEquals(4 * S, h.nanosUntilNextPoll(10 * S));
    assertEquals(Action.PING, h.poll(14 * S));
  }

  @Test
  void pingAnsweredLateButWithinTheIntervalKeepsTheConnection() {
    Heartbeat h = Heartbeat.of(policy).start(0);
    assertEquals(Action.PING, h.poll(10 * S));
    assertTrue(h.activity(13 * S - 1), "the first message after the ping answers it");
    assertEquals(Action.WAIT, h.poll(13 * S));
    assertEquals(0, h.unansweredPings());
    assertEquals(Optional.of(Duration.ofNanos(3 * S - 1)), h.lastRoundTrip());
    // The next ping waits a full idle after the answer.
    assertEquals(10 * S - 1, h.nanosUntilNextPoll(13 * S));
    assertEquals(Action.PING, h.poll(23 * S - 1));
  }

  @Test
  void answerAfterTheLastPingButBeforeTheDeadlineKeepsTheConnection() {
    Heartbeat h = Heartbeat.of(policy).start(0);
    for (long t : new long[] {10 * S, 13 * S, 16 * S, 19 * S}) {
      assertEquals(Action.PING, h.poll(t));
    }
    assertTrue(h.activity(22 * S - 1));
    assertEquals(Action.WAIT, h.poll(22 * S));
    assertFalse(h.isTimedOut());
    assertEquals(12 * S - 1, h.lastRoundTripNanos(), "counted from the first unanswered ping");
    // Counting starts over: a silent peer now gets four fresh pings.
    assertEquals(Action.PING, h.poll(32 * S - 1));
    assertEquals(1, h.unansweredPings());
  }

  @Test
  void anyMessageCountsAsTheAnswerAndTheRoundTripIsToTheFirstOne() {
    Heartbeat h = Heartbeat.of(policy).start(0);
    assertEquals(Action.PING, h.poll(10 * S));
    assertTrue(h.activity(10 * S + 300 * MS));
    assertFalse(h.activity(10 * S + 900 * MS), "only the first message answers the ping");
    assertEquals(300 * MS, h.lastRoundTripNanos());
  }

  @Test
  void roundTripCountsFromTheFirstUnansweredPing() {
    Heartbeat h = Heartbeat.of(policy).start(0);
    assertEquals(Action.PING, h.poll(10 * S));
    assertEquals(Action.PING, h.poll(13 * S));
    assertTrue(h.activity(14 * S));
    assertEquals(4 * S, h.lastRoundTripNanos());
    assertEquals(Action.WAIT, h.poll(16 * S));
    assertEquals(Action.PING, h.poll(24 * S));
    assertTrue(h.activity(24 * S + 7 * MS));
    assertEquals(7 * MS, h.lastRoundTripNanos());
  }

  @Test
  void messageTimedBeforeThePingIsLifeButNotItsAnswer() {
    Heartbeat h = Heartbeat.of(policy).start(0);
    assertEquals(Action.PING, h.poll(10 * S));
    // Another thread read its clock just before the ping went out and reports the message now.
    assertFalse(h.activity(10 * S - 1));
    assertEquals(-1, h.lastRoundTripNanos());
    assertEquals(Action.PING, h.poll(13 * S));
    assertEquals(2, h.unansweredPings());
  }

  @Test
  void driverWakingLateSendsOnePingAndGivesThePeerAFullInterval() {
    Heartbeat h = Heartbeat.of(policy).start(0);
    // Paused for 100 s, far past the deadline: the peer never had a chance to answer anything.
    assertEquals(Action.PING, h.poll(100 * S));
    assertEquals(1, h.unansweredPings());
    assertEquals(3 * S, h.nanosUntilNextPoll(100 * S));
    assertEquals(Action.PING, h.poll(103 * S));
    assertEquals(Action.PING, h.poll(106 * S));
    assertEquals(Action.PING, h.poll(109 * S));
    assertEquals(Action.WAIT, h.poll(112 * S - 1));
    assertEquals(Action.TIME_OUT, h.poll(112 * S));
    assertEquals(Duration.ofSeconds(112), h.timeoutException().silence());
  }

  @Test
  void earlyPollIsHarmless() {
    Heartbeat h = Heartbeat.of(policy).start(0);
    for (long t = 0; t < 10 * S; t += S) {
      assertEquals(Action.WAIT, h.poll(t));
    }
    assertEquals(Action.PING, h.poll(10 * S));
    assertEquals(Action.WAIT, h.poll(11 * S));
    assertEquals(1, h.unansweredPings());
  }

  @Test
  void timeoutIsFinalAndLateMessagesAreNotAnswers() {
    Heartbeat h = Heartbeat.of(KeepalivePolicy.ofSeconds(1, 1, 1)).start(0);
    assertEquals(Action.PING, h.poll(S));
    assertEquals(Action.TIME_OUT, h.poll(2 * S));
    assertFalse(h.activity(2 * S + 1));
    assertEquals(Action.TIME_OUT, h.poll(3 * S));
    assertEquals(-1, h.lastRoundTripNanos());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> h.nanosUntilNextPoll(3 * S));
    assertEquals("heartbeat timed out: nothing left to poll for", e.getMessage());
  }

  @Test
  void onePingIsAllowedBecauseAPingIsDeliveredReliably() {
    Driver d = new Driver(Heartbeat.of(KeepalivePolicy.ofSeconds(5, 2, 1)), 0);
    List<Long> pings = new ArrayList<>();
    assertEquals(Action.TIME_OUT, d.runUntilActionOrLimit(60 * S, pings));
    assertEquals(List.of(5 * S), pings);
    assertEquals(7 * S, d.now);
  }

  @Test
  void survivesAClockThatWrapsAroundLongMaxValue() {
    long start = Long.MAX_VALUE - 12 * S;
    Driver d = new Driver(Heartbeat.of(policy), start);
    List<Long> pings = new ArrayList<>();
    assertEquals(Action.TIME_OUT, d.runUntilActionOrLimit(start + 60 * S, pings));
    assertEquals(List.of(start + 10 * S, start + 13 * S, start + 16 * S, start + 19 * S), pings);
    assertEquals(start + 22 * S, d.now);
  }

  @Test
  void timeoutExceptionNamesThePolicyThePingsAndTheSilence() {
    Heartbeat h = Heartbeat.of(policy).start(0);
    assertThrows(IllegalStateException.class, h::timeoutException);
    for (long t : new long[] {10 * S, 13 * S, 16 * S, 19 * S}) {
      h.poll(t);
    }
    h.poll(22 * S + 5 * MS);
    HeartbeatTimeoutException e = h.timeoutException();
    assertEquals("peer silent for 22.005 s after 4 unanswered heartbeat pings "
        + "(policy idle=10s,interval=3s,probes=4; detection deadline 22 s)", e.getMessage());
    assertEquals(policy, e.policy());
    assertEquals(4, e.unansweredPings());
    assertEquals(Duration.ofMillis(22_005), e.silence());
  }

  @Test
  void refusesADisabledPolicy() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Heartbeat.of(KeepalivePolicy.disabled()));
    assertEquals("a heartbeat needs an enabled policy with idle, interval and probes, was off",
        e.getMessage());
  }

  @Test
  void refusesANullPolicy() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> Heartbeat.of(null));
    assertEquals("policy must not be null", e.getMessage());
  }

  @Test
  void mustBeStartedOnceBeforePolling() {
    Heartbeat h = Heartbeat.of(policy);
    assertEquals("heartbeat not started",
        assertThrows(IllegalStateException.class, () -> h.poll(0)).getMessage());
    assertThrows(IllegalStateException.class, () -> h.nanosUntilNextPoll(0));
    h.start(0);
    assertEquals("heartbeat already started",
        assertThrows(IllegalStateException.class, () -> h.start(1)).getMessage());
  }

  @Test
  void timeoutExceptionRefusesNonsense() {
    assertEquals("unansweredPings must be at least 1, was 0",
        assertThrows(IllegalArgumentException.class,
            () -> new HeartbeatTimeoutException(policy, 0, Duration.ZERO)).getMessage());
    assertEquals("silence must not be negative, was PT-1S",
        assertThrows(IllegalArgumentException.class,
            () -> new HeartbeatTimeoutException(policy, 1, Duration.ofSeconds(-1))).getMessage());
    assertEquals("policy must not be null",
        assertThrows(NullPointerException.class,
            () -> new HeartbeatTimeoutException(null, 1, Duration.ZERO)).getMessage());
  }

  @Test
  void activityReportedFromOtherThreadsIsSeenByThePoll() throws Exception {
    // Readers on 4 threads report messages stamped with a shared fake clock; the driver advances
    // the clock 1 ms at a time and polls once a reader has reported that time. Every report must
    // be visible to the poll, so with messages every 1 ms and idle 1 s no ping is ever due.
    AtomicLong clock = new AtomicLong();
    AtomicLong reported = new AtomicLong(-1);
    Heartbeat h = Heartbeat.of(KeepalivePolicy.ofSeconds(1, 1, 1)).start(0);
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> readers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Thread r = new Thread(() -> {
        while (!stop.get()) {
          long t = clock.get();
          h.activity(t);
          reported.accumulateAndGet(t, Math::max);
        }
      });
      r.setDaemon(true);
      r.start();
      readers.add(r);
    }
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try {
      for (long now = MS; now <= 20 * S; now += MS) {
        clock.set(now);
        while (reported.get() < now) {
          assertTrue(System.nanoTime() - giveUp < 0, "readers stalled");
          Thread.onSpinWait();
        }
        assertEquals(Action.WAIT, h.poll(now), "at " + now);
      }
    } finally {
      stop.set(true);
      for (Thread r : readers) {
        r.join(10_000);
      }
    }
    assertEquals(0, h.unansweredPings());
  }
}
