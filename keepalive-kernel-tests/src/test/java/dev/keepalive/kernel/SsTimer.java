package dev.keepalive.kernel;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keepalive timer of one socket as {@code ss -tnoe} prints it: {@code
 * timer:(keepalive,36sec,0)}. iproute2's {@code print_ms_timer} writes minutes, then seconds
 * followed by "sec" or, when milliseconds follow, by a dot, then milliseconds as three digits with
 * "ms": {@code 119min}, {@code 1min14sec}, {@code 36sec}, {@code 1.988ms} (1 s 988 ms), {@code
 * 988ms}. Seconds above 9 drop the milliseconds; minutes above 9 drop the seconds.
 */
final class SsTimer {

  private static final Pattern TIMER =
      Pattern.compile("timer:\\(keepalive,((?:\\d+min)?(?:\\d+(?:sec|\\.))?(?:\\d+ms)?),(\\d+)\\)");
  private static final Pattern PARTS =
      Pattern.compile("(?:(\\d+)min)?(?:(\\d+)(sec|\\.))?(?:(\\d+)ms)?");

  private SsTimer() {}

  /** The keepalive timer in {@code ssLine} in milliseconds, or empty if it has none. */
  static Optional<Long> keepaliveMillis(String ssLine) {
    return keepaliveText(ssLine).map(SsTimer::parseMillis);
  }

  /** The keepalive timer in {@code ssLine} as ss prints it ({@code 36sec}), or empty. */
  static Optional<String> keepaliveText(String ssLine) {
    Matcher m = TIMER.matcher(ssLine);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  static long parseMillis(String text) {
    Matcher m = PARTS.matcher(text);
    if (text.isEmpty() || !m.matches()) {
      throw new IllegalArgumentException("not an ss timer value: '" + text + "'");
    }
    long minutes = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
    long seconds = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
    long millis = m.group(4) == null ? 0 : Long.parseLong(m.group(4));
    if (".".equals(m.group(3)) && m.group(4) == null) {
      throw new IllegalArgumentException("seconds with a dot but no milliseconds: '" + text + "'");
    }
    return (minutes * 60 + seconds) * 1000 + millis;
  }
}
