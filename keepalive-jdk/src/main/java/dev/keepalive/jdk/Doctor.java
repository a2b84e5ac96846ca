package dev.keepalive.jdk;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.KernelDefaults;
import dev.keepalive.Middlebox;
import dev.keepalive.PlatformLimits;
import dev.keepalive.Rfc1122;
import dev.keepalive.jdk.internal.Applier;
import dev.keepalive.jdk.internal.SocketAccess;
import dev.keepalive.internal.cli.Args;
import dev.keepalive.internal.cli.Console;
import dev.keepalive.internal.cli.Json;
import dev.keepalive.internal.cli.Text;
import dev.keepalive.internal.cli.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The keepalive doctor: what this machine and JVM will really do with TCP keepalive. Prints the
 * operating system, kernel and JDK; which keepalive options this JDK can set on a {@link Socket}
 * and a {@link SocketChannel}; this network namespace's kernel defaults with their detection
 * deadline, a timeline and a warning for each common middlebox that would cut an idle connection
 * first; and with {@code --policy}, the policy's validation (platform limits, RFC 1122), deadline
 * and a live check on a loopback connection (apply, then read every option back from the kernel).
 *
 * <pre>
 * java -cp keepalive-api.jar:keepalive-jdk.jar dev.keepalive.jdk.Doctor --policy "idle=90s,interval=15s,probes=2"
 * </pre>
 *
 * <p>Exit status: 0 when all is well, 1 when the policy is invalid or did not apply, 2 on bad
 * usage.
 */
public final class Doctor {

  /** Exit status: all is well. */
  public static final int OK = 0;
  /** Exit status: the policy is invalid (unparsable, beyond the platform's limits, against RFC 1122) or did not apply. */
  public static final int POLICY_FAILED = 1;
  /** Exit status: the command line is wrong. */
  public static final int USAGE = 2;

  private static final String USAGE_TEXT = String.join("\n",
      "Usage: keepalive-doctor [--policy POLICY] [--json] [--help]",
      "",
      "Shows what this machine and JVM will really do with TCP keepalive: the OS, kernel and",
      "JDK, which keepalive options this JDK can set, this network namespace's kernel defaults",
      "and their detection deadline, and middleboxes that would cut an idle connection first.",
      "",
      "  --policy POLICY  also check POLICY, e.g. \"idle=90s,interval=15s,probes=2\": platform",
      "                   limits, RFC 1122, detection deadline, and a live apply on a loopback",
      "                   connection read back from the kernel",
      "  --json           print the findings as JSON",
      "  --help           print this help",
      "",
      "Exit status: 0 all well, 1 the policy is invalid or did not apply, 2 bad usage.");

  private static final Args ARGS = Args.of("keepalive-doctor")
      .flag("--help", "-h").flag("--json").option("--policy");

  private static final int TIMEOUT_MILLIS = 5000;

  private final boolean json;
  private final String policyText;
  private final PrintStream out;
  private final Map<String, Object> doc = new LinkedHashMap<>();
  private final StringBuilder text = new StringBuilder(4096);
  private boolean ok = true;

  private Doctor(boolean json, String policyText, PrintStream out) {
    this.json = json;
    this.policyText = policyText;
    this.out = out;
  }

  /**
   * Runs the doctor on the command line and exits with its status.
   *
   * @param args the arguments; see {@code --help}
   */
  public static void main(String[] args) {
    Console.exit(Doctor::run, args);
  }

  /**
   * Runs the doctor.
   *
   * @param args the arguments: {@code --policy POLICY} (or {@code --policy=POLICY}), {@code --json},
   *     {@code --help}
   * @param out where the report (or the help) goes
   * @param err where a usage error goes
   * @return {@link #OK}, {@link #POLICY_FAILED} or {@link #USAGE}
   * @throws NullPointerException if an argument is null
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Objects.requireNonNull(args, "args must not be null");
    Objects.requireNonNull(out, "out must not be null");
    Objects.requireNonNull(err, "err must not be null");
    Args.Parsed parsed;
    try {
      parsed = ARGS.parse(args);
    } catch (UsageException e) {
      return Console.usage(err, ARGS.command(), e.getMessage());
    }
    if (parsed.has("--help")) {
      out.println(USAGE_TEXT);
      return OK;
    }
    Doctor doctor = new Doctor(parsed.has("--json"), parsed.value("--policy"), out);
    doctor.examine();
    return doctor.ok ? OK : POLICY_FAILED;
  }

  private void examine() {
    system();
    options();
    kernelDefaults();
    if (policyText != null) {
      policy();
    }
    audit();
    doc.put("ok", ok);
    doc.put("exitCode", ok ? OK : POLICY_FAILED);
    if (json) {
      out.println(Json.write(doc));
    } else {
      line("");
      line(ok ? "Result: OK" : "Result: FAILED (" + (policyText == null ? "" : "the policy is invalid"
          + " or did not apply; see ✗ above") + ")");
      out.print(text);
      out.flush();
    }
  }

  /** Where to go next: the real keepalive of a running process's connections (keepalive-audit). */
  private void audit() {
    String command = "java -jar keepalive-audit-<version>.jar --pid PID [--expect POLICY]";
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("command", command);
    section.put("needs", "Java 22+, Linux 5.6+, root or the process's user (ptrace_scope 0)");
    doc.put("audit", section);
    line("");
    line("To see the keepalive the kernel really has on every connection of a running process");
    line("(a JDBC pool, gRPC, a Redis client), Java 22+ and Linux 5.6+: %s", command);
  }

  // ---- system ----

  private void system() {
    String osName = System.getProperty("os.name", "unknown");
    String osVersion = System.getProperty("os.version", "unknown");
    String arch = System.getProperty("os.arch", "unknown");
    String jdk = System.getProperty("java.runtime.version", System.getProperty("java.version"));
    String vendor = System.getProperty("java.vendor", "unknown");
    boolean jdkNet = JdkOptions.extendedOptionsAvailable();
    Map<String, Object> os = new LinkedHashMap<>();
    os.put("name", osName);
    os.put("kernel", osVersion);
    os.put("arch", arch);
    doc.put("os", os);
    Map<String, Object> java = new LinkedHashMap<>();
    java.put("version", jdk);
    java.put("vendor", vendor);
    java.put("home", System.getProperty("java.home", ""));
    java.put("jdkNet", jdkNet);
    doc.put("jdk", java);

    line("keepalive doctor");
    line("");
    line("System");
    line("  OS       %s, kernel %s (%s)", osName, osVersion, arch);
    line("  JDK      %s (%s), %s", jdk, vendor, System.getProperty("java.home", ""));
    line("  jdk.net  %s", jdkNet ? "present: TCP_KEEPIDLE, TCP_KEEPINTERVAL, TCP_KEEPCOUNT available"
        : "MISSING: " + Applier.runtimeCannotSet(KeepaliveOption.TCP_KEEPIDLE));
  }

  // ---- options ----

  private void options() {
    Map<String, Map<KeepaliveOption, String>> kinds = new LinkedHashMap<>();
    try (Socket socket = new Socket()) {
      kinds.put("Socket", support(SocketAccess.SOCKET, socket));
    } catch (IOException | RuntimeException e) {
      kinds.put("Socket", null);
    }
    try (SocketChannel channel = SocketChannel.open()) {
      kinds.put("SocketChannel", support(SocketAccess.CHANNEL, channel));
    } catch (IOException | RuntimeException e) {
      kinds.put("SocketChannel", null);
    }
    Map<String, Object> jsonKinds = new LinkedHashMap<>();
    for (Map.Entry<String, Map<KeepaliveOption, String>> kind : kinds.entrySet()) {
      Map<String, Object> options = new LinkedHashMap<>();
      if (kind.getValue() != null) {
        for (Map.Entry<KeepaliveOption, String> o : kind.getValue().entrySet()) {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("supported", o.getValue() == null);
          if (o.getValue() != null) {
            entry.put("reason", o.getValue());
          }
          options.put(o.getKey().name(), entry);
        }
      }
      jsonKinds.put(kind.getKey(), options);
    }
    doc.put("options", jsonKinds);

    line("");
    line("Keepalive options this JDK can set");
    line("  %-18s %-8s %s", "", "Socket", "SocketChannel");
    Map<KeepaliveOption, String> socket = kinds.get("Socket");
    Map<KeepaliveOption, String> channel = kinds.get("SocketChannel");
    List<String> reasons = new ArrayList<>();
    for (KeepaliveOption option : KeepaliveOption.values()) {
      String s = socket == null ? "cannot open a socket" : socket.get(option);
      String c = channel == null ? "cannot open a channel" : channel.get(option);
      line("  %-18s %-8s %s", option.name(), mark(s == null), mark(c == null));
      String reason = s != null ? s : c;
      if (reason != null) {
        reasons.add(option.name() + ": " + reason);
      }
    }
    for (String reason : reasons) {
      line("  %s", reason);
    }
  }

  private static <S> Map<KeepaliveOption, String> support(SocketAccess<S> access, S socket) {
    Map<KeepaliveOption, String> support = new LinkedHashMap<>();
    for (KeepaliveOption option : KeepaliveOption.values()) {
      support.put(option, Applier.cannotSet(access, socket, option));
    }
    return support;
  }

  // ---- kernel defaults ----

  private void kernelDefaults() {
    Map<String, Object> section = new LinkedHashMap<>();
    doc.put("kernelDefaults", section);
    line("");
    KernelDefaults defaults;
    try {
      defaults = KernelDefaults.current();
    } catch (IllegalStateException e) {
      section.put("known", false);
      section.put("source", e.getMessage());
      line("Kernel defaults: unknown (%s)", e.getMessage());
      return;
    }
    section.put("known", defaults.known());
    section.put("source", defaults.source());
    if (!defaults.known()) {
      line("Kernel defaults: %s", defaults.source());
      return;
    }
    KeepalivePolicy policy = defaults.policy().get();
    line("Kernel defaults, from %s", defaults.source());
    line("  What a socket gets on %s when it only switches SO_KEEPALIVE on.",
        defaults.platform().displayName());
    describe(policy, section);
  }

  /** Deadline, timeline and middlebox warnings of an enabled policy, in both outputs. */
  private void describe(KeepalivePolicy policy, Map<String, Object> section) {
    section.put("policy", policy.toString());
    if (!policy.enabled()) {
      line("  keepalive off: a silent peer is never detected by TCP; every middlebox below"
          + " forgets an idle connection");
      section.put("middleboxWarnings", middleboxes(policy));
      return;
    }
    long deadline = policy.detectionDeadline().getSeconds();
    section.put("idleSeconds", policy.idleSeconds());
    section.put("intervalSeconds", policy.intervalSeconds());
    section.put("probes", policy.probes());
    section.put("deadlineSeconds", deadline);
    section.put("deadline", Text.seconds(deadline));
    line("  idle %d s, interval %d s, %d probe%s: a silent peer is detected after %d s (%s)",
        policy.idleSeconds(), policy.intervalSeconds(), policy.probes(),
        policy.probes() == 1 ? "" : "s", deadline, Text.seconds(deadline));
    List<Object> timeline = new ArrayList<>();
    for (long[] event : timeline(policy)) {
      long at = event[0];
      long kind = event[1];
      long probe = event[2];
      String what;
      if (kind == IDLE) {
        what = "last packet from the peer; the connection goes idle";
      } else if (kind == ELIDED) {
        what = "… " + probe + " more probe" + (probe == 1 ? "" : "s") + ", "
            + policy.intervalSeconds() + " s apart";
      } else if (kind == DEAD) {
        what = "dead: the kernel resets it, reads fail with ETIMEDOUT (Connection timed out)";
      } else {
        what = "probe " + probe + (probe == 1 ? " (idle is over)" : "");
      }
      if (kind != ELIDED) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("atSeconds", at);
        e.put("at", Text.seconds(at));
        e.put("event", kind == IDLE ? "idle" : kind == DEAD ? "dead" : "probe " + probe);
        timeline.add(e);
        line("  %10s  %-16s %s", "+" + at + " s", Text.seconds(at), what);
      } else {
        line("  %10s  %-16s %s", "", "", what);
      }
    }
    section.put("timeline", timeline);
    section.put("middleboxWarnings", middleboxes(policy));
  }

  /** Timeline event kinds, the second element of an event. */
  private static final int IDLE = 0;
  private static final int PROBE = 1;
  private static final int ELIDED = 2;
  private static final int DEAD = 3;

  /**
   * (seconds, kind, probe number or count elided) triples: the idle start, probes 1 and 2, the
   * number of probes in between, the last probe, death; every probe when there are at most 6. At
   * most 8 events whatever the probe count: a timeline of Integer.MAX_VALUE probes (a valid policy)
   * is as long as one of 7, and the arithmetic is in long, where idle + interval × probes fits.
   */
  private static List<long[]> timeline(KeepalivePolicy policy) {
    long n = policy.probes();
    long idle = policy.idleSeconds();
    long interval = policy.intervalSeconds();
    List<long[]> events = new ArrayList<>(8);
    events.add(new long[] {0, IDLE, 0});
    for (long probe = 1; probe <= n; probe++) {
      if (n > 6 && probe == 3) {
        events.add(new long[] {0, ELIDED, n - 3});
        probe = n;
      }
      events.add(new long[] {idle + interval * (probe - 1), PROBE, probe});
    }
    events.add(new long[] {idle + interval * n, DEAD, n + 1});
    return events;
  }

  private List<Object> middleboxes(KeepalivePolicy policy) {
    List<Object> warnings = new ArrayList<>();
    for (Middlebox m : Middlebox.values()) {
      if (!m.forgets(policy)) {
        continue;
      }
      long timeout = m.idleTimeout().getSeconds();
      KeepalivePolicy through = KeepalivePolicy.keepingAliveThrough(m);
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("middlebox", m.name());
      w.put("name", m.displayName());
      w.put("idleTimeoutSeconds", timeout);
      w.put("source", m.source());
      w.put("suggestedPolicy", through.toString());
      warnings.add(w);
      line("  ! %s drops a flow idle for %d s (%s): %s", m.displayName(), timeout, Text.seconds(timeout),
          policy.enabled() ? "the idle of " + policy.idleSeconds() + " s is not shorter"
              : "keepalive is off");
      line("      keepingAliveThrough(Middlebox.%s) = %s", m.name(), through);
    }
    return warnings;
  }

  // ---- policy ----

  private void policy() {
    Map<String, Object> section = new LinkedHashMap<>();
    doc.put("policy", section);
    section.put("text", policyText);
    line("");
    line("Policy \"%s\"", policyText);
    KeepalivePolicy policy;
    try {
      policy = KeepalivePolicy.parse(policyText);
    } catch (IllegalArgumentException e) {
      ok = false;
      section.put("valid", false);
      section.put("error", e.getMessage());
      line("  ✗ cannot read it: %s", e.getMessage());
      return;
    }
    PlatformLimits limits = PlatformLimits.current();
    List<Object> limitViolations = new ArrayList<>();
    for (PlatformLimits.Violation v : limits.check(policy)) {
      limitViolations.add(v.message());
    }
    List<Object> rfc = new ArrayList<>();
    for (Rfc1122.Violation v : Rfc1122.check(policy, Rfc1122.Use.EXPLICIT)) {
      rfc.add(v.toString());
    }
    boolean valid = limitViolations.isEmpty() && rfc.isEmpty();
    ok &= valid;
    section.put("valid", valid);
    section.put("platformLimits", limitViolations);
    section.put("rfc1122", rfc);
    if (limitViolations.isEmpty()) {
      line("  ✓ within %s's limits (%s)", limits.platform().displayName(), limits);
    } else {
      for (Object v : limitViolations) {
        line("  ✗ %s", v);
      }
    }
    if (rfc.isEmpty()) {
      line("  ✓ RFC 1122 §4.2.3.6 (keep-alives) for a policy an application chooses");
    } else {
      for (Object v : rfc) {
        line("  ✗ %s", v);
      }
    }
    describe(policy, section);
    if (!limitViolations.isEmpty()) {
      section.put("liveCheck", null);
      line("  Live check skipped: the kernel would refuse the policy");
      return;
    }
    section.put("liveCheck", liveCheck(policy));
  }

  private Map<String, Object> liveCheck(KeepalivePolicy policy) {
    Map<String, Object> check = new LinkedHashMap<>();
    InetAddress loopback = InetAddress.getLoopbackAddress();
    check.put("socket", Socket.class.getName());
    check.put("address", loopback.getHostAddress());
    line("  Live check: java.net.Socket to %s, apply, then read back from the kernel",
        loopback.getHostAddress());
    List<Object> options = new ArrayList<>();
    check.put("options", options);
    boolean applied = true;
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(loopback, 0), 1);
      server.setSoTimeout(TIMEOUT_MILLIS);
      try (Socket socket = new Socket()) {
        socket.connect(server.getLocalSocketAddress(), TIMEOUT_MILLIS);
        try (Socket peer = server.accept()) {
          ApplyReport report = Keepalive.apply(socket, policy, ApplyMode.LENIENT);
          for (ApplyReport.Entry e : report.entries()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("option", e.option().name());
            o.put("expected", e.value());
            o.put("status", e.status().name());
            String actual = e.status() == ApplyReport.Status.APPLIED ? readBack(socket, e.option()) : null;
            boolean good = e.value().equals(actual);
            applied &= good;
            o.put("actual", actual);
            o.put("ok", good);
            if (!e.detail().isEmpty()) {
              o.put("detail", e.detail());
            }
            options.add(o);
            line("    %s %-17s %-10s %s", mark(good), e.option().name(), e.value(),
                actual != null ? "read back " + actual
                    : e.status().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + e.detail());
          }
          if (peer.isClosed()) {
            throw new IllegalStateException("loopback peer closed");
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      applied = false;
      check.put("error", e.toString());
      line("    ✗ %s", e);
    }
    check.put("ok", applied);
    ok &= applied;
    return check;
  }

  /** The option's value as the kernel has it now, in the form {@link KeepaliveOption#valueIn}. */
  private static String readBack(Socket socket, KeepaliveOption option) throws IOException {
    SocketOption<?> jdk = Applier.jdkOption(option);
    if (jdk == null) {
      return null;
    }
    Object value = socket.getOption(jdk);
    switch (option) {
      case SO_KEEPALIVE:
        return Boolean.TRUE.equals(value) ? "on" : "off";
      case TCP_KEEPIDLE:
      case TCP_KEEPINTERVAL:
        return value + "s";
      default:
        return String.valueOf(value);
    }
  }

  // ---- formatting ----

  private static String mark(boolean good) {
    return good ? "✓" : "✗";
  }

  private void line(String format, Object... args) {
    text.append(args.length == 0 ? format : String.format(Locale.ROOT, format, args)).append('\n');
  }
}
