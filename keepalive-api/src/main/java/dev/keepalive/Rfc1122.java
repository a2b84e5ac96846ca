package dev.keepalive;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Checks a policy against RFC 1122 §4.2.3.6 ("TCP Keep-Alives"). The RFC's rules differ by use: a
 * default that applies to every connection that did not ask must be off, and its idle no less than
 * two hours; a policy an application chose for its own connections may be anything the rules for
 * all uses allow. For any use, one probe is a violation: a lost ACK would kill a live connection.
 */
public final class Rfc1122 {

  /** Two hours: the least idle RFC 1122 allows as a default. */
  private static final int TWO_HOURS = 7200;

  private Rfc1122() {}

  /** How a policy is used, which decides the rules that apply. */
  public enum Use {
    /** A default applied to connections that did not ask for keepalive (a server-wide setting). */
    DEFAULT,
    /** A policy an application chose for its own connections. */
    EXPLICIT
  }

  /** The rules of §4.2.3.6 a policy can break, with the RFC's words. */
  public enum Rule {
    /** Keep-alives MUST default to off. */
    MUST_DEFAULT_TO_OFF("If keep-alives are included, the application MUST be able to turn them on"
        + " or off for each TCP connection, and they MUST default to off."),
    /** The idle interval MUST default to no less than two hours. */
    DEFAULT_IDLE_AT_LEAST_TWO_HOURS("This interval MUST be configurable and MUST default to no"
        + " less than two hours."),
    /** No single unanswered probe may kill a connection. */
    NO_DEATH_ON_ONE_PROBE("It is extremely important to remember that ACK segments that contain no"
        + " data are not reliably transmitted by TCP. Consequently, if a keep-alive mechanism is"
        + " implemented it MUST NOT interpret failure to respond to any specific probe as a dead"
        + " connection.");

    private final String words;

    Rule(String words) {
      this.words = words;
    }

    /**
     * The RFC's own sentence.
     *
     * @return the text of RFC 1122 §4.2.3.6 this rule stands for
     */
    public String words() {
      return words;
    }
  }

  /** One rule a policy breaks, with the offending value. */
  public static final class Violation {
    private final Rule rule;
    private final String value;

    Violation(Rule rule, String value) {
      this.rule = rule;
      this.value = value;
    }

    /**
     * The rule broken.
     *
     * @return the rule
     */
    public Rule rule() {
      return rule;
    }

    /**
     * The RFC's words for the rule.
     *
     * @return the sentence from §4.2.3.6
     */
    public String requirement() {
      return rule.words();
    }

    /**
     * The offending value, as field=value.
     *
     * @return e.g. {@code "probes=1"}, {@code "idle=90s"}, {@code "enabled=true"}
     */
    public String value() {
      return value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Violation && ((Violation) o).rule == rule
          && ((Violation) o).value.equals(value);
    }

    @Override
    public int hashCode() {
      return Objects.hash(rule, value);
    }

    /**
     * The violation as one line.
     *
     * @return e.g. {@code "probes=1 violates RFC 1122 §4.2.3.6 NO_DEATH_ON_ONE_PROBE: \"It is …\""}
     */
    @Override
    public String toString() {
      return value + " violates RFC 1122 §4.2.3.6 " + rule + ": \"" + rule.words() + "\"";
    }
  }

  /** Thrown by {@link #requireCompliant} with every violation found. */
  public static final class ViolationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Not serialised: violations are for the thrower's caller, the message carries them too. */
    private final transient List<Violation> violations;

    ViolationException(KeepalivePolicy policy, Use use, List<Violation> violations) {
      super(message(policy, use, violations));
      this.violations = violations;
    }

    private static String message(KeepalivePolicy policy, Use use, List<Violation> violations) {
      StringBuilder b = new StringBuilder("policy ").append(policy).append(" used as ")
          .append(use).append(" breaks RFC 1122: ");
      for (int i = 0; i < violations.size(); i++) {
        b.append(i == 0 ? "" : "; ").append(violations.get(i));
      }
      return b.toString();
    }

    /**
     * The rules broken.
     *
     * @return at least one violation
     */
    public List<Violation> violations() {
      return violations;
    }
  }

  /**
   * The rules of §4.2.3.6 {@code policy} breaks when used as {@code use}.
   *
   * @param policy the policy
   * @param use a server-wide default, or an application's explicit choice
   * @return the violations, empty if the policy complies
   * @throws NullPointerException if {@code policy} or {@code use} is null
   */
  public static List<Violation> check(KeepalivePolicy policy, Use use) {
    Checks.requireNonNull(policy, "policy");
    Checks.requireNonNull(use, "use");
    if (!policy.enabled()) {
      return Collections.emptyList();
    }
    if (use == Use.EXPLICIT && policy.probes() != 1) {
      return Collections.emptyList(); // the common case allocates nothing
    }
    List<Violation> found = new ArrayList<>(3);
    if (use == Use.DEFAULT) {
      found.add(new Violation(Rule.MUST_DEFAULT_TO_OFF, "enabled=true"));
      if (policy.idleSeconds() < TWO_HOURS) {
        found.add(new Violation(Rule.DEFAULT_IDLE_AT_LEAST_TWO_HOURS,
            "idle=" + policy.idleSeconds() + "s"));
      }
    }
    if (policy.probes() == 1) {
      found.add(new Violation(Rule.NO_DEATH_ON_ONE_PROBE, "probes=1"));
    }
    return Collections.unmodifiableList(found);
  }

  /**
   * Like {@link #check}, but throws on any violation.
   *
   * @param policy the policy
   * @param use a server-wide default, or an application's explicit choice
   * @return {@code policy}
   * @throws NullPointerException if {@code policy} or {@code use} is null
   * @throws ViolationException listing every rule broken, with the RFC's words and the values
   */
  public static KeepalivePolicy requireCompliant(KeepalivePolicy policy, Use use) {
    List<Violation> found = check(policy, use);
    if (!found.isEmpty()) {
      throw new ViolationException(policy, use, found);
    }
    return policy;
  }
}
