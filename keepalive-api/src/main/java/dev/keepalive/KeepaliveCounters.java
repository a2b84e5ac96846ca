package dev.keepalive;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this library did in this JVM that an operator wants to watch over time, as monotonic counts
 * a metrics system can read at any moment (keepalive-spring-boot-starter exports them to
 * Micrometer; any other registry can poll them the same way):
 *
 * <ul>
 *   <li>{@linkplain #ignoredOverrides(KeepaliveOption) client overrides ignored} by a pinned
 *       socket: a client library's {@code setKeepAlive(false)} or its own idle, interval or probes
 *       on a socket from {@code KeepaliveSocketFactory}, which kept the policy. One count per call,
 *       although the log line comes once per distinct override;
 *   <li>{@linkplain #heartbeatTimeouts() heartbeat timeouts}: peers that left every ping of a
 *       {@link Heartbeat} unanswered.
 * </ul>
 *
 * <p>Counts start at 0 when the class loads and only grow. keepalive-agent keeps its own counts
 * (its classes are relocated, so they are not these): read them from its JMX MBean {@code
 * dev.keepalive:type=Agent}. Thread-safe; reading allocates nothing.
 */
public final class KeepaliveCounters {

  private static final AtomicLongArray IGNORED =
      new AtomicLongArray(KeepaliveOption.values().length);
  private static final LongAdder HEARTBEAT_TIMEOUTS = new LongAdder();

  private KeepaliveCounters() {}

  /**
   * Client calls a pinned socket ignored for one option.
   *
   * @param option the option the client tried to change
   * @return the count since this JVM started
   * @throws NullPointerException if {@code option} is null
   */
  public static long ignoredOverrides(KeepaliveOption option) {
    return IGNORED.get(Checks.requireNonNull(option, "option").ordinal());
  }

  /**
   * Client calls pinned sockets ignored, for every option.
   *
   * @return the count since this JVM started
   */
  public static long ignoredOverrides() {
    long sum = 0;
    for (int i = 0; i < IGNORED.length(); i++) {
      sum += IGNORED.get(i);
    }
    return sum;
  }

  /**
   * Heartbeats that timed out: a peer that left every ping unanswered.
   *
   * @return the count since this JVM started
   */
  public static long heartbeatTimeouts() {
    return HEARTBEAT_TIMEOUTS.sum();
  }

  /**
   * Counts one ignored client override. For adapters that pin a policy (keepalive-jdk's sockets);
   * applications only read.
   *
   * @param option the option the client tried to change
   * @throws NullPointerException if {@code option} is null
   */
  public static void recordIgnoredOverride(KeepaliveOption option) {
    IGNORED.incrementAndGet(Checks.requireNonNull(option, "option").ordinal());
  }

  /** Counts one heartbeat timeout: {@link Heartbeat} calls it once per heartbeat that times out. */
  static void recordHeartbeatTimeout() {
    HEARTBEAT_TIMEOUTS.increment();
  }
}
