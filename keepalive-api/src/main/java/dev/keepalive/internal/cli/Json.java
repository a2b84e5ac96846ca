package dev.keepalive.internal.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes maps, lists, strings, numbers, booleans and null as JSON (RFC 8259): indented for people
 * ({@link #write}) or on one line for machines ({@link #compact}). Hand-written so the commands
 * need nothing beyond the JDK.
 */
public final class Json {

  private Json() {}

  /**
   * The JSON text of {@code value}, two-space indented.
   *
   * @param value a {@code Map<String, ?>}, {@code List<?>}, {@code CharSequence}, {@code Integer},
   *     {@code Long}, finite {@code Double}, {@code Boolean} or null, nested freely
   * @return the JSON text, ending without a newline
   * @throws IllegalArgumentException for any other type, or a non-finite double
   */
  public static String write(Object value) {
    StringBuilder b = new StringBuilder(4096);
    write(b, value, 0, true);
    return b.toString();
  }

  /**
   * The JSON text of {@code value} on one line, with no whitespace between tokens.
   *
   * @param value as for {@link #write}
   * @return the JSON text, ending without a newline
   * @throws IllegalArgumentException for any other type, or a non-finite double
   */
  public static String compact(Object value) {
    StringBuilder b = new StringBuilder(4096);
    write(b, value, 0, false);
    return b.toString();
  }

  /**
   * Appends {@code value} as a JSON string, quoted and escaped.
   *
   * @param b where to append
   * @param s the string
   * @return {@code b}
   */
  public static StringBuilder string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        case '\t':
          b.append("\\t");
          break;
        default:
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    return b.append('"');
  }

  private static void write(StringBuilder b, Object value, int depth, boolean pretty) {
    if (value == null) {
      b.append("null");
    } else if (value instanceof Map) {
      Map<?, ?> map = (Map<?, ?>) value;
      if (map.isEmpty()) {
        b.append("{}");
        return;
      }
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        b.append(first ? "" : ",");
        first = false;
        newline(b, depth + 1, pretty);
        string(b, String.valueOf(e.getKey()));
        b.append(pretty ? ": " : ":");
        write(b, e.getValue(), depth + 1, pretty);
      }
      newline(b, depth, pretty);
      b.append('}');
    } else if (value instanceof List) {
      List<?> list = (List<?>) value;
      if (list.isEmpty()) {
        b.append("[]");
        return;
      }
      b.append('[');
      boolean first = true;
      for (Object item : list) {
        b.append(first ? "" : ",");
        first = false;
        newline(b, depth + 1, pretty);
        write(b, item, depth + 1, pretty);
      }
      newline(b, depth, pretty);
      b.append(']');
    } else if (value instanceof CharSequence) {
      string(b, value.toString());
    } else if (value instanceof Integer || value instanceof Long || value instanceof Boolean) {
      b.append(value);
    } else if (value instanceof Double) {
      double d = (Double) value;
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("JSON has no " + d);
      }
      b.append(d);
    } else {
      throw new IllegalArgumentException("cannot write a " + value.getClass().getName()
          + " as JSON");
    }
  }

  private static void newline(StringBuilder b, int depth, boolean pretty) {
    if (pretty) {
      b.append('\n');
      for (int i = 0; i < depth; i++) {
        b.append("  ");
      }
    }
  }
}
