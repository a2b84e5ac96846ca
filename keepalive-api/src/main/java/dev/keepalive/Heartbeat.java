package dev.keepalive;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;

/**
 * An application-level heartbeat with the very semantics of a {@link KeepalivePolicy}: after
 * {@linkplain KeepalivePolicy#idle() idle} with nothing received from the peer, send a ping; send
 * another every {@linkplain KeepalivePolicy#interval() interval} while none is answered; any
 * inbound message counts as an answer (as any segment does for TCP); after {@linkplain
 * KeepalivePolicy#probes() probes} unanswered pings, time out. A dead or hung peer is therefore
 * detected at the policy's {@linkplain KeepalivePolicy#detectionDeadline() detection deadline},
 * counted from the last message received.
 *
 * <p>TCP keepalive is answered by the peer's kernel: it cannot see a peer process that is hung,
 * deadlocked or has stopped reading, and layer-4 proxies and load balancers often answer or swallow
 * the probes themselves. A ping the peer's application must answer sees all of these.
 *
 * <p>This is the state machine alone, shared by the JDK and Netty drivers: it has no thread, no
 * timer and no I/O, and reads no clock. The driver passes the time on every call (any monotonic
 * nanosecond clock, such as {@link System#nanoTime()}, always the same one), tells it of inbound
 * messages with {@link #activity(long)}, calls {@link #poll(long)} when {@link
 * #nanosUntilNextPoll(long)} has passed and does what it answers: send a ping, or declare the peer
 * dead. One scheduled wake-up at a time is enough, and inbound messages never reschedule it, so a
 * busy connection costs one clock read and one memory write per message.
 *
 * <p>Timing: the first ping is due {@code idle} after the last message received; each further
 * ping, and finally the timeout, {@code interval} after the previous ping actually went out. A
 * driver that wakes late (a GC pause, a busy event loop) therefore never declares a peer dead
 * before it had {@code interval} to answer each of {@code probes} pings: the timeout comes at the
 * detection deadline, or later by as much as the driver was late, never earlier (the kernel times
 * its probes the same way). Unlike TCP keepalive's probes, a ping travels over the reliable
 * connection, so a single unanswered ping ({@code probes = 1}) is a meaningful signal here;
 * RFC 1122's rule against judging by one probe is about unacknowledged probes, which a ping is not.
 * The policy's user timeout, if any, is TCP's business and ignored here.
 *
 * <p>Thread safety: {@link #activity(long)}, {@link #lastRoundTripNanos()}, {@link
 * #lastRoundTrip()} and {@link #isTimedOut()} may be called from any thread (activity is a
 * release store and, only when a ping is outstanding, one compare-and-set). {@link #start(long)},
 * {@link #poll(long)}, {@link #nanosUntilNextPoll(long)}, {@link #unansweredPings()} and {@link
 * #timeoutException()} belong to the driver: one thread at a time, each call happening-before the
 * next (an event loop, or one task of a scheduler at a time).
 */
public final class Heartbeat {

  /** What the driver must do after a {@link Heartbeat#poll(long)}. */
  public enum Action {
    /** Nothing yet; poll again after {@link Heartbeat#nanosUntilNextPoll(long)}. */
    WAIT,
    /** Send one ping now, then poll again after {@link Heartbeat#nanosUntilNextPoll(long)}. */
    PING,
    /**
     * The peer left {@code probes} pings unanswered: report {@link Heartbeat#timeoutException()}
     * and close the connection. Final: every later poll answers this again.
     */
    TIME_OUT
  }

  private static final long NO_PING = Long.MIN_VALUE;
  private static final VarHandle LAST_ACTIVITY;
  private static final VarHandle PING_OUTSTANDING;
  private static final VarHandle ROUND_TRIP;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      LAST_ACTIVITY = lookup.findVarHandle(Heartbeat.class, "lastActivity", long.class);
      PING_OUTSTANDING = lookup.findVarHandle(Heartbeat.class, "pingOutstanding", long.class);
      ROUND_TRIP = lookup.findVarHandle(Heartbeat.class, "roundTrip", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final KeepalivePolicy policy;
  private final long idleNanos;
  private final long intervalNanos;
  private final int probes;

  // All times are nanoseconds since start(origin): differences, so they survive a clock that
  // wraps (System.nanoTime may start anywhere, even near Long.MAX_VALUE). Volatile because
  // activity() reads it on threads that may have received this object through a data race; a
  // volatile read costs a plain load on x86.
  private volatile long origin;
  private boolean started;

  // Written by any thread through the VarHandles.
  private volatile long lastActivity;
  /** When the first of the pings nothing has answered yet was sent, or NO_PING. */
  private volatile long pingOutstanding = NO_PING;
  /** From the first unanswered ping to the first message after it; -1 before any answer. */
  private volatile long roundTrip = -1;
  private volatile boolean timedOut;

  // The driver's own.
  private int unanswered;
  private long firstPingAt;
  private long lastPingAt;
  private long nextPollAt;
  private long silenceAtTimeout;

  private Heartbeat(KeepalivePolicy policy) {
    this.policy = policy;
    // At most Integer.MAX_VALUE s = 2.1e18 ns: no overflow, and room to add an elapsed time.
    this.idleNanos = policy.idleSeconds() * 1_000_000_000L;
    this.intervalNanos = policy.intervalSeconds() * 1_000_000_000L;
    this.probes = policy.probes();
  }

  /**
   * A heartbeat for {@code policy}, not started: a driver makes it when it is configured, so a bad
   * policy is refused then, and {@linkplain #start(long) starts} it when the connection is up.
   *
   * @param policy the policy whose idle, interval and probes the heartbeat follows
   * @return a new heartbeat, not started
   * @throws NullPointerException if {@code policy} is null
   * @throws IllegalArgumentException if {@code policy} is {@linkplain KeepalivePolicy#disabled()
   *     disabled}: a heartbeat needs an idle, an interval and probes
   */
  public static Heartbeat of(KeepalivePolicy policy) {
    Checks.requireNonNull(policy, "policy");
    if (!policy.enabled()) {
      throw Checks.illegal("a heartbeat needs an enabled policy with idle, interval and probes, "
          + "was %s", policy);
    }
    return new Heartbeat(policy);
  }

  /**
   * Starts the heartbeat: the connection counts as active at {@code nowNanos}, so the first ping
   * is due {@code idle} later.
   *
   * @param nowNanos the driver's clock
   * @return this heartbeat
   * @throws IllegalStateException if it was started already
   */
  public Heartbeat start(long nowNanos) {
    if (started) {
      throw new IllegalStateException("heartbeat already started");
    }
    origin = nowNanos;
    LAST_ACTIVITY.setRelease(this, 0L);
    nextPollAt = idleNanos;
    started = true;
    return this;
  }

  /**
   * Records that a message (any message, not only a pong) arrived from the peer: the peer is
   * alive. Cheap enough for every read: a release store, plus one compare-and-set when it answers
   * an outstanding ping. Ignored after a timeout.
   *
   * @param nowNanos the driver's clock when the message arrived
   * @return true if this message is the first since the pings went out, that is their answer:
   *     the {@linkplain #lastRoundTrip() round-trip time} has just been updated
   */
  public boolean activity(long nowNanos) {
    long t = nowNanos - origin;
    LAST_ACTIVITY.setRelease(this, t);
    long sentAt = (long) PING_OUTSTANDING.getAcquire(this);
    // A message whose time precedes the ping (its clock was read before the ping went out, on
    // another thread) is life, but not an answer to that ping: leave it outstanding.
    if (sentAt == NO_PING || t < sentAt
        || !PING_OUTSTANDING.compareAndSet(this, sentAt, NO_PING)) {
      return false;
    }
    ROUND_TRIP.setRelease(this, t - sentAt);
    return true;
  }

  /**
   * Says what to do now. Call it when {@link #nanosUntilNextPoll(long)} has passed (earlier calls
   * are harmless and answer {@link Action#WAIT}).
   *
   * @param nowNanos the driver's clock
   * @return {@link Action#PING} to send one ping, {@link Action#TIME_OUT} when {@code probes}
   *     pings went unanswered for {@code interval} each, otherwise {@link Action#WAIT}
   * @throws IllegalStateException if the heartbeat was not started
   */
  public Action poll(long nowNanos) {
    requireStarted();
    if (timedOut) {
      return Action.TIME_OUT;
    }
    long t = nowNanos - origin;
    long last = (long) LAST_ACTIVITY.getAcquire(this);
    if (unanswered > 0
        && ((long) PING_OUTSTANDING.getAcquire(this) == NO_PING || last >= firstPingAt)) {
      // Answered: as TCP does on any segment received, the count starts over and the next ping
      // waits a full idle. The second test catches a message that raced with the ping's stamp.
      unanswered = 0;
      PING_OUTSTANDING.setRelease(this, NO_PING);
    }
    long due = unanswered == 0 ? last + idleNanos : lastPingAt + intervalNanos;
    if (t - due < 0) {
      nextPollAt = due;
      return Action.WAIT;
    }
    if (unanswered >= probes) {
      silenceAtTimeout = t - last;
      // A message arriving now is too late to answer: activity() must not report it as one.
      PING_OUTSTANDING.setRelease(this, NO_PING);
      timedOut = true;
      KeepaliveCounters.recordHeartbeatTimeout();
      return Action.TIME_OUT;
    }
    if (unanswered == 0) {
      // The round trip runs from the first ping the peer has not answered: a peer that answers
      // the first ping after the second went out took that long, not the time since the second.
      firstPingAt = t;
      PING_OUTSTANDING.setVolatile(this, t);
    }
    unanswered++;
    lastPingAt = t;
    nextPollAt = t + intervalNanos;
    return Action.PING;
  }

  /**
   * How long until {@link #poll(long)} has something to decide: the driver schedules its one
   * wake-up this far ahead. Inbound messages may push the real due time later; the poll then
   * answers {@link Action#WAIT} and this gives the new delay.
   *
   * @param nowNanos the driver's clock
   * @return nanoseconds, 0 if a poll is due already
   * @throws IllegalStateException if the heartbeat was not started or has timed out
   */
  public long nanosUntilNextPoll(long nowNanos) {
    requireStarted();
    if (timedOut) {
      throw new IllegalStateException("heartbeat timed out: nothing left to poll for");
    }
    return Math.max(0, nextPollAt - (nowNanos - origin));
  }

  /**
   * The pings sent since the peer last answered.
   *
   * @return 0 … {@code probes}
   */
  public int unansweredPings() {
    return unanswered;
  }

  /**
   * {@link #lastRoundTrip()} without allocating.
   *
   * @return nanoseconds, or -1 if no ping has been answered yet
   */
  public long lastRoundTripNanos() {
    return (long) ROUND_TRIP.getAcquire(this);
  }

  /**
   * The last round-trip time: from the first ping the peer had not answered to the first message
   * received after it. It includes the peer's time to notice and answer the ping, so it measures
   * the peer's application, not only the network; when the answer came after a second ping, it is
   * counted from the first.
   *
   * @return the round-trip time, or empty if no ping has been answered yet
   */
  public Optional<Duration> lastRoundTrip() {
    long nanos = lastRoundTripNanos();
    return nanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(nanos));
  }

  /**
   * Whether {@link #poll(long)} has answered {@link Action#TIME_OUT}.
   *
   * @return true once the peer has been declared dead
   */
  public boolean isTimedOut() {
    return timedOut;
  }

  /**
   * The policy this heartbeat follows.
   *
   * @return the policy
   */
  public KeepalivePolicy policy() {
    return policy;
  }

  /**
   * A new exception describing the timeout, for the driver to report.
   *
   * @return the exception, naming the policy, the pings left unanswered and how long the peer had
   *     been silent
   * @throws IllegalStateException if the heartbeat has not timed out
   */
  public HeartbeatTimeoutException timeoutException() {
    if (!timedOut) {
      throw new IllegalStateException("heartbeat has not timed out");
    }
    return new HeartbeatTimeoutException(policy, unanswered, Duration.ofNanos(silenceAtTimeout));
  }

  private void requireStarted() {
    if (!started) {
      throw new IllegalStateException("heartbeat not started");
    }
  }

  /**
   * The state, for logs.
   *
   * @return e.g. {@code Heartbeat[idle=1s,interval=1s,probes=2; unanswered=1, rtt=-1ns]}
   */
  @Override
  public String toString() {
    return "Heartbeat[" + policy + "; " + (timedOut ? "timed out" : "unanswered=" + unanswered)
        + ", rtt=" + lastRoundTripNanos() + "ns]";
  }
}
