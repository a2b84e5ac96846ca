package dev.keepalive.agent;

import dev.keepalive.ApplyMode;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.PlatformLimits;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import dev.keepalive.spi.KeepaliveApplier;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The agent's settings, read once at start-up, and every check on them: a setting the agent cannot
 * honour is a {@link SettingsException} whose message names the setting, the value and where it
 * came from, so the JVM stops before {@code main} with that one line.
 *
 * <p>The keys are the same everywhere (system properties, the file, later Spring Boot's
 * properties): {@value #POLICY}, {@value #TO}PORT / HOST:PORT / CIDR, {@value #ACCEPTED}PORT,
 * {@value #MODE} and {@value #PINNED}. Where a key is given more than once, the agent argument's
 * inline policy wins over a system property, which wins over the file; the environment variable
 * {@value #POLICY_ENV} is read only when no other source gives {@value #POLICY}.
 */
final class Settings {

  /** The default policy; the name {@code KeepaliveSocketFactory} reads too. */
  static final String POLICY = KeepaliveSocketFactory.POLICY_PROPERTY;
  /** The environment variable {@code KeepaliveSocketFactory} reads too. */
  static final String POLICY_ENV = KeepaliveSocketFactory.POLICY_ENVIRONMENT_VARIABLE;
  static final String TO = POLICY + ".to.";
  static final String ACCEPTED = POLICY + ".accepted.";
  static final String MODE = "keepalive.mode";
  static final String PINNED = "keepalive.pinned";
  /** The value that leaves connections exactly as the client makes them. */
  static final String UNCHANGED = "unchanged";

  static final String FILE_ARGUMENT = "file=";

  /** In {@link #uniform}: no rule's policy sets the option, so any client value stands. */
  static final int ANY = Integer.MIN_VALUE;
  /** In {@link #uniform}: the rules' policies set the option to different values. */
  static final int MIXED = Integer.MIN_VALUE + 1;

  final Rules rules;
  final ApplyMode mode;
  final boolean pinned;
  /**
   * Per {@link KeepaliveOption}: the value every rule's policy gives it, {@link #ANY} or {@link
   * #MIXED}. A client's call before connecting with that value needs no settling at connect.
   */
  final int[] uniform;

  private Settings(Rules rules, ApplyMode mode, boolean pinned) {
    this.rules = rules;
    this.mode = mode;
    this.pinned = pinned;
    this.uniform = new int[KeepaliveOption.values().length];
    Arrays.fill(uniform, ANY);
    for (Rule r : rules.all()) {
      if (r.unchanged()) {
        continue;
      }
      for (KeepaliveOption option : KeepaliveOption.values()) {
        if (option != KeepaliveOption.SO_KEEPALIVE && !r.policy.enabled()) {
          // A disabled policy leaves the tuning options alone.
          continue;
        }
        int v = KeepaliveApplier.valueOf(option, r.policy);
        int o = option.ordinal();
        uniform[o] = uniform[o] == ANY || uniform[o] == v ? v : MIXED;
      }
    }
  }

  /** The settings, as the INFO line shows them (no String.format: start-up time). */
  String describe() {
    Rule d = rules.defaultRule();
    return "policy " + d.value + " (" + d.source + "); rules: " + rules.describeRules()
        + "; mode " + (mode == ApplyMode.STRICT ? "strict" : "lenient") + "; "
        + (pinned ? "pinned (clients' later keepalive calls are ignored)"
            : "not pinned (clients' later keepalive calls win)");
  }

  /** A value and where it came from. */
  private static final class Given {
    final String value;
    final String source;

    Given(String value, String source) {
      this.value = value;
      this.source = source;
    }
  }

  /**
   * Reads the settings.
   *
   * @param argument the agent argument: empty or null, {@code file=PATH}, or a policy
   * @param system the system properties
   * @param environment the environment variable {@value #POLICY_ENV}, asked only when no other
   *     source gives the policy
   * @return the settings
   * @throws SettingsException naming the first setting the agent cannot honour
   */
  static Settings load(String argument, Properties system, Function<String, String> environment)
      throws SettingsException {
    Map<String, Given> given = new LinkedHashMap<>();
    String arg = argument == null ? "" : argument.trim();
    if (arg.startsWith(FILE_ARGUMENT)) {
      readFile(arg.substring(FILE_ARGUMENT.length()).trim(), given);
    }
    for (String key : system.stringPropertyNames()) {
      if (key.equals(POLICY) || key.startsWith(POLICY + ".") || key.equals(MODE)
          || key.equals(PINNED)) {
        // Other keepalive.* properties belong to the rest of the project (the Spring Boot
        // starter's keepalive.server.policy, …): not the agent's to refuse.
        checkKey(key, "system property");
        given.put(key, new Given(system.getProperty(key), "system property"));
      }
    }
    if (!arg.isEmpty() && !arg.startsWith(FILE_ARGUMENT)) {
      given.put(POLICY, new Given(arg, "agent argument"));
    }
    if (!given.containsKey(POLICY)) {
      String env = environment.apply(POLICY_ENV);
      if (env != null) {
        given.put(POLICY, new Given(env, "environment variable " + POLICY_ENV));
      }
    }

    ApplyMode mode = ApplyMode.LENIENT;
    Given m = given.remove(MODE);
    if (m != null) {
      String v = m.value.trim().toLowerCase(Locale.ROOT);
      if (v.equals("lenient")) {
        mode = ApplyMode.LENIENT;
      } else if (v.equals("strict")) {
        mode = ApplyMode.STRICT;
      } else {
        throw bad(MODE, m, "must be lenient or strict");
      }
    }
    boolean pinned = true;
    Given p = given.remove(PINNED);
    if (p != null) {
      String v = p.value.trim();
      if (v.equals("true")) {
        pinned = true;
      } else if (v.equals("false")) {
        pinned = false;
      } else {
        throw bad(PINNED, p, "must be true or false");
      }
    }

    Given d = given.remove(POLICY);
    Rule defaultRule = d == null
        ? Rule.defaultRule(POLICY, UNCHANGED, "not set", null)
        : Rule.defaultRule(POLICY, d.value.trim(), d.source, policy(POLICY, d, mode));
    List<Rule> rules = new ArrayList<>();
    Map<String, Rule> selections = new LinkedHashMap<>();
    for (Map.Entry<String, Given> e : given.entrySet()) {
      Rule rule = rule(e.getKey(), e.getValue(), mode);
      Rule same = selections.putIfAbsent(rule.selection, rule);
      if (same != null) {
        throw new SettingsException(String.format(Locale.ROOT,
            "%s (%s) and %s (%s) both select connections %s: keep one of them",
            same.key, same.source, rule.key, rule.source, rule.selection));
      }
      rules.add(rule);
    }
    Rules all = new Rules(defaultRule, rules);
    if (d == null && rules.isEmpty()) {
      throw new SettingsException("no policy: give one as -javaagent:keepalive-agent.jar=POLICY"
          + " (e.g. idle=60s,interval=10s,probes=3), -javaagent:keepalive-agent.jar=file=PATH,"
          + " -D" + POLICY + "=POLICY or the environment variable " + POLICY_ENV);
    }
    return new Settings(all, mode, pinned);
  }

  private static void readFile(String path, Map<String, Given> given) throws SettingsException {
    if (path.isEmpty()) {
      throw new SettingsException("agent argument file= names no file: write"
          + " -javaagent:keepalive-agent.jar=file=/path/to/keepalive.properties");
    }
    Path file = Paths.get(path);
    String source = "file " + file;
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      throw new SettingsException("cannot read the settings file " + file + ": " + e);
    }
    for (String key : properties.stringPropertyNames()) {
      String value = properties.getProperty(key);
      if (!key.equals(POLICY) && !key.startsWith(POLICY + ".") && !key.equals(MODE)
          && !key.equals(PINNED)) {
        throw new SettingsException(String.format(Locale.ROOT,
            "%s=%s (%s) is not a keepalive-agent setting: the settings are %s, %sPORT,"
                + " %sHOST:PORT, %sCIDR, %sPORT, %s and %s%s",
            key, value, source, POLICY, TO, TO, TO, ACCEPTED, MODE, PINNED,
            splitHint(key, value)));
      }
      checkKey(key, source);
      given.put(key, new Given(value, source));
    }
  }

  /** A key under {@code keepalive.policy.} must be a {@code to.} or an {@code accepted.} rule. */
  private static void checkKey(String key, String source) throws SettingsException {
    if (key.startsWith(POLICY + ".") && !key.startsWith(TO) && !key.startsWith(ACCEPTED)) {
      throw new SettingsException(String.format(Locale.ROOT,
          "%s (%s) is not a keepalive-agent setting: rules are %sPORT, %sHOST:PORT, %sCIDR and"
              + " %sPORT", key, source, TO, TO, TO, ACCEPTED));
    }
  }

  private static Rule rule(String key, Given g, ApplyMode mode) throws SettingsException {
    if (key.startsWith(ACCEPTED)) {
      String selector = key.substring(ACCEPTED.length());
      int port = port(selector);
      if (port < 0) {
        throw new SettingsException(String.format(Locale.ROOT,
            "%s=%s (%s): '%s' is not a local port (1 to 65535)%s", key, g.value, g.source,
            selector, splitHint(key, g.value)));
      }
      return Rule.accepted(key, g.value.trim(), g.source, policy(key, g, mode), port);
    }
    String selector = key.substring(TO.length());
    Rule rule = selector(key, selector, g, mode);
    if (rule == null) {
      throw new SettingsException(String.format(Locale.ROOT,
          "%s=%s (%s): '%s' is not a PORT, HOST:PORT ([IPv6]:PORT) or CIDR (ADDRESS/PREFIX)%s",
          key, g.value, g.source, selector, splitHint(key, g.value)));
    }
    return rule;
  }

  /** The rule a {@code to.} selector names, or null if it names none. */
  private static Rule selector(String key, String selector, Given g, ApplyMode mode)
      throws SettingsException {
    String value = g.value.trim();
    int port = port(selector);
    if (port > 0) {
      return Rule.port(key, value, g.source, policy(key, g, mode), port);
    }
    int slash = selector.indexOf('/');
    if (slash >= 0) {
      String text = selector.substring(0, slash);
      if (text.startsWith("[") && text.endsWith("]")) {
        text = text.substring(1, text.length() - 1);
      }
      InetAddress address = literal(text);
      String bits = selector.substring(slash + 1);
      if (address == null || bits.isEmpty() || bits.length() > 3 || !digits(bits)) {
        return null;
      }
      int prefix = Integer.parseInt(bits);
      int width = address.getAddress().length * 8;
      boolean mapped = text.indexOf(':') >= 0 && width == 32;
      if (mapped) {
        // ::ffff:a.b.c.d/N: Java gives IPv4-mapped peers as Inet4Address.
        prefix -= 96;
      }
      if (prefix < 0 || prefix > width) {
        throw new SettingsException(String.format(Locale.ROOT,
            "%s=%s (%s): the prefix length of %s must be 0 to %d", key, g.value, g.source,
            selector, mapped ? 128 : width));
      }
      byte[] network = address.getAddress();
      if (!Rules.inPrefix(network, masked(network, prefix), width)) {
        throw new SettingsException(String.format(Locale.ROOT,
            "%s=%s (%s): %s has bits set beyond its /%s prefix: write the network, %s/%s", key,
            g.value, g.source, selector, bits, address(masked(network, prefix)).getHostAddress(),
            bits));
      }
      return Rule.cidr(key, value, g.source, policy(key, g, mode), address, prefix);
    }
    int colon = selector.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    int hostPort = port(selector.substring(colon + 1));
    String host = selector.substring(0, colon);
    if (hostPort < 0) {
      return null;
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      InetAddress v6 = literal(host.substring(1, host.length() - 1));
      if (v6 == null) {
        return null;
      }
      return Rule.hostAddress(key, value, g.source, policy(key, g, mode), v6, hostPort);
    }
    if (host.indexOf(':') >= 0) {
      // An IPv6 address needs brackets to be told from its port.
      return null;
    }
    InetAddress v4 = literal(host);
    if (v4 != null) {
      return Rule.hostAddress(key, value, g.source, policy(key, g, mode), v4, hostPort);
    }
    if (!hostName(host)) {
      return null;
    }
    return Rule.hostName(key, value, g.source, policy(key, g, mode), host.toLowerCase(Locale.ROOT),
        hostPort);
  }

  /** The policy of a setting; null for {@code unchanged}. */
  private static KeepalivePolicy policy(String key, Given g, ApplyMode mode)
      throws SettingsException {
    String text = g.value.trim();
    if (text.equals(UNCHANGED)) {
      return null;
    }
    KeepalivePolicy policy;
    try {
      policy = KeepalivePolicy.parse(text);
      PlatformLimits.current().requireSupported(policy);
    } catch (IllegalArgumentException e) {
      throw new SettingsException(String.format(Locale.ROOT,
          "%s=%s (%s) is not a keepalive policy this platform can take: %s (or write %s)", key,
          g.value, g.source, e.getMessage(), UNCHANGED));
    }
    if (mode == ApplyMode.STRICT && policy.hasUserTimeout()) {
      throw new SettingsException(String.format(Locale.ROOT,
          "%s=%s (%s): the JDK's sockets have no TCP_USER_TIMEOUT, so in %s=strict every"
              + " connection they open would fail; drop the user timeout, or use %s=lenient"
              + " (Netty's epoll and io_uring channels then get it, JDK sockets the rest)",
          key, g.value, g.source, MODE, MODE));
    }
    return policy;
  }

  /** 1 to 65535 written in decimal digits, or -1. */
  private static int port(String text) {
    if (text.isEmpty() || text.length() > 5 || !digits(text)) {
      return -1;
    }
    int port = Integer.parseInt(text);
    return port >= 1 && port <= 65535 ? port : -1;
  }

  private static boolean digits(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * An IPv4 literal (four decimal parts) or an IPv6 literal, parsed without any name lookup; null
   * if {@code text} is neither.
   */
  static InetAddress literal(String text) {
    if (text.isEmpty()) {
      return null;
    }
    if (text.indexOf(':') >= 0) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
          return null;
        }
      }
      try {
        // A text of hex digits, ':' and '.' is parsed as a literal by the JDK, never resolved.
        return InetAddress.getByName(text);
      } catch (UnknownHostException e) {
        return null;
      }
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (parts[i].isEmpty() || parts[i].length() > 3 || !digits(parts[i])) {
        return null;
      }
      int b = Integer.parseInt(parts[i]);
      if (b > 255) {
        return null;
      }
      bytes[i] = (byte) b;
    }
    return address(bytes);
  }

  private static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes", e);
    }
  }

  private static byte[] masked(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int bit = prefix; bit < out.length * 8; bit++) {
      out[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return out;
  }

  /** RFC 1123 labels: letters, digits, hyphens, dots (and underscores, which some DNS holds). */
  private static boolean hostName(String host) {
    if (host.isEmpty() || host.length() > 253 || host.startsWith(".") || host.endsWith(".")) {
      return false;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * A .properties file splits a line at its first unescaped ':' or '=': {@code
   * keepalive.policy.to.db:5432=idle=…} becomes the key {@code keepalive.policy.to.db} with the
   * value {@code 5432=idle=…}. When a value looks like the rest of such a key, say so.
   */
  private static String splitHint(String key, String value) {
    String v = value == null ? "" : value.trim();
    int eq = v.indexOf('=');
    boolean looksSplit = v.startsWith(":") || (eq > 0 && !v.startsWith("idle")
        && !v.startsWith("interval") && !v.startsWith("probes") && !v.startsWith("off")
        && !v.startsWith("time") && !v.startsWith("intvl") && !v.startsWith("count")
        && !v.startsWith("net.") && !v.startsWith("user-timeout"));
    if (!looksSplit) {
      return "";
    }
    return String.format(Locale.ROOT, "; the value looks like the rest of the key: a .properties"
        + " file splits a line at its first ':' or '=', so write each ':' of a key as '\\:'"
        + " (e.g. %sdb.internal\\:5432=…, %s[fd00\\:\\:1]\\:5432=…, %sfd00\\:\\:/8=…)", TO, TO, TO);
  }

  /** What {@code g} is, for a message: {@code key=value (source): problem}. */
  private static SettingsException bad(String key, Given g, String problem) {
    return new SettingsException(String.format(Locale.ROOT, "%s=%s (%s) %s", key, g.value,
        g.source, problem));
  }
}
