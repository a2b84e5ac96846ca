package dev.keepalive;

import java.time.Duration;
import java.util.Locale;

/** The universal checks, written once: every factory, wither and the parser call these. */
final class Checks {
  private Checks() {}

  static <T> T requireNonNull(T value, String name) {
    // No Supplier lambda: it would be allocated on every call, and its first use bootstraps
    // java.lang.invoke machinery (about 20 ms of keepalive-agent's start-up).
    if (value == null) {
      throw new NullPointerException(name + " must not be null");
    }
    return value;
  }

  static IllegalArgumentException illegal(String format, Object... args) {
    return new IllegalArgumentException(String.format(Locale.ROOT, format, args));
  }

  /**
   * Whole seconds in 1 … Integer.MAX_VALUE: the kernel's unit. Sub-second values are refused rather
   * than truncated (socket2 truncates 500 ms to 0 and the kernel then answers EINVAL).
   */
  static int seconds(Duration value, String name) {
    requireNonNull(value, name);
    if (value.getNano() != 0) {
      throw illegal("%s must be a whole number of seconds, was %s", name, value);
    }
    long s = value.getSeconds();
    if (s < 1) {
      throw illegal("%s must be at least 1 second, was %s", name, value);
    }
    if (s > Integer.MAX_VALUE) {
      throw illegal("%s must be at most %d seconds, was %s", name, Integer.MAX_VALUE, value);
    }
    return (int) s;
  }

  static int probes(int probes) {
    if (probes < 1) {
      throw illegal("probes must be at least 1, was %d", probes);
    }
    return probes;
  }

  /**
   * TCP_USER_TIMEOUT is an int of milliseconds (RFC 5482). {@code name} is the field as the caller
   * spells it: {@code userTimeout} in Java, {@code user-timeout} in the policy's text. The kernel reads 0 as "no user timeout",
   * which a policy says by having none: a policy holding 0 would apply as one thing and read back
   * (where the transport can read it, and in the audit) as the other.
   */
  static int userTimeoutMillis(Duration value, String name) {
    requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw illegal("%s must be positive, was %s: 0 is the kernel's \"no user timeout\","
          + " which a policy says by having none (withoutUserTimeout())", name, value);
    }
    if (value.getNano() % 1_000_000 != 0) {
      throw illegal("%s must be a whole number of milliseconds, was %s", name, value);
    }
    if (value.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
      throw illegal("%s must be at most %d milliseconds, was %s", name, Integer.MAX_VALUE, value);
    }
    return (int) value.toMillis();
  }
}
