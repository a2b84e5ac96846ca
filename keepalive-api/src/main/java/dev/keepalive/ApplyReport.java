package dev.keepalive;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What an adapter did with each option of a policy on one socket: applied, not supported by the
 * runtime or transport, or failed. Adapters return one from every apply; in
 * {@linkplain ApplyMode#STRICT strict} mode it can only say "all applied" (anything else was an
 * exception), in {@linkplain ApplyMode#LENIENT lenient} mode it is where the options that did not
 * take are listed, so nothing is skipped silently.
 *
 * <p>Immutable. The report of a fully applied policy is made once per policy and shared, so the
 * default path allocates nothing for it.
 */
public final class ApplyReport {

  /** The outcome for one option. */
  public enum Status {
    /** Set on the socket. */
    APPLIED,
    /** This runtime, platform or transport has no way to set it; nothing was attempted. */
    NOT_SUPPORTED,
    /** The call was made and failed (the kernel refused it, or the socket closed). */
    FAILED
  }

  /** One option's outcome. */
  public static final class Entry {
    private final KeepaliveOption option;
    private final String value;
    private final Status status;
    private final String detail;

    Entry(KeepaliveOption option, String value, Status status, String detail) {
      this.option = option;
      this.value = value;
      this.status = status;
      this.detail = detail;
    }

    /**
     * The option.
     *
     * @return the option
     */
    public KeepaliveOption option() {
      return option;
    }

    /**
     * The value the policy asked for, with its unit.
     *
     * @return e.g. {@code "90s"}
     */
    public String value() {
      return value;
    }

    /**
     * The outcome.
     *
     * @return the status
     */
    public Status status() {
      return status;
    }

    /**
     * Why an option was not applied.
     *
     * @return the reason, empty for {@link Status#APPLIED}
     */
    public String detail() {
      return detail;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Entry)) {
        return false;
      }
      Entry e = (Entry) o;
      return option == e.option && value.equals(e.value) && status == e.status
          && detail.equals(e.detail);
    }

    @Override
    public int hashCode() {
      return Objects.hash(option, value, status, detail);
    }

    /**
     * The entry as one line.
     *
     * @return e.g. {@code "TCP_KEEPIDLE=90s APPLIED"} or {@code "TCP_USER_TIMEOUT=5000ms
     *     NOT_SUPPORTED: …"}
     */
    @Override
    public String toString() {
      return option + "=" + value + " " + status + (detail.isEmpty() ? "" : ": " + detail);
    }
  }

  private static final List<KeepaliveOption> SO_KEEPALIVE_ONLY =
      Collections.singletonList(KeepaliveOption.SO_KEEPALIVE);
  private static final List<KeepaliveOption> USER_TIMEOUT_THEN_OFF = List.of(
      KeepaliveOption.TCP_USER_TIMEOUT, KeepaliveOption.SO_KEEPALIVE);
  private static final List<KeepaliveOption> TUNING_THEN_ON = List.of(
      KeepaliveOption.TCP_KEEPIDLE, KeepaliveOption.TCP_KEEPINTERVAL,
      KeepaliveOption.TCP_KEEPCOUNT, KeepaliveOption.SO_KEEPALIVE);
  private static final List<KeepaliveOption> TUNING_USER_TIMEOUT_THEN_ON = List.of(
      KeepaliveOption.TCP_KEEPIDLE, KeepaliveOption.TCP_KEEPINTERVAL,
      KeepaliveOption.TCP_KEEPCOUNT, KeepaliveOption.TCP_USER_TIMEOUT,
      KeepaliveOption.SO_KEEPALIVE);

  private final KeepalivePolicy policy;
  private final List<Entry> entries;

  private ApplyReport(KeepalivePolicy policy, List<Entry> entries) {
    this.policy = policy;
    this.entries = entries;
  }

  /**
   * The options a policy sets, in the order adapters apply them: the tuning options first and
   * SO_KEEPALIVE last, so a failure part-way never leaves keepalive on with half a policy. A
   * disabled policy sets SO_KEEPALIVE alone, or its user timeout and then SO_KEEPALIVE. There are
   * only these four orders, made once and shared, so adapters can call this on every apply without
   * allocating. (Where a transport has TCP_USER_TIMEOUT and a policy without one meets a socket
   * that holds one, {@link dev.keepalive.spi.KeepaliveApplier} also clears it, in the user
   * timeout's place.)
   *
   * @param policy the policy
   * @return the options, in application order (immutable)
   * @throws NullPointerException if {@code policy} is null
   */
  public static List<KeepaliveOption> optionsOf(KeepalivePolicy policy) {
    Checks.requireNonNull(policy, "policy");
    if (!policy.enabled()) {
      return policy.hasUserTimeout() ? USER_TIMEOUT_THEN_OFF : SO_KEEPALIVE_ONLY;
    }
    return policy.hasUserTimeout() ? TUNING_USER_TIMEOUT_THEN_ON : TUNING_THEN_ON;
  }

  /**
   * The report of an apply in which every option of {@code policy} took. Made once per policy and
   * shared.
   *
   * @param policy the policy
   * @return a report with one {@link Status#APPLIED} entry per option
   * @throws NullPointerException if {@code policy} is null
   */
  public static ApplyReport allApplied(KeepalivePolicy policy) {
    ApplyReport r = Checks.requireNonNull(policy, "policy").allApplied;
    if (r == null) {
      // Racy single-check, as String.hashCode: every thread builds an equal, immutable report.
      Builder b = builder(policy);
      for (KeepaliveOption o : optionsOf(policy)) {
        b.applied(o);
      }
      r = b.build();
      policy.allApplied = r;
    }
    return r;
  }

  /**
   * A builder for adapters that report option by option.
   *
   * @param policy the policy being applied
   * @return a new builder
   * @throws NullPointerException if {@code policy} is null
   */
  public static Builder builder(KeepalivePolicy policy) {
    return new Builder(Checks.requireNonNull(policy, "policy"));
  }

  /**
   * The policy that was applied.
   *
   * @return the policy
   */
  public KeepalivePolicy policy() {
    return policy;
  }

  /**
   * Every option's outcome, in the order they were applied.
   *
   * @return the entries
   */
  public List<Entry> entries() {
    return entries;
  }

  /**
   * Whether every option of the policy took.
   *
   * @return true if every entry is {@link Status#APPLIED}
   */
  public boolean fullyApplied() {
    for (Entry e : entries) {
      if (e.status != Status.APPLIED) {
        return false;
      }
    }
    return true;
  }

  /**
   * The options that did not take.
   *
   * @return the options whose status is not {@link Status#APPLIED}
   */
  public Set<KeepaliveOption> notApplied() {
    Set<KeepaliveOption> s = EnumSet.noneOf(KeepaliveOption.class);
    for (Entry e : entries) {
      if (e.status != Status.APPLIED) {
        s.add(e.option);
      }
    }
    return s;
  }

  /**
   * The status of one option.
   *
   * @param option the option
   * @return its status, or null if the policy does not set it
   * @throws NullPointerException if {@code option} is null
   */
  public Status status(KeepaliveOption option) {
    Checks.requireNonNull(option, "option");
    for (Entry e : entries) {
      if (e.option == option) {
        return e.status;
      }
    }
    return null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApplyReport && ((ApplyReport) o).policy.equals(policy)
        && ((ApplyReport) o).entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return 31 * policy.hashCode() + entries.hashCode();
  }

  /**
   * The report, one line per option.
   *
   * @return the policy, then each entry on its own line
   */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(policy.toString()).append(fullyApplied() ? ": applied" : ": partly applied");
    for (Entry e : entries) {
      b.append("\n  ").append(e);
    }
    return b.toString();
  }

  /** Collects entries option by option. Not thread-safe. */
  public static final class Builder {
    private final KeepalivePolicy policy;
    private final List<Entry> entries = new ArrayList<>(5);

    private Builder(KeepalivePolicy policy) {
      this.policy = policy;
    }

    /**
     * Records that {@code option} was set.
     *
     * @param option the option
     * @return this builder
     * @throws NullPointerException if {@code option} is null
     */
    public Builder applied(KeepaliveOption option) {
      return add(option, Status.APPLIED, "");
    }

    /**
     * Records that {@code option} cannot be set here, and why.
     *
     * @param option the option
     * @param reason e.g. {@code "TCP_USER_TIMEOUT is not in jdk.net.ExtendedSocketOptions"}
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public Builder notSupported(KeepaliveOption option, String reason) {
      return add(option, Status.NOT_SUPPORTED, Checks.requireNonNull(reason, "reason"));
    }

    /**
     * Records that setting {@code option} failed, and why.
     *
     * @param option the option
     * @param reason e.g. the exception's message
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public Builder failed(KeepaliveOption option, String reason) {
      return add(option, Status.FAILED, Checks.requireNonNull(reason, "reason"));
    }

    private Builder add(KeepaliveOption option, Status status, String detail) {
      Checks.requireNonNull(option, "option");
      entries.add(new Entry(option, option.valueIn(policy), status, detail));
      return this;
    }

    /**
     * The report.
     *
     * @return an immutable report of the entries recorded so far
     */
    public ApplyReport build() {
      return new ApplyReport(policy, Collections.unmodifiableList(new ArrayList<>(entries)));
    }
  }
}
