package dev.keepalive;

import java.time.Duration;
import java.util.Locale;

/**
 * A {@link Middlebox} with the idle timeout it is configured with: {@code
 * Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(600))} for an NLB listener whose {@code
 * tcp.idle_timeout.seconds} is 600. Used like the preset: {@link #forgets(KeepalivePolicy)}, {@link
 * KeepalivePolicy#keepingAliveThrough(ConfiguredMiddlebox)}.
 *
 * <p>Immutable. {@link #toString()} prints the form {@link #parse(String)} reads, {@code
 * AWS_NLB=600s}, so that a command-line flag and a configuration file can state one.
 */
public final class ConfiguredMiddlebox {

  private final Middlebox middlebox;
  private final int idleTimeoutSeconds;

  /** Checked by {@link Middlebox#withIdleTimeout(Duration)}, the only way in. */
  ConfiguredMiddlebox(Middlebox middlebox, int idleTimeoutSeconds) {
    this.middlebox = middlebox;
    this.idleTimeoutSeconds = idleTimeoutSeconds;
  }

  /**
   * Reads a middlebox as {@link #toString()} prints it: a {@link Middlebox} name, alone for its
   * default idle timeout ({@code AWS_NLB}) or with the timeout configured ({@code AWS_NLB=600s}).
   * The name is read in either case, with {@code -} for {@code _} ({@code aws-nlb=10m}); the
   * timeout is a whole number with a unit {@code s}, {@code m} or {@code h}, or bare seconds.
   *
   * @param text e.g. {@code AWS_NLB=600s}, {@code azure-lb=30m}, {@code GCP_CLOUD_NAT}
   * @return the middlebox, checked as {@link Middlebox#withIdleTimeout(Duration)} checks it
   * @throws NullPointerException if {@code text} is null
   * @throws IllegalArgumentException if the name is not a {@link Middlebox} (the message lists
   *     them), the timeout is malformed, or it is outside the middlebox's range
   */
  public static ConfiguredMiddlebox parse(String text) {
    Checks.requireNonNull(text, "text");
    int eq = text.indexOf('=');
    String name = (eq < 0 ? text : text.substring(0, eq)).trim();
    Middlebox middlebox = null;
    for (Middlebox m : Middlebox.values()) {
      if (m.name().equals(name.toUpperCase(Locale.ROOT).replace('-', '_'))) {
        middlebox = m;
      }
    }
    if (middlebox == null) {
      StringBuilder known = new StringBuilder();
      for (Middlebox m : Middlebox.values()) {
        known.append(known.length() == 0 ? "" : ", ").append(m.name());
      }
      throw Checks.illegal("middlebox must be one of %s, optionally with =TIMEOUT (AWS_NLB=600s),"
          + " was '%s'", known, text);
    }
    if (eq < 0) {
      return middlebox.withIdleTimeout(middlebox.idleTimeout());
    }
    return middlebox.withIdleTimeout(timeout(text.substring(eq + 1).trim(), text));
  }

  /** {@code <digits>[s|m|h]}: the forms people type for a load balancer's setting. */
  private static Duration timeout(String value, String text) {
    int digits = 0;
    while (digits < value.length() && digits < 10 && value.charAt(digits) >= '0'
        && value.charAt(digits) <= '9') {
      digits++;
    }
    String unit = value.substring(digits).toLowerCase(Locale.ROOT);
    long multiplier = unit.isEmpty() || unit.equals("s") ? 1 : unit.equals("m") ? 60
        : unit.equals("h") ? 3600 : -1;
    if (digits == 0 || multiplier < 0) {
      throw Checks.illegal("idleTimeout must be a whole number with a unit s, m or h (600s, 10m),"
          + " or bare seconds, was '%s' in '%s'", value, text);
    }
    return Duration.ofSeconds(Long.parseLong(value.substring(0, digits)) * multiplier);
  }

  /**
   * The middlebox.
   *
   * @return the preset this configures
   */
  public Middlebox middlebox() {
    return middlebox;
  }

  /**
   * The name to show people.
   *
   * @return the middlebox's {@link Middlebox#displayName()}, e.g. {@code "AWS Network Load
   *     Balancer"}
   */
  public String displayName() {
    return middlebox.displayName();
  }

  /**
   * How long the middlebox keeps an idle flow, as configured.
   *
   * @return the idle timeout
   */
  public Duration idleTimeout() {
    return Duration.ofSeconds(idleTimeoutSeconds);
  }

  /**
   * Whether the timeout is the middlebox's default.
   *
   * @return true if {@link #idleTimeout()} equals {@code middlebox().idleTimeout()}
   */
  public boolean isDefault() {
    return idleTimeoutSeconds == middlebox.idleTimeout().getSeconds();
  }

  /**
   * Whether {@code policy} lets a flow through this middlebox go idle long enough to be forgotten:
   * true when keepalive is off, or its idle is not shorter than the configured timeout.
   *
   * @param policy the policy
   * @return true if an idle connection under {@code policy} would be dropped by this middlebox
   * @throws NullPointerException if {@code policy} is null
   */
  public boolean forgets(KeepalivePolicy policy) {
    Checks.requireNonNull(policy, "policy");
    return !policy.enabled() || policy.idleSeconds() >= idleTimeoutSeconds;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ConfiguredMiddlebox)) {
      return false;
    }
    ConfiguredMiddlebox that = (ConfiguredMiddlebox) o;
    return middlebox == that.middlebox && idleTimeoutSeconds == that.idleTimeoutSeconds;
  }

  @Override
  public int hashCode() {
    return 31 * middlebox.name().hashCode() + idleTimeoutSeconds;
  }

  /**
   * The form {@link #parse(String)} reads.
   *
   * @return e.g. {@code AWS_NLB=600s}
   */
  @Override
  public String toString() {
    return middlebox.name() + "=" + idleTimeoutSeconds + "s";
  }
}
