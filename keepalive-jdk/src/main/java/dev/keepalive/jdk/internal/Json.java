package dev.keepalive.jdk.internal;

import java.util.List;
import java.util.Map;

/**
 * Writes maps, lists, strings, numbers, booleans and null as JSON (RFC 8259), two-space indented.
 * Hand-written so the doctor has no dependency beyond the JDK.
 */
public final class Json {
  private Json() {}

  /**
   * The JSON text of {@code value}.
   *
   * @param value a {@code Map<String, ?>}, {@code List<?>}, {@code CharSequence}, {@code Number},
   *     {@code Boolean} or null, nested freely
   * @return the JSON text, ending without a newline
   * @throws IllegalArgumentException for any other type
   */
  public static String write(Object value) {
    StringBuilder b = new StringBuilder(4096);
    write(b, value, 0);
    return b.toString();
  }

  private static void write(StringBuilder b, Object value, int depth) {
    if (value == null) {
      b.append("null");
    } else if (value instanceof Map) {
      Map<?, ?> map = (Map<?, ?>) value;
      if (map.isEmpty()) {
        b.append("{}");
        return;
      }
      b.append('{');
      String sep = "\n";
      for (Map.Entry<?, ?> e : map.entrySet()) {
        b.append(sep);
        indent(b, depth + 1);
        string(b, String.valueOf(e.getKey()));
        b.append(": ");
        write(b, e.getValue(), depth + 1);
        sep = ",\n";
      }
      b.append('\n');
      indent(b, depth);
      b.append('}');
    } else if (value instanceof List) {
      List<?> list = (List<?>) value;
      if (list.isEmpty()) {
        b.append("[]");
        return;
      }
      b.append('[');
      String sep = "\n";
      for (Object item : list) {
        b.append(sep);
        indent(b, depth + 1);
        write(b, item, depth + 1);
        sep = ",\n";
      }
      b.append('\n');
      indent(b, depth);
      b.append(']');
    } else if (value instanceof CharSequence) {
      string(b, value.toString());
    } else if (value instanceof Integer || value instanceof Long || value instanceof Boolean) {
      b.append(value);
    } else {
      throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
    }
  }

  private static void indent(StringBuilder b, int depth) {
    for (int i = 0; i < depth; i++) {
      b.append("  ");
    }
  }

  private static void string(StringBuilder b, String s) {
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
            b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
  }
}
