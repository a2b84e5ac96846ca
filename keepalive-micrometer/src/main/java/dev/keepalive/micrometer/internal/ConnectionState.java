package dev.keepalive.micrometer.internal;

import dev.keepalive.KeepalivePolicy;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The keepalive state of one connection, as the {@code keepalive.connections} gauge and the
 * actuator endpoint count it (the same four as keepalive-audit's exporter):
 *
 * <ul>
 *   <li>{@link #OFF}: SO_KEEPALIVE off, a dead peer is never detected;
 *   <li>{@link #POLICY}: on, with exactly one of the expected policies (with none expected: any
 *       per-socket values other than the kernel's defaults);
 *   <li>{@link #KERNEL_DEFAULT}: on, with this network namespace's defaults (e.g. 7200/75/9) and
 *       no expected policy says so;
 *   <li>{@link #MISMATCH}: on, with values that are neither an expected policy nor the defaults
 *       (a client's own, e.g. HttpClient 5's 5/5/3 or mssql-jdbc's 30/1/9); only when a policy is
 *       expected.
 * </ul>
 */
public enum ConnectionState {
  /** SO_KEEPALIVE off. */
  OFF,
  /** This network namespace's defaults. */
  KERNEL_DEFAULT,
  /** One of the expected policies (or, with none expected, per-socket values). */
  POLICY,
  /** Per-socket values that are not an expected policy. */
  MISMATCH;

  /**
   * The tag value: the name in lower case.
   *
   * @return e.g. {@code kernel_default}
   */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The state of a connection holding {@code actual}.
   *
   * @param actual what the kernel holds (user timeout included when above 0)
   * @param expected the policies in force; empty when none is
   * @param kernelDefault this network namespace's defaults, if known
   * @return the state
   */
  public static ConnectionState of(KeepalivePolicy actual, Collection<KeepalivePolicy> expected,
      Optional<KeepalivePolicy> kernelDefault) {
    if (!actual.enabled()) {
      return OFF;
    }
    if (expected.contains(actual)) {
      return POLICY;
    }
    if (kernelDefault.isPresent() && actual.withoutUserTimeout().equals(kernelDefault.get())) {
      return KERNEL_DEFAULT;
    }
    return expected.isEmpty() ? POLICY : MISMATCH;
  }
}
