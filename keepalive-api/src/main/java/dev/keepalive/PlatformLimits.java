package dev.keepalive;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one platform's kernel accepts, separate from the universal checks every
 * {@link KeepalivePolicy} passes. A policy valid everywhere (idle 40000 s, say) can still be more
 * than a kernel takes: Linux answers {@code EINVAL} (never clamps), which the JDK reports only as
 * {@code SocketException: Invalid argument}. Checking here first names the field, the value and the
 * limit, before any socket is touched.
 *
 * <table>
 *   <caption>Limits per platform</caption>
 *   <tr><th></th><th>idle (s)</th><th>interval (s)</th><th>probes</th><th>user timeout</th><th>source</th></tr>
 *   <tr><td>Linux</td><td>1–32767</td><td>1–32767</td><td>1–127</td><td>0–2147483647 ms</td>
 *       <td>MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT in include/net/tcp.h</td></tr>
 *   <tr><td>macOS</td><td>1–4294967</td><td>1–4294967</td><td>1–2147483647</td><td>none</td>
 *       <td>TCP_KEEPALIVE/TCP_KEEPINTVL take up to UINT32_MAX / TCP_RETRANSHZ (1000) s; TCP_KEEPCNT an int</td></tr>
 *   <tr><td>Windows</td><td>1–4294967</td><td>1–4294967</td><td>1–255</td><td>none</td>
 *       <td>keepalive times are kept as 32-bit milliseconds; "It is illegal to set TCP_KEEPCNT to a
 *       value greater than 255" (IPPROTO_TCP socket options)</td></tr>
 *   <tr><td>other</td><td colspan="3">only the universal checks</td><td>none</td><td>unknown</td></tr>
 * </table>
 *
 * <p>Zero is refused everywhere, though macOS and Windows would take it: a zero idle or interval
 * is never what a policy means, and {@link KeepalivePolicy} itself refuses it.
 */
public final class PlatformLimits {

  private static final PlatformLimits LINUX =
      new PlatformLimits(Platform.LINUX, 32767, 32767, 127, true);
  private static final PlatformLimits MACOS =
      new PlatformLimits(Platform.MACOS, 4294967, 4294967, Integer.MAX_VALUE, false);
  private static final PlatformLimits WINDOWS =
      new PlatformLimits(Platform.WINDOWS, 4294967, 4294967, 255, false);
  private static final PlatformLimits OTHER = new PlatformLimits(Platform.OTHER,
      Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, false);

  private final Platform platform;
  private final int maxIdleSeconds;
  private final int maxIntervalSeconds;
  private final int maxProbes;
  private final boolean userTimeout;

  private PlatformLimits(Platform platform, int maxIdleSeconds, int maxIntervalSeconds,
      int maxProbes, boolean userTimeout) {
    this.platform = platform;
    this.maxIdleSeconds = maxIdleSeconds;
    this.maxIntervalSeconds = maxIntervalSeconds;
    this.maxProbes = maxProbes;
    this.userTimeout = userTimeout;
  }

  /**
   * The limits of {@code platform}.
   *
   * @param platform the platform
   * @return its limits
   * @throws NullPointerException if {@code platform} is null
   */
  public static PlatformLimits of(Platform platform) {
    switch (Checks.requireNonNull(platform, "platform")) {
      case LINUX:
        return LINUX;
      case MACOS:
        return MACOS;
      case WINDOWS:
        return WINDOWS;
      default:
        return OTHER;
    }
  }

  /**
   * The limits of the platform this JVM runs on.
   *
   * @return the current platform's limits
   */
  public static PlatformLimits current() {
    return of(Platform.current());
  }

  /**
   * The platform these limits belong to.
   *
   * @return the platform
   */
  public Platform platform() {
    return platform;
  }

  /**
   * The largest idle the kernel accepts.
   *
   * @return seconds
   */
  public int maxIdleSeconds() {
    return maxIdleSeconds;
  }

  /**
   * The largest interval the kernel accepts.
   *
   * @return seconds
   */
  public int maxIntervalSeconds() {
    return maxIntervalSeconds;
  }

  /**
   * The largest probe count the kernel accepts.
   *
   * @return probes
   */
  public int maxProbes() {
    return maxProbes;
  }

  /**
   * Whether the platform has TCP_USER_TIMEOUT with RFC 5482's meaning (Linux only; macOS's
   * TCP_RXT_CONNDROPTIME and Windows' TCP_MAXRT differ in unit and meaning).
   *
   * @return true on Linux
   */
  public boolean supportsUserTimeout() {
    return userTimeout;
  }

  /**
   * What this platform cannot take of {@code policy}. A disabled policy always fits.
   *
   * @param policy the policy
   * @return one violation per field out of range, in the order idle, interval, probes, user
   *     timeout; empty if the kernel will take it all
   * @throws NullPointerException if {@code policy} is null
   */
  public List<Violation> check(KeepalivePolicy policy) {
    Checks.requireNonNull(policy, "policy");
    if (!policy.enabled() && !policy.hasUserTimeout()) {
      return Collections.emptyList();
    }
    List<Violation> found = null;
    // Keepalive off with a user timeout: only the user timeout goes to the kernel.
    if (policy.enabled()) {
      if (policy.idleSeconds() > maxIdleSeconds) {
        found = add(found, new Violation(KeepaliveOption.TCP_KEEPIDLE, policy.idleSeconds() + "s",
            "at most " + maxIdleSeconds + "s"));
      }
      if (policy.intervalSeconds() > maxIntervalSeconds) {
        found = add(found, new Violation(KeepaliveOption.TCP_KEEPINTERVAL,
            policy.intervalSeconds() + "s", "at most " + maxIntervalSeconds + "s"));
      }
      if (policy.probes() > maxProbes) {
        found = add(found, new Violation(KeepaliveOption.TCP_KEEPCOUNT,
            Integer.toString(policy.probes()), "at most " + maxProbes));
      }
    }
    if (policy.hasUserTimeout() && !userTimeout) {
      found = add(found, new Violation(KeepaliveOption.TCP_USER_TIMEOUT,
          policy.userTimeoutMillis() + "ms", "not available on " + platform.displayName()));
    }
    return found == null ? Collections.emptyList() : Collections.unmodifiableList(found);
  }

  /**
   * Refuses what this platform cannot take, before any socket is touched.
   *
   * @param policy the policy
   * @return {@code policy}
   * @throws NullPointerException if {@code policy} is null
   * @throws IllegalArgumentException naming every field out of range, its value and the limit,
   *     e.g. {@code "idle 40000s is beyond Linux's limit: at most 32767s (TCP_KEEPIDLE)"}
   */
  public KeepalivePolicy requireSupported(KeepalivePolicy policy) {
    List<Violation> found = check(policy);
    if (!found.isEmpty()) {
      StringBuilder b = new StringBuilder();
      for (Violation v : found) {
        b.append(b.length() == 0 ? "" : "; ").append(v.message());
      }
      throw new IllegalArgumentException(b.append(" in ").append(policy).toString());
    }
    return policy;
  }

  private static List<Violation> add(List<Violation> list, Violation v) {
    List<Violation> l = list == null ? new ArrayList<>(4) : list;
    l.add(v);
    return l;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s: idle 1-%ds, interval 1-%ds, probes 1-%d, user timeout %s",
        platform.displayName(), maxIdleSeconds, maxIntervalSeconds, maxProbes,
        userTimeout ? "yes" : "no");
  }

  /** One field of a policy that a platform cannot take. */
  public final class Violation {
    private final KeepaliveOption option;
    private final String value;
    private final String limit;

    Violation(KeepaliveOption option, String value, String limit) {
      this.option = option;
      this.value = value;
      this.limit = limit;
    }

    /**
     * The option out of range.
     *
     * @return the option
     */
    public KeepaliveOption option() {
      return option;
    }

    /**
     * The policy's value, with its unit.
     *
     * @return e.g. {@code "40000s"}
     */
    public String value() {
      return value;
    }

    /**
     * What the platform takes.
     *
     * @return e.g. {@code "at most 32767s"}
     */
    public String limit() {
      return limit;
    }

    /**
     * The platform.
     *
     * @return the platform whose limit this is
     */
    public Platform platform() {
      return platform;
    }

    /**
     * A sentence naming the field, value, platform, limit and option.
     *
     * @return e.g. {@code "idle 40000s is beyond Linux's limit: at most 32767s (TCP_KEEPIDLE)"}
     */
    public String message() {
      return String.format(Locale.ROOT, "%s %s is beyond %s's limit: %s (%s)", option.field(), value,
          platform.displayName(), limit, option.kernelName());
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Violation)) {
        return false;
      }
      Violation v = (Violation) o;
      return option == v.option && value.equals(v.value) && limit.equals(v.limit)
          && platform() == v.platform();
    }

    @Override
    public int hashCode() {
      return Objects.hash(option, value, limit, platform);
    }

    @Override
    public String toString() {
      return message();
    }
  }
}
