package dev.keepalive;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

/**
 * The peer left a heartbeat's pings unanswered: nothing arrived from it for the policy's
 * {@linkplain KeepalivePolicy#detectionDeadline() detection deadline} although {@linkplain
 * KeepalivePolicy#probes() probes} pings went out. Its kernel may still be acknowledging every
 * segment (so TCP keepalive would not notice): the process is hung, has stopped reading, or a
 * proxy in between answers for it. An {@link IOException}, like the {@code ETIMEDOUT} TCP
 * keepalive ends in, because the connection is as good as dead and should be closed.
 */
public class HeartbeatTimeoutException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The policy in its {@link KeepalivePolicy#toString()} form (the policy is not serializable). */
  private final String policy;
  /** The pings that went unanswered. */
  private final int unansweredPings;
  /** How long nothing had arrived from the peer when the heartbeat gave up. */
  private final Duration silence;

  /**
   * A new exception.
   *
   * @param policy the heartbeat's policy
   * @param unansweredPings the pings that went unanswered, at least 1
   * @param silence how long nothing had arrived from the peer
   * @throws NullPointerException if {@code policy} or {@code silence} is null
   * @throws IllegalArgumentException if {@code policy} is disabled, {@code unansweredPings} is less
   *     than 1 or {@code silence} is negative
   */
  public HeartbeatTimeoutException(KeepalivePolicy policy, int unansweredPings, Duration silence) {
    super(message(policy, unansweredPings, silence));
    this.policy = policy.toString();
    this.unansweredPings = unansweredPings;
    this.silence = silence;
  }

  private static String message(KeepalivePolicy policy, int unansweredPings, Duration silence) {
    Checks.requireNonNull(policy, "policy");
    Checks.requireNonNull(silence, "silence");
    if (!policy.enabled()) {
      throw Checks.illegal("policy must be enabled, was %s", policy);
    }
    if (unansweredPings < 1) {
      throw Checks.illegal("unansweredPings must be at least 1, was %d", unansweredPings);
    }
    if (silence.isNegative()) {
      throw Checks.illegal("silence must not be negative, was %s", silence);
    }
    return String.format(Locale.ROOT,
        "peer silent for %.3f s after %d unanswered heartbeat ping%s (policy %s; detection "
            + "deadline %d s)",
        silence.toNanos() / 1e9, unansweredPings, unansweredPings == 1 ? "" : "s", policy,
        policy.detectionDeadline().getSeconds());
  }

  /**
   * The heartbeat's policy.
   *
   * @return the policy
   */
  public KeepalivePolicy policy() {
    return KeepalivePolicy.parse(policy);
  }

  /**
   * The pings that went unanswered: the policy's probes.
   *
   * @return at least 1
   */
  public int unansweredPings() {
    return unansweredPings;
  }

  /**
   * How long nothing had arrived from the peer when the heartbeat gave up: the detection deadline,
   * or a little more when the driver woke late.
   *
   * @return the silence
   */
  public Duration silence() {
    return silence;
  }
}
