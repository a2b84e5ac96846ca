package dev.keepalive.kernel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one line a scenario child prints for its parent: {@code KERNEL-PROOF key=value<TAB>key=value},
 * so that the parent can tell the result from anything else the child or a library logs.
 */
final class ResultLine {

  static final String PREFIX = "KERNEL-PROOF ";

  private ResultLine() {}

  static String format(Map<String, String> fields) {
    StringBuilder b = new StringBuilder(PREFIX);
    String sep = "";
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (e.getKey().contains("=") || e.getKey().contains("\t")) {
        throw new IllegalArgumentException("key must not contain '=' or a tab, was " + e.getKey());
      }
      b.append(sep).append(e.getKey()).append('=').append(flatten(e.getValue()));
      sep = "\t";
    }
    return b.toString();
  }

  /** The fields of the first result line in {@code output}, if there is one. */
  static Optional<Map<String, String>> parse(String output) {
    for (String line : output.split("\n", -1)) {
      if (line.startsWith(PREFIX)) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : line.substring(PREFIX.length()).split("\t")) {
          int eq = pair.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("malformed result field '" + pair + "' in " + line);
          }
          fields.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return Optional.of(fields);
      }
    }
    return Optional.empty();
  }

  private static String flatten(String value) {
    return String.valueOf(value).replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
  }
}
