package dev.keepalive.internal.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The arguments a command takes, and their parse. One set of rules for every command of the
 * project:
 *
 * <ul>
 *   <li>An option takes a value, as {@code --name VALUE} or {@code --name=VALUE}; given twice it is
 *       an error unless it was declared {@linkplain #repeatable repeatable}. A missing value is an
 *       error: {@code --pid needs a value}.
 *   <li>A flag takes none: {@code --json=false} is an error ({@code --json takes no value, was
 *       '--json=false'}), never a silent {@code --json}.
 *   <li>Anything else starting with {@code -} is an unknown argument; other words are positional
 *       arguments, accepted only up to the number declared.
 * </ul>
 *
 * <p>Instances are built once per command and are not thread-safe while being built; {@link
 * #parse} may then be called from any thread.
 */
public final class Args {

  private enum Kind {
    FLAG, OPTION, REPEATABLE
  }

  private final String command;
  private final Map<String, Kind> kinds = new LinkedHashMap<>();
  private final Map<String, String> canonical = new LinkedHashMap<>();
  private final List<String> positionals = new ArrayList<>();

  private Args(String command) {
    this.command = command;
  }

  /**
   * A command's argument declarations.
   *
   * @param command the command's name, for messages, e.g. {@code keepalive-audit}
   * @return an empty declaration
   */
  public static Args of(String command) {
    return new Args(Objects.requireNonNull(command, "command must not be null"));
  }

  /**
   * The command's name.
   *
   * @return the name given to {@link #of}
   */
  public String command() {
    return command;
  }

  /**
   * Declares a flag: an argument without a value.
   *
   * @param name e.g. {@code --json}
   * @param aliases other spellings, e.g. {@code -h} for {@code --help}
   * @return this
   */
  public Args flag(String name, String... aliases) {
    return declare(Kind.FLAG, name, aliases);
  }

  /**
   * Declares an option that takes one value and may be given once.
   *
   * @param name e.g. {@code --pid}
   * @return this
   */
  public Args option(String name) {
    return declare(Kind.OPTION, name);
  }

  /**
   * Declares an option that takes one value and may be given several times.
   *
   * @param name e.g. {@code --port}
   * @return this
   */
  public Args repeatable(String name) {
    return declare(Kind.REPEATABLE, name);
  }

  /**
   * Declares the next positional argument.
   *
   * @param name its name in messages, e.g. {@code PID}
   * @return this
   */
  public Args positional(String name) {
    positionals.add(Objects.requireNonNull(name, "name must not be null"));
    return this;
  }

  private Args declare(Kind kind, String name, String... aliases) {
    Objects.requireNonNull(name, "name must not be null");
    if (!name.startsWith("-")) {
      throw new IllegalArgumentException("an option's name starts with '-', was '" + name + "'");
    }
    kinds.put(name, kind);
    canonical.put(name, name);
    for (String alias : aliases) {
      canonical.put(alias, name);
    }
    return this;
  }

  /**
   * Parses {@code args}.
   *
   * @param args the command line, as {@code main} received it
   * @return the parse
   * @throws UsageException naming the first argument that does not fit the declarations
   * @throws NullPointerException if {@code args} is null
   */
  public Parsed parse(String[] args) throws UsageException {
    Objects.requireNonNull(args, "args must not be null");
    Map<String, List<String>> values = new LinkedHashMap<>();
    List<String> words = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = String.valueOf(args[i]);
      if (!arg.startsWith("-") || arg.equals("-")) {
        if (words.size() >= positionals.size()) {
          throw new UsageException(positionals.isEmpty()
              ? "unexpected argument '" + arg + "'"
              : "unexpected argument '" + arg + "' after " + String.join(" ", positionals));
        }
        words.add(arg);
        continue;
      }
      int eq = arg.indexOf('=');
      String spelled = eq < 0 ? arg : arg.substring(0, eq);
      String name = canonical.get(spelled);
      if (name == null) {
        throw new UsageException("unknown argument '" + arg + "'");
      }
      Kind kind = kinds.get(name);
      String value;
      if (kind == Kind.FLAG) {
        if (eq >= 0) {
          throw new UsageException(spelled + " takes no value, was '" + arg + "'");
        }
        value = "";
      } else if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = String.valueOf(args[++i]);
      } else {
        throw new UsageException(spelled + " needs a value");
      }
      List<String> seen = values.computeIfAbsent(name, k -> new ArrayList<>(1));
      if (!seen.isEmpty() && kind != Kind.REPEATABLE) {
        throw new UsageException(name + " given twice");
      }
      seen.add(value);
    }
    return new Parsed(values, words);
  }

  /** The result of {@link Args#parse}. */
  public static final class Parsed {
    private final Map<String, List<String>> values;
    private final List<String> positionals;

    Parsed(Map<String, List<String>> values, List<String> positionals) {
      this.values = values;
      this.positionals = Collections.unmodifiableList(positionals);
    }

    /**
     * Whether a flag or option was given.
     *
     * @param name its declared name
     * @return true if given
     */
    public boolean has(String name) {
      return values.containsKey(name);
    }

    /**
     * An option's value.
     *
     * @param name its declared name
     * @return the value, or null if the option was not given
     */
    public String value(String name) {
      List<String> v = values.get(name);
      return v == null ? null : v.get(0);
    }

    /**
     * A repeatable option's values, in the order given.
     *
     * @param name its declared name
     * @return the values, empty if not given
     */
    public List<String> values(String name) {
      List<String> v = values.get(name);
      return v == null ? Collections.emptyList() : Collections.unmodifiableList(v);
    }

    /**
     * The positional arguments given, at most as many as declared.
     *
     * @return the words, in order
     */
    public List<String> positionals() {
      return positionals;
    }

    /**
     * An option's value as a whole number in a range.
     *
     * @param name its declared name
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @param what what the value is, for the message: {@code "a TCP port"}
     * @return the value, or -1 if the option was not given
     * @throws UsageException naming the option, the range and the value given
     */
    public long number(String name, long min, long max, String what) throws UsageException {
      String text = value(name);
      return text == null ? -1 : number(name, text, min, max, what);
    }

    /**
     * A text as a whole number in a range, for options and positional arguments alike.
     *
     * @param name the argument's name, for the message
     * @param text the text given
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @param what what the value is: {@code "a TCP port"}
     * @return the value
     * @throws UsageException naming the argument, the range and the value given
     */
    public static long number(String name, String text, long min, long max, String what)
        throws UsageException {
      long n;
      try {
        n = Long.parseLong(text.trim());
      } catch (NumberFormatException e) {
        n = Long.MIN_VALUE;
      }
      if (n < min || n > max) {
        throw new UsageException(String.format(Locale.ROOT, "%s must be %s from %d to %d, was '%s'",
            name, what, min, max, text));
      }
      return n;
    }
  }
}
