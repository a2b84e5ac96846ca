package dev.keepalive;

import java.time.Duration;
import java.util.Optional;

/**
 * A TCP keepalive policy: after {@linkplain #idle() idle} with nothing received from the peer, the
 * kernel sends a probe, repeats it every {@linkplain #interval() interval}, and declares the peer
 * dead after {@linkplain #probes() probes} unanswered probes. A silent peer is therefore detected at
 * the {@linkplain #detectionDeadline() detection deadline} idle + interval × probes (the Linux
 * defaults 7200 s + 75 s × 9 = 7875 s, 2 h 11 min 15 s).
 *
 * <p>Immutable and thread-safe. Every factory, wither and {@link #parse(String)} run the same
 * checks: idle and interval are whole seconds in 1 … {@link Integer#MAX_VALUE}, probes is at least
 * 1, a user timeout is whole milliseconds in 0 … {@link Integer#MAX_VALUE}. What a particular
 * kernel accepts is narrower; see {@link PlatformLimits}. Whether a policy is wise is a separate
 * question; see {@link Rfc1122}.
 *
 * <p>{@link #toString()} prints the form {@link #parse(String)} reads, so
 * {@code parse(p.toString()).equals(p)} for every policy.
 */
public final class KeepalivePolicy {

  private static final KeepalivePolicy DISABLED = new KeepalivePolicy(false, 0, 0, 0, -1);
  private static final KeepalivePolicy LINUX_DEFAULTS = new KeepalivePolicy(true, 7200, 75, 9, -1);
  private static final KeepalivePolicy GO_DEFAULTS = new KeepalivePolicy(true, 15, 15, 9, -1);

  private final boolean enabled;
  private final int idleSeconds;
  private final int intervalSeconds;
  private final int probes;
  /** -1 when no user timeout was asked for. */
  private final int userTimeoutMillis;

  /** The report of an apply in which every option took; made once per policy (see ApplyReport). */
  ApplyReport allApplied;

  private KeepalivePolicy(boolean enabled, int idleSeconds, int intervalSeconds, int probes,
      int userTimeoutMillis) {
    this.enabled = enabled;
    this.idleSeconds = idleSeconds;
    this.intervalSeconds = intervalSeconds;
    this.probes = probes;
    this.userTimeoutMillis = userTimeoutMillis;
  }

  /**
   * An enabled policy.
   *
   * @param idle time with nothing received before the first probe; whole seconds, at least 1 s
   * @param interval time between unanswered probes; whole seconds, at least 1 s
   * @param probes unanswered probes before the peer is declared dead; at least 1
   * @return the policy
   * @throws NullPointerException if {@code idle} or {@code interval} is null
   * @throws IllegalArgumentException if a value is out of range, naming the field and the value
   */
  public static KeepalivePolicy of(Duration idle, Duration interval, int probes) {
    return new KeepalivePolicy(true, Checks.seconds(idle, "idle"),
        Checks.seconds(interval, "interval"), Checks.probes(probes), -1);
  }

  /**
   * An enabled policy from whole seconds, the kernel's unit.
   *
   * @param idleSeconds time with nothing received before the first probe, at least 1
   * @param intervalSeconds time between unanswered probes, at least 1
   * @param probes unanswered probes before the peer is declared dead, at least 1
   * @return the policy
   * @throws IllegalArgumentException if a value is out of range, naming the field and the value
   */
  public static KeepalivePolicy ofSeconds(long idleSeconds, long intervalSeconds, int probes) {
    return of(Duration.ofSeconds(idleSeconds), Duration.ofSeconds(intervalSeconds), probes);
  }

  /**
   * The Linux kernel's defaults: idle 7200 s, interval 75 s, 9 probes; detection deadline 7875 s
   * (2 h 11 min 15 s). What a socket gets in a fresh network namespace when it only sets
   * SO_KEEPALIVE. To read the values actually in force, use {@link KernelDefaults#current()}.
   *
   * @return the Linux defaults
   */
  public static KeepalivePolicy linuxDefaults() {
    return LINUX_DEFAULTS;
  }

  /**
   * Go's defaults since Go 1.13/1.23 ({@code net.KeepAliveConfig}): idle 15 s, interval 15 s,
   * 9 probes; detection deadline 150 s.
   *
   * @return Go's defaults
   */
  public static KeepalivePolicy goDefaults() {
    return GO_DEFAULTS;
  }

  /**
   * Keepalive switched off (SO_KEEPALIVE off), RFC 1122's required default. A disabled policy has
   * no idle, interval, probes or deadline, and no user timeout unless one is added with {@link
   * #withUserTimeout(Duration)} ({@code off,user-timeout=30s}): TCP_USER_TIMEOUT bounds how long
   * sent data may stay unacknowledged whether keepalive is on or not, so a socket can hold one with
   * keepalive off, and reading it back must not hide it.
   *
   * @return the disabled policy
   */
  public static KeepalivePolicy disabled() {
    return DISABLED;
  }

  /**
   * A policy that keeps an idle connection alive through a middlebox (NAT, load balancer,
   * firewall) that forgets flows idle for {@code middleboxIdleTimeout}: the first probe goes out at
   * half the timeout and four more follow a tenth of the timeout apart, so all five probes leave
   * before the middlebox forgets the flow and any one answered probe refreshes it (probes are not
   * delivered reliably, RFC 1122 §4.2.3.6). A dead peer is detected at the timeout itself. Idle and
   * interval are rounded down to whole seconds.
   *
   * @param middleboxIdleTimeout the middlebox's idle timeout, at least 10 s (e.g. AWS NLB 350 s)
   * @return idle = timeout / 2, interval = timeout / 10, probes = 5
   * @throws NullPointerException if {@code middleboxIdleTimeout} is null
   * @throws IllegalArgumentException if the timeout is shorter than 10 s
   * @see Middlebox
   */
  public static KeepalivePolicy keepingAliveThrough(Duration middleboxIdleTimeout) {
    Checks.requireNonNull(middleboxIdleTimeout, "middleboxIdleTimeout");
    if (middleboxIdleTimeout.compareTo(Duration.ofSeconds(Checks.MIN_MIDDLEBOX_SECONDS)) < 0) {
      throw Checks.illegal("middleboxIdleTimeout must be at least 10 seconds, was %s",
          middleboxIdleTimeout);
    }
    long seconds = middleboxIdleTimeout.getSeconds();
    return ofSeconds(seconds / 2, seconds / 10, 5);
  }

  /**
   * A policy that keeps an idle connection alive through {@code middlebox}; see
   * {@link #keepingAliveThrough(Duration)}.
   *
   * @param middlebox the middlebox on the path
   * @return a policy whose probes all leave before the middlebox's idle timeout
   * @throws NullPointerException if {@code middlebox} is null
   */
  public static KeepalivePolicy keepingAliveThrough(Middlebox middlebox) {
    return keepingAliveThrough(Checks.requireNonNull(middlebox, "middlebox").idleTimeout());
  }

  /**
   * A policy that keeps an idle connection alive through a middlebox configured with its own idle
   * timeout ({@code Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(600))} gives idle 300 s,
   * interval 60 s, 5 probes); see {@link #keepingAliveThrough(Duration)}.
   *
   * @param middlebox the middlebox on the path, as configured
   * @return a policy whose probes all leave before the configured idle timeout
   * @throws NullPointerException if {@code middlebox} is null
   */
  public static KeepalivePolicy keepingAliveThrough(ConfiguredMiddlebox middlebox) {
    return keepingAliveThrough(Checks.requireNonNull(middlebox, "middlebox").idleTimeout());
  }

  /**
   * A policy that detects a silent peer no later than {@code deadline}: three probes (never one:
   * RFC 1122 §4.2.3.6 forbids judging a connection by a single probe), an interval of a tenth of the
   * deadline and the rest as idle, in whole seconds. The resulting {@link #detectionDeadline()} is
   * at most {@code deadline}.
   *
   * @param deadline the longest a dead peer may go unnoticed, at least 4 s
   * @return probes = 3, interval = deadline / 10 (at least 1 s), idle = deadline - 3 × interval
   * @throws NullPointerException if {@code deadline} is null
   * @throws IllegalArgumentException if the deadline is shorter than 4 s or longer than idle and
   *     interval can express
   */
  public static KeepalivePolicy detectingWithin(Duration deadline) {
    Checks.requireNonNull(deadline, "deadline");
    if (deadline.compareTo(Duration.ofSeconds(4)) < 0) {
      throw Checks.illegal("deadline must be at least 4 seconds (idle 1 s + 3 probes 1 s apart), "
          + "was %s", deadline);
    }
    long seconds = deadline.getSeconds();
    long interval = Math.max(1, seconds / 10);
    return ofSeconds(seconds - 3 * interval, interval, 3);
  }

  /**
   * Reads a policy in the form {@link #toString()} prints, and in the forms people write:
   *
   * <ul>
   *   <li>{@code idle=90s,interval=15s,probes=2}, entries separated by commas or newlines;
   *   <li>keys {@code idle}/{@code time}, {@code interval}/{@code intvl}, {@code probes}/{@code
   *       count}, and {@code user-timeout} (optional);
   *   <li>durations as a whole number with a unit {@code ms}, {@code s}, {@code m} or {@code h}, as
   *       ISO-8601 ({@code PT1M30S}), or for idle and interval as bare seconds;
   *   <li>ISO-8601 durations in the days-to-seconds form {@code P[nD][T[nH][nM][n[.f]S]]}, letters
   *       in either case, stricter than {@link Duration#parse}: no sign anywhere ({@code -PT90S},
   *       {@code PT-90S}, {@code -PT-90S} and {@code PT+90S} are errors), a fraction only on the
   *       seconds with digits on both sides of a decimal point and at most 9 after it ({@code
   *       PT0.5S}, not {@code PT90.S} or {@code PT.5S}), and no decimal comma ({@code PT1,5S}: the
   *       comma separates entries);
   *   <li>sysctl.conf lines: {@code net.ipv4.tcp_keepalive_time = 90}, {@code
   *       net.ipv4.tcp_keepalive_intvl}, {@code net.ipv4.tcp_keepalive_probes}, with {@code #} and
   *       {@code ;} comment lines and blank lines;
   *   <li>{@code off}: the {@linkplain #disabled() disabled} policy.
   * </ul>
   *
   * Idle, interval and probes are all required; a key given twice (under any of its names) is an
   * error. Runs in time linear in the input, which may be at most 8192 characters.
   *
   * @param text the policy text
   * @return the policy
   * @throws NullPointerException if {@code text} is null
   * @throws IllegalArgumentException if the text is malformed or a value is out of range, with the
   *     position and what was expected
   */
  public static KeepalivePolicy parse(String text) {
    return PolicyParser.parse(Checks.requireNonNull(text, "text"));
  }

  /**
   * Whether keepalive is on (SO_KEEPALIVE).
   *
   * @return false only for {@link #disabled()}
   */
  public boolean enabled() {
    return enabled;
  }

  /**
   * The time with nothing received from the peer before the first probe (TCP_KEEPIDLE,
   * {@code tcp_keepalive_time}).
   *
   * @return the idle time, whole seconds
   * @throws IllegalStateException if the policy is disabled
   */
  public Duration idle() {
    return Duration.ofSeconds(idleSeconds());
  }

  /**
   * The time between unanswered probes (TCP_KEEPINTVL, {@code tcp_keepalive_intvl}).
   *
   * @return the interval, whole seconds
   * @throws IllegalStateException if the policy is disabled
   */
  public Duration interval() {
    return Duration.ofSeconds(intervalSeconds());
  }

  /**
   * The number of unanswered probes after which the peer is declared dead (TCP_KEEPCNT,
   * {@code tcp_keepalive_probes}).
   *
   * @return at least 1
   * @throws IllegalStateException if the policy is disabled
   */
  public int probes() {
    requireEnabled("probes");
    return probes;
  }

  /**
   * {@link #idle()} in the kernel's unit, without allocating.
   *
   * @return idle in seconds, 1 … {@link Integer#MAX_VALUE}
   * @throws IllegalStateException if the policy is disabled
   */
  public int idleSeconds() {
    requireEnabled("idle");
    return idleSeconds;
  }

  /**
   * {@link #interval()} in the kernel's unit, without allocating.
   *
   * @return interval in seconds, 1 … {@link Integer#MAX_VALUE}
   * @throws IllegalStateException if the policy is disabled
   */
  public int intervalSeconds() {
    requireEnabled("interval");
    return intervalSeconds;
  }

  /**
   * The TCP_USER_TIMEOUT (RFC 5482) to set: how long transmitted data may stay unacknowledged
   * before the connection is dropped. Keepalive does not probe while data is unacknowledged, so
   * without a user timeout a peer that dies mid-transfer is found only by retransmission timeouts
   * (about 15.5 min with Linux's {@code tcp_retries2} = 15). Linux also uses it instead of the
   * probe count once idle is past it.
   *
   * @return the user timeout, or empty if none was asked for (the option is then left alone)
   */
  public Optional<Duration> userTimeout() {
    return userTimeoutMillis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(userTimeoutMillis));
  }

  /**
   * Whether a user timeout was asked for, without allocating.
   *
   * @return true if {@link #userTimeout()} is present
   */
  public boolean hasUserTimeout() {
    return userTimeoutMillis >= 0;
  }

  /**
   * {@link #userTimeout()} in the kernel's unit, without allocating.
   *
   * @return the user timeout in milliseconds, 0 … {@link Integer#MAX_VALUE}
   * @throws IllegalStateException if no user timeout was asked for
   */
  public int userTimeoutMillis() {
    if (userTimeoutMillis < 0) {
      throw new IllegalStateException("no user timeout was asked for in " + this);
    }
    return userTimeoutMillis;
  }

  /**
   * When a silent peer is detected: idle + interval × probes, counted from the last packet received
   * from the peer. Never overflows: the largest possible value is about 4.6 × 10<sup>18</sup> s,
   * within {@link Duration}'s range.
   *
   * @return the detection deadline
   * @throws IllegalStateException if the policy is disabled
   */
  public Duration detectionDeadline() {
    return Duration.ofSeconds(idleSeconds() + (long) intervalSeconds * probes);
  }

  /**
   * This policy with another idle time.
   *
   * @param idle the new idle time; whole seconds, at least 1 s
   * @return the new policy
   * @throws NullPointerException if {@code idle} is null
   * @throws IllegalArgumentException if idle is out of range
   * @throws IllegalStateException if this policy is disabled
   */
  public KeepalivePolicy withIdle(Duration idle) {
    requireEnabled("idle");
    return new KeepalivePolicy(true, Checks.seconds(idle, "idle"), intervalSeconds, probes,
        userTimeoutMillis);
  }

  /**
   * This policy with another interval.
   *
   * @param interval the new interval; whole seconds, at least 1 s
   * @return the new policy
   * @throws NullPointerException if {@code interval} is null
   * @throws IllegalArgumentException if interval is out of range
   * @throws IllegalStateException if this policy is disabled
   */
  public KeepalivePolicy withInterval(Duration interval) {
    requireEnabled("interval");
    return new KeepalivePolicy(true, idleSeconds, Checks.seconds(interval, "interval"), probes,
        userTimeoutMillis);
  }

  /**
   * This policy with another probe count.
   *
   * @param probes the new probe count, at least 1
   * @return the new policy
   * @throws IllegalArgumentException if probes is less than 1
   * @throws IllegalStateException if this policy is disabled
   */
  public KeepalivePolicy withProbes(int probes) {
    requireEnabled("probes");
    return new KeepalivePolicy(true, idleSeconds, intervalSeconds, Checks.probes(probes),
        userTimeoutMillis);
  }

  /**
   * This policy with a TCP_USER_TIMEOUT. It must be positive: the kernel reads 0 as "no user
   * timeout", which a policy says by having none ({@link #withoutUserTimeout()}), so that what is
   * applied and what is read back always agree.
   *
   * <p>A disabled policy takes one too ({@code off,user-timeout=30s}): keepalive stays off, and the
   * user timeout still bounds unacknowledged data.
   *
   * @param userTimeout whole milliseconds, 1 … {@link Integer#MAX_VALUE} ms
   * @return the new policy
   * @throws NullPointerException if {@code userTimeout} is null
   * @throws IllegalArgumentException if the user timeout is zero, negative, finer than a
   *     millisecond or too large
   */
  public KeepalivePolicy withUserTimeout(Duration userTimeout) {
    return new KeepalivePolicy(enabled, idleSeconds, intervalSeconds, probes,
        Checks.userTimeoutMillis(userTimeout, "userTimeout"));
  }

  /**
   * This policy with its user timeout set to its own {@link #detectionDeadline()}: the common
   * choice (Cloudflare, gRPC proposal A18), so that a peer that dies while data is unacknowledged
   * (when keepalive does not probe) is dropped at the same deadline as an idle one.
   *
   * @return the new policy
   * @throws IllegalArgumentException if the deadline exceeds {@link Integer#MAX_VALUE} ms (24.8 days)
   * @throws IllegalStateException if this policy is disabled
   */
  public KeepalivePolicy withUserTimeoutAtDetectionDeadline() {
    return withUserTimeout(detectionDeadline());
  }

  /**
   * This policy without a user timeout.
   *
   * @return the new policy, or this one if it has none
   */
  public KeepalivePolicy withoutUserTimeout() {
    return userTimeoutMillis < 0 ? this
        : new KeepalivePolicy(enabled, idleSeconds, intervalSeconds, probes, -1);
  }

  private void requireEnabled(String field) {
    if (!enabled) {
      throw new IllegalStateException("keepalive is disabled (off): there is no " + field);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof KeepalivePolicy)) {
      return false;
    }
    KeepalivePolicy that = (KeepalivePolicy) o;
    return enabled == that.enabled
        && idleSeconds == that.idleSeconds
        && intervalSeconds == that.intervalSeconds
        && probes == that.probes
        && userTimeoutMillis == that.userTimeoutMillis;
  }

  @Override
  public int hashCode() {
    int h = Boolean.hashCode(enabled);
    h = 31 * h + idleSeconds;
    h = 31 * h + intervalSeconds;
    h = 31 * h + probes;
    return 31 * h + userTimeoutMillis;
  }

  /**
   * The policy in the form {@link #parse(String)} reads: {@code idle=90s,interval=15s,probes=2},
   * with {@code ,user-timeout=120s} (or {@code 1500ms}) when one is set; or {@code off}, with
   * {@code ,user-timeout=…} when a disabled policy carries one.
   *
   * @return the text form
   */
  @Override
  public String toString() {
    if (!enabled && userTimeoutMillis < 0) {
      return "off";
    }
    StringBuilder b = new StringBuilder(64);
    if (enabled) {
      b.append("idle=").append(idleSeconds).append('s')
          .append(",interval=").append(intervalSeconds).append('s')
          .append(",probes=").append(probes);
    } else {
      b.append("off");
    }
    if (userTimeoutMillis >= 0) {
      b.append(",user-timeout=");
      if (userTimeoutMillis % 1000 == 0) {
        b.append(userTimeoutMillis / 1000).append('s');
      } else {
        b.append(userTimeoutMillis).append("ms");
      }
    }
    return b.toString();
  }
}
