package dev.keepalive.internal.cli;

import java.util.Locale;

/** Durations and counts written for people, the same way in every command. */
public final class Text {

  private Text() {}

  /**
   * Whole seconds in days, hours, minutes and seconds, zero parts left out.
   *
   * @param seconds non-negative
   * @return e.g. {@code "2 h 11 min 15 s"}, {@code "2 min"}, {@code "0 s"}
   */
  public static String seconds(long seconds) {
    if (seconds == 0) {
      return "0 s";
    }
    StringBuilder b = new StringBuilder();
    long[] parts = {seconds / 86400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60};
    String[] units = {"d", "h", "min", "s"};
    for (int i = 0; i < parts.length; i++) {
      if (parts[i] != 0) {
        b.append(b.length() == 0 ? "" : " ").append(parts[i]).append(' ').append(units[i]);
      }
    }
    return b.toString();
  }

  /**
   * Milliseconds: below a minute with a tenth of a second where it is not whole, above it as
   * {@link #seconds}.
   *
   * @param millis non-negative
   * @return e.g. {@code "58.4 s"}, {@code "30 s"}, {@code "2 h 11 min 15 s"}
   */
  public static String millis(long millis) {
    if (millis < 60_000) {
      return millis % 1000 == 0 ? millis / 1000 + " s"
          : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    return seconds(millis / 1000);
  }

  /**
   * {@code n} and a noun, in the plural unless {@code n} is 1.
   *
   * @param n the count
   * @param singular e.g. {@code "connection"}
   * @return e.g. {@code "1 connection"}, {@code "3 connections"}
   */
  public static String count(long n, String singular) {
    return n + " " + singular + (n == 1 ? "" : singular.endsWith("s") ? "es" : "s");
  }
}
