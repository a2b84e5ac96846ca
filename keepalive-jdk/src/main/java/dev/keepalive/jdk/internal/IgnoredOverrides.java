package dev.keepalive.jdk.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every pinning socket shares when it ignores a client's keepalive call: the once-per-JVM
 * memory of the overrides already logged, and the caller to name in the line. Used by {@link
 * PinnedSocket} (KeepaliveSocketFactory's sockets) and by keepalive-agent's pinned connections,
 * which carry a relocated copy of this class and so remember their own lines.
 */
public final class IgnoredOverrides {

  /*
   * One line per distinct override per JVM: pgjdbc makes a new factory for every connection, and a
   * pool of 100 connections must not log 100 identical lines. Bounded so a client that sets a new
   * value on every connection cannot grow it without limit; past the bound every override is
   * logged (loud rather than silent).
   */
  static final int MAX_REMEMBERED = 1024;
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

  private IgnoredOverrides() {}

  /**
   * Whether the line for {@code override} is to be logged now: the first time this JVM sees it, or
   * always once {@value #MAX_REMEMBERED} distinct overrides have been remembered.
   *
   * @param override what makes the line distinct, e.g. {@code SO_KEEPALIVE=false kept off}
   * @return true if the caller logs the line
   */
  public static boolean firstTime(String override) {
    return LOGGED.size() >= MAX_REMEMBERED || LOGGED.add(override);
  }

  /**
   * The first frame outside the JDK and outside the classes whose names start with one of
   * {@code skipped}: the client library that made the call.
   *
   * @param skipped class-name prefixes of the pinning code itself
   * @return {@code class.method}, or {@code "an unknown caller"}
   */
  public static String caller(String... skipped) {
    return StackWalker.getInstance().walk(frames -> frames
        .filter(f -> {
          String c = f.getClassName();
          if (c.startsWith("java.") || c.startsWith("javax.") || c.startsWith("jdk.")
              || c.startsWith("sun.") || c.equals(IgnoredOverrides.class.getName())) {
            return false;
          }
          for (String prefix : skipped) {
            if (c.startsWith(prefix)) {
              return false;
            }
          }
          return true;
        })
        .findFirst()
        .map(f -> f.getClassName() + '.' + f.getMethodName())
        .orElse("an unknown caller"));
  }
}
