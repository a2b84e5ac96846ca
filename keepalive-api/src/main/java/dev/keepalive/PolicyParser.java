package dev.keepalive;

import java.time.Duration;
import java.util.Locale;

/**
 * Reads {@link KeepalivePolicy#parse(String)}'s forms. A hand-written scanner: every character is
 * looked at a bounded number of times, so the time is linear in the input (no regular expression
 * that could backtrack), and every failure is an IllegalArgumentException with a position.
 */
final class PolicyParser {

  /** Longer input is refused before it is scanned; no real policy or sysctl snippet comes close. */
  static final int MAX_LENGTH = 8192;

  /** A value token longer than this cannot be a valid number or ISO-8601 duration we accept. */
  private static final int MAX_VALUE_LENGTH = 64;

  private enum Field {
    IDLE("idle", "idle, time or net.ipv4.tcp_keepalive_time"),
    INTERVAL("interval", "interval, intvl or net.ipv4.tcp_keepalive_intvl"),
    PROBES("probes", "probes, count or net.ipv4.tcp_keepalive_probes"),
    USER_TIMEOUT("user-timeout", "user-timeout");

    final String name;
    final String spellings;

    Field(String name, String spellings) {
      this.name = name;
      this.spellings = spellings;
    }
  }

  private final String text;
  private final int[] seenAt = {-1, -1, -1, -1};
  private long idle;
  private long interval;
  private long probes;
  private Duration userTimeout;
  /** Where an {@code off} entry was, or -1: {@code off,user-timeout=30s}. */
  private int offAt = -1;

  private PolicyParser(String text) {
    this.text = text;
  }

  static KeepalivePolicy parse(String text) {
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "policy text is too long: %d characters, at most %d expected (at index %d)",
          text.length(), MAX_LENGTH, MAX_LENGTH));
    }
    return new PolicyParser(text).run();
  }

  private KeepalivePolicy run() {
    int start = skipSpace(0, text.length());
    int end = trimEnd(start, text.length());
    if (start == end) {
      throw error(start, "a policy such as idle=90s,interval=15s,probes=2, or off", "empty text");
    }
    if (end - start == 3 && text.regionMatches(true, start, "off", 0, 3)) {
      return KeepalivePolicy.disabled();
    }
    int lineStart = 0;
    while (lineStart <= text.length()) {
      int lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) {
        lineEnd = text.length();
      }
      line(lineStart, lineEnd);
      lineStart = lineEnd + 1;
    }
    if (offAt >= 0) {
      for (Field f : Field.values()) {
        if (f != Field.USER_TIMEOUT && seenAt[f.ordinal()] >= 0) {
          throw error(seenAt[f.ordinal()], "only a user-timeout beside off",
              f.name + " (keepalive is off: it has no " + f.name + ")");
        }
      }
    } else {
      for (Field f : Field.values()) {
        if (f != Field.USER_TIMEOUT && seenAt[f.ordinal()] < 0) {
          throw error(text.length(), f.spellings, "no " + f.name + " given");
        }
      }
    }
    KeepalivePolicy policy;
    try {
      if (userTimeout != null) {
        // Checked here too so that the message names the key as written: user-timeout.
        Checks.userTimeoutMillis(userTimeout, Field.USER_TIMEOUT.name);
      }
      policy = offAt >= 0 ? KeepalivePolicy.disabled()
          : KeepalivePolicy.ofSeconds(idle, interval, (int) probes);
      if (userTimeout != null) {
        policy = policy.withUserTimeout(userTimeout);
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + positionOf(e.getMessage()), e);
    }
    return policy;
  }

  /** The position of the field a validation message names, so range errors point at the value. */
  private String positionOf(String message) {
    for (Field f : Field.values()) {
      if (message.startsWith(f.name + " ") && seenAt[f.ordinal()] >= 0) {
        return String.format(Locale.ROOT, " (at index %d)", seenAt[f.ordinal()]);
      }
    }
    return "";
  }

  /** One line: blank, a sysctl.conf comment, or comma-separated entries. */
  private void line(int from, int to) {
    int end = to > from && text.charAt(to - 1) == '\r' ? to - 1 : to;
    int first = skipSpace(from, end);
    if (first == end || text.charAt(first) == '#' || text.charAt(first) == ';') {
      return;
    }
    int entryStart = from;
    for (int i = from; i <= end; i++) {
      if (i == end || text.charAt(i) == ',') {
        entry(entryStart, i);
        entryStart = i + 1;
      }
    }
  }

  /** {@code key = value}, white space allowed around both. */
  private void entry(int from, int to) {
    int keyStart = skipSpace(from, to);
    if (keyStart == to) {
      throw error(keyStart, "a key such as idle, interval or probes",
          to < text.length() && text.charAt(to) == ',' ? "an empty entry" : "nothing");
    }
    int keyEnd = keyStart;
    while (keyEnd < to && isKeyChar(text.charAt(keyEnd))) {
      keyEnd++;
    }
    if (keyEnd == keyStart) {
      throw error(keyStart, "a key such as idle, interval or probes", describe(keyStart));
    }
    int keyTo = trimEnd(keyStart, to);
    if (keyEnd == keyTo && keyEnd - keyStart == 3 && text.regionMatches(true, keyStart, "off", 0, 3)) {
      if (offAt >= 0) {
        throw error(keyStart, "off once", "off again (first given at index " + offAt + ")");
      }
      offAt = keyStart;
      return;
    }
    Field field = field(keyStart, keyEnd);
    int eq = skipSpace(keyEnd, to);
    if (eq == to || text.charAt(eq) != '=') {
      throw error(eq, "'=' after " + quote(keyStart, keyEnd), eq == to ? "end of entry" : describe(eq));
    }
    int valueStart = skipSpace(eq + 1, to);
    int valueEnd = trimEnd(valueStart, to);
    if (valueStart == valueEnd) {
      throw error(valueStart, "a value for " + field.name, "nothing");
    }
    for (int i = valueStart; i < valueEnd; i++) {
      if (isSpace(text.charAt(i))) {
        throw error(i, "end of the value for " + field.name + " (a separator is ',' or a new line)",
            "white space");
      }
    }
    if (valueEnd - valueStart > MAX_VALUE_LENGTH) {
      throw error(valueStart, "a value of at most " + MAX_VALUE_LENGTH + " characters",
          (valueEnd - valueStart) + " characters");
    }
    int previous = seenAt[field.ordinal()];
    if (previous >= 0) {
      throw error(keyStart, "each key once", field.name + " again (first given at index "
          + previous + ")");
    }
    seenAt[field.ordinal()] = valueStart;
    switch (field) {
      case IDLE:
        idle = seconds(field, valueStart, valueEnd);
        break;
      case INTERVAL:
        interval = seconds(field, valueStart, valueEnd);
        break;
      case PROBES:
        probes = number(field, valueStart, valueEnd, "a whole number of probes such as 9");
        if (probes > Integer.MAX_VALUE) {
          throw error(valueStart, "probes of at most " + Integer.MAX_VALUE, quote(valueStart, valueEnd));
        }
        break;
      default:
        userTimeout = duration(field, valueStart, valueEnd, false);
        break;
    }
  }

  private Field field(int from, int to) {
    String key = text.substring(from, to).toLowerCase(Locale.ROOT).replace('/', '.');
    switch (key) {
      case "idle":
      case "time":
      case "net.ipv4.tcp_keepalive_time":
        return Field.IDLE;
      case "interval":
      case "intvl":
      case "net.ipv4.tcp_keepalive_intvl":
        return Field.INTERVAL;
      case "probes":
      case "count":
      case "net.ipv4.tcp_keepalive_probes":
        return Field.PROBES;
      case "user-timeout":
      case "user_timeout":
      case "tcp_user_timeout":
        return Field.USER_TIMEOUT;
      default:
        throw error(from, "a key: idle (time), interval (intvl), probes (count), user-timeout, "
            + "or net.ipv4.tcp_keepalive_{time,intvl,probes}", quote(from, to));
    }
  }

  /** Idle or interval as a number of seconds; validation of the range is the policy's. */
  private long seconds(Field field, int from, int to) {
    Duration d = duration(field, from, to, true);
    if (d.getNano() != 0) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s must be a whole number of seconds, was %s (at index %d)", field.name, d, from));
    }
    return d.getSeconds();
  }

  /**
   * {@code <digits><unit>} with unit ms, s, m or h; ISO-8601; or, where {@code bareSeconds}, plain
   * digits as seconds (the sysctl form). The user timeout has no bare form: the kernel's unit for it
   * is milliseconds, the other fields' is seconds, and guessing would be wrong half the time.
   */
  private Duration duration(Field field, int from, int to, boolean bareSeconds) {
    char c = text.charAt(from);
    if (c == 'P' || c == 'p' || ((c == '-' || c == '+') && from + 1 < to
        && (text.charAt(from + 1) == 'P' || text.charAt(from + 1) == 'p'))) {
      return iso(from, to);
    }
    int digitsEnd = from;
    while (digitsEnd < to && isDigit(text.charAt(digitsEnd))) {
      digitsEnd++;
    }
    if (digitsEnd == from) {
      throw error(from, expectedDuration(field, bareSeconds), describe(from));
    }
    // Only digits in [from, digitsEnd): number() finds no character to call unexpected.
    long n = number(field, from, digitsEnd, "digits");
    String unit = text.substring(digitsEnd, to).toLowerCase(Locale.ROOT);
    try {
      switch (unit) {
        case "":
          if (!bareSeconds) {
            throw error(digitsEnd, expectedDuration(field, bareSeconds), "end of value");
          }
          return Duration.ofSeconds(n);
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofSeconds(Math.multiplyExact(n, 60L));
        case "h":
          return Duration.ofSeconds(Math.multiplyExact(n, 3600L));
        default:
          throw error(digitsEnd, "a unit ms, s, m or h", quote(digitsEnd, to));
      }
    } catch (ArithmeticException e) {
      throw error(from, expectedDuration(field, bareSeconds), quote(from, to)
          + ", which is out of range");
    }
  }

  /**
   * What a duration of {@code field} looks like, for its errors: built only when one is thrown, so
   * a policy that parses concatenates nothing.
   */
  private static String expectedDuration(Field field, boolean bareSeconds) {
    return "a duration for " + field.name + " such as 90s, 1500ms, 2m, 1h or PT1M30S"
        + (bareSeconds ? ", or bare seconds" : " (a unit is required)");
  }

  /**
   * An ISO-8601 duration in the subset {@link java.time.Duration#parse} reads, made strict:
   * {@code P[nD][T[nH][nM][n[.f]S]]}, letters in either case, at least one component, and after
   * {@code T} at least one of H, M, S. No sign anywhere: Duration.parse reads {@code -PT-90S} as
   * 90 s, and a negative keepalive time means nothing. A fraction (seconds only) has digits on both
   * sides of the point, 1 to 9 after it: ISO-8601 says a decimal fraction has at least one digit,
   * and its components are numbers of at least one digit, so {@code PT90.S} and {@code PT.5S} are
   * refused. The decimal comma ISO-8601 also allows is refused: the comma separates entries here.
   */
  private Duration iso(int from, int to) {
    String expected = "an ISO-8601 duration such as PT1M30S or PT0.5S";
    int i = from;
    if (text.charAt(i) == '-' || text.charAt(i) == '+') {
      throw error(i, expected + " (without a sign)", describe(i));
    }
    i++; // 'P' or 'p'
    boolean time = false;
    boolean any = false;
    int rank = 0; // designators seen so far must come in the order D, H, M, S
    long seconds = 0;
    int nanos = 0;
    try {
      while (i < to) {
        char c = text.charAt(i);
        if (rank == 4) {
          throw error(i, "end of value after the seconds", describe(i));
        }
        if ((c == 'T' || c == 't') && !time) {
          time = true;
          any = false;
          rank = Math.max(rank, 1);
          i++;
          continue;
        }
        String what = time ? "a number of hours, minutes or seconds" : "a number of days or T";
        if (c == '-' || c == '+') {
          throw error(i, what + " (an ISO-8601 duration takes no sign)", describe(i));
        }
        int digitsStart = i;
        while (i < to && isDigit(text.charAt(i))) {
          i++;
        }
        if (i == digitsStart) {
          throw error(i, what, describe(i));
        }
        if (i - digitsStart > 18) {
          throw error(digitsStart, expected, quote(from, to) + ", which is out of range");
        }
        long n = Long.parseLong(text.substring(digitsStart, i));
        int fraction = -1;
        if (i < to && text.charAt(i) == '.') {
          int fractionStart = ++i;
          while (i < to && isDigit(text.charAt(i))) {
            i++;
          }
          if (i == fractionStart) {
            throw error(i, "a digit after the decimal point", describe(i, to));
          }
          if (i - fractionStart > 9) {
            throw error(fractionStart + 9, "at most 9 digits after the decimal point (nanoseconds)",
                describe(fractionStart + 9, to));
          }
          fraction = Integer.parseInt(text.substring(fractionStart, i));
          for (int k = i - fractionStart; k < 9; k++) {
            fraction *= 10;
          }
        }
        if (i == to) {
          boolean decimalComma = to + 1 < text.length() && text.charAt(to) == ','
              && isDigit(text.charAt(to + 1));
          String designators = fraction >= 0 ? "S" : time ? "H, M or S" : "D";
          throw decimalComma
              ? error(to, "a decimal point '.' (a comma separates entries)", "','")
              : error(i, designators + " after " + quote(digitsStart, i), "end of value");
        }
        // ASCII only: Character.toUpperCase would make the long s (U+017F) an S.
        char designator = text.charAt(i) >= 'a' && text.charAt(i) <= 'z'
            ? (char) (text.charAt(i) - ('a' - 'A')) : text.charAt(i);
        int r = !time && designator == 'D' ? 1
            : time && designator == 'H' ? 2
            : time && designator == 'M' ? 3
            : time && designator == 'S' ? 4 : 0;
        if (r == 0) {
          throw error(i, time ? "H, M or S" : "D (or T before hours, minutes and seconds)",
              describe(i));
        }
        if (r <= rank) {
          throw error(i, "D, H, M and S each at most once and in that order", describe(i));
        }
        if (fraction >= 0 && r != 4) {
          throw error(i, "S (only seconds take a fraction)", describe(i));
        }
        long unit = r == 1 ? 86_400 : r == 2 ? 3_600 : r == 3 ? 60 : 1;
        seconds = Math.addExact(seconds, Math.multiplyExact(n, unit));
        nanos = Math.max(fraction, 0);
        rank = r;
        any = true;
        i++;
      }
    } catch (ArithmeticException e) {
      throw error(from, expected, quote(from, to) + ", which is out of range");
    }
    if (!any) {
      throw error(to, time ? "a number of hours, minutes or seconds after T"
          : "a number of days or T after P", "end of value");
    }
    return Duration.ofSeconds(seconds, nanos);
  }

  /** Plain decimal digits, at most 18 of them so the value fits a long without checks. */
  private long number(Field field, int from, int to, String expected) {
    if (to - from > 18) {
      throw error(from, "a smaller " + field.name, quote(from, to) + ", which is out of range");
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (!isDigit(c)) {
        throw error(i, expected, describe(i));
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private int skipSpace(int from, int to) {
    while (from < to && isSpace(text.charAt(from))) {
      from++;
    }
    return from;
  }

  private int trimEnd(int from, int to) {
    while (to > from && isSpace(text.charAt(to - 1))) {
      to--;
    }
    return to;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c)
        || c == '.' || c == '_' || c == '-' || c == '/';
  }

  /** What is at {@code at}, or "end of value" when a value ending at {@code to} is over. */
  private String describe(int at, int to) {
    return at >= to ? "end of value" : describe(at);
  }

  private String describe(int at) {
    if (at >= text.length()) {
      return "end of text";
    }
    char c = text.charAt(at);
    if (c == '\n') {
      return "a new line";
    }
    return c < ' ' || c > '~' ? String.format(Locale.ROOT, "character U+%04X", (int) c) : "'" + c + "'";
  }

  private String quote(int from, int to) {
    int end = Math.min(to, from + 40);
    StringBuilder b = new StringBuilder(end - from + 5).append('"');
    for (int i = from; i < end; i++) {
      char c = text.charAt(i);
      b.append(c < ' ' || c > '~' ? '?' : c);
    }
    return b.append(end < to ? "…\"" : "\"").toString();
  }

  private static IllegalArgumentException error(int at, String expected, String found) {
    return new IllegalArgumentException(String.format(Locale.ROOT,
        "cannot parse keepalive policy at index %d: expected %s, found %s", at, expected, found));
  }
}
