package dev.keepalive.audit;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link KeepaliveAudit#apply} did to one socket of a running process: the socket as it was
 * {@linkplain #before() before} and as the kernel reads it back {@linkplain #after() after}, and,
 * if the policy did not take, {@linkplain #refusal() why}. A refused socket is left exactly as it
 * was (the apply is transactional); a descriptor that the process closed or reused for something
 * else since it was listed is never touched.
 */
public final class SocketChange {

  private final SocketKeepalive before;
  private final SocketKeepalive after;
  private final String refusal;
  SocketChange(SocketKeepalive before, SocketKeepalive after, String refusal) {
    this.before = Objects.requireNonNull(before, "before");
    this.after = Objects.requireNonNull(after, "after");
    this.refusal = refusal;
  }

  /** A descriptor found closed or reused since {@code listed} was read: never touched. */
  static SocketChange gone(SocketKeepalive listed) {
    return new SocketChange(listed, listed, "descriptor " + listed.fd() + " no longer holds"
        + " socket " + listed.inode() + " (the process closed or reused it since it was listed):"
        + " not touched");
  }

  /**
   * The socket before the apply.
   *
   * @return its keepalive as read right before anything was set
   */
  public SocketKeepalive before() {
    return before;
  }

  /**
   * The socket after the apply, read back from the kernel.
   *
   * @return its keepalive now; equal in every option to {@link #before()} when refused
   */
  public SocketKeepalive after() {
    return after;
  }

  /**
   * Why the policy did not take, if it did not: the kernel refused an option (named, with its
   * errno), the socket is no longer an established connection, or the descriptor no longer holds
   * the socket that was listed.
   *
   * @return the reason, or empty if the socket now carries the policy
   */
  public Optional<String> refusal() {
    return Optional.ofNullable(refusal);
  }

  /**
   * Whether the socket now carries the policy, read back.
   *
   * @return true unless refused
   */
  public boolean applied() {
    return refusal == null;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SocketChange)) {
      return false;
    }
    SocketChange that = (SocketChange) o;
    return before.equals(that.before) && after.equals(that.after)
        && Objects.equals(refusal, that.refusal);
  }

  @Override
  public int hashCode() {
    return Objects.hash(before, after, refusal);
  }

  /**
   * One line: {@code fd 12 127.0.0.1:41234 -> 127.0.0.1:5432: off → idle=61s,interval=11s,probes=4},
   * with {@code refused: REASON} in place of the new keepalive when it was refused.
   *
   * @return the line
   */
  @Override
  public String toString() {
    String was = keepalive(before);
    return "fd " + before.fd() + " " + before.endpoints() + ": " + was
        + (refusal == null ? " → " + keepalive(after) : " (refused: " + refusal + ")");
  }

  /** {@code off}, {@code idle=61s,interval=11s,probes=4,user-timeout=5s}. */
  static String keepalive(SocketKeepalive s) {
    String base = s.keepaliveOn() ? s.keepaliveText() : "off";
    int ut = s.userTimeoutMillis();
    return ut == 0 ? base : base + ",user-timeout=" + (ut % 1000 == 0 ? ut / 1000 + "s"
        : ut + "ms");
  }
}
