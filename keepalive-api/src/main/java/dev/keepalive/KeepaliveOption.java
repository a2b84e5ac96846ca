package dev.keepalive;

/**
 * The socket options a {@link KeepalivePolicy} is made of, named as in
 * {@code jdk.net.ExtendedSocketOptions}, with the kernel's own names alongside.
 */
public enum KeepaliveOption {
  /** Keepalive on or off (SOL_SOCKET, SO_KEEPALIVE). */
  SO_KEEPALIVE("SO_KEEPALIVE", "enabled"),
  /** Idle seconds before the first probe (TCP_KEEPIDLE; macOS TCP_KEEPALIVE). */
  TCP_KEEPIDLE("TCP_KEEPIDLE", "idle"),
  /** Seconds between probes (TCP_KEEPINTVL). */
  TCP_KEEPINTERVAL("TCP_KEEPINTVL", "interval"),
  /** Unanswered probes before the connection is dropped (TCP_KEEPCNT). */
  TCP_KEEPCOUNT("TCP_KEEPCNT", "probes"),
  /** Milliseconds transmitted data may stay unacknowledged (TCP_USER_TIMEOUT, RFC 5482). */
  TCP_USER_TIMEOUT("TCP_USER_TIMEOUT", "userTimeout");

  private final String kernelName;
  private final String field;

  KeepaliveOption(String kernelName, String field) {
    this.kernelName = kernelName;
    this.field = field;
  }

  /**
   * The C constant's name on Linux, e.g. {@code TCP_KEEPINTVL} for {@link #TCP_KEEPINTERVAL}.
   *
   * @return the kernel's name for the option
   */
  public String kernelName() {
    return kernelName;
  }

  /**
   * The {@link KeepalivePolicy} field the option carries: enabled, idle, interval, probes or
   * userTimeout.
   *
   * @return the field's name
   */
  public String field() {
    return field;
  }

  /**
   * The value {@code policy} asks this option to have, in the option's own unit, for reports.
   *
   * @param policy the policy
   * @return e.g. {@code "on"}, {@code "90s"}, {@code "2"}, {@code "120000ms"}; {@code "none"} for a
   *     user timeout the policy does not ask for (an adapter that can set TCP_USER_TIMEOUT clears
   *     one in force, so that what it applied reads back as the policy)
   * @throws NullPointerException if {@code policy} is null
   * @throws IllegalStateException if the policy is disabled and the option is TCP_KEEPIDLE,
   *     TCP_KEEPINTERVAL or TCP_KEEPCOUNT
   */
  public String valueIn(KeepalivePolicy policy) {
    Checks.requireNonNull(policy, "policy");
    switch (this) {
      case SO_KEEPALIVE:
        return policy.enabled() ? "on" : "off";
      case TCP_KEEPIDLE:
        return policy.idleSeconds() + "s";
      case TCP_KEEPINTERVAL:
        return policy.intervalSeconds() + "s";
      case TCP_KEEPCOUNT:
        return Integer.toString(policy.probes());
      default:
        return policy.hasUserTimeout() ? policy.userTimeoutMillis() + "ms" : "none";
    }
  }
}
