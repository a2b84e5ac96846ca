package dev.keepalive.jdk;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.ConfiguredMiddlebox;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.KernelDefaults;
import dev.keepalive.Middlebox;
import dev.keepalive.PlatformLimits;
import dev.keepalive.Rfc1122;
import dev.keepalive.internal.cli.Args;
import dev.keepalive.internal.cli.Console;
import dev.keepalive.internal.cli.DoctorTransport;
import dev.keepalive.internal.cli.DoctorTransports;
import dev.keepalive.internal.cli.Json;
import dev.keepalive.internal.cli.Text;
import dev.keepalive.internal.cli.UsageException;
import dev.keepalive.jdk.internal.Applier;
import dev.keepalive.jdk.internal.Companions;
import dev.keepalive.jdk.internal.Companions.Shell;
import dev.keepalive.jdk.internal.JdkDoctorTransports;
import dev.keepalive.spi.KeepaliveApplier;
import dev.keepalive.spi.SocketOptionAccess;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The keepalive doctor: what this machine and JVM will really do with TCP keepalive. Prints the
 * operating system, kernel and JDK; which keepalive options each transport can set here (the JDK's
 * {@link Socket} and {@link SocketChannel}, and Netty's NIO, epoll and io_uring when keepalive-netty
 * and those transports are on the class path); this network namespace's kernel defaults with their
 * detection deadline, a timeline and a warning for each middlebox that would cut an idle connection
 * first; with {@code --policy}, the policy's validation (platform limits, RFC 1122), deadline and a
 * live check per transport on a loopback connection (apply, then read every option back from the
 * kernel); and the commands that reach further: keepalive-audit for a running process's
 * connections, keepalive-agent for clients that take no socket factory.
 *
 * <pre>
 * java -cp keepalive-api.jar:keepalive-jdk.jar dev.keepalive.jdk.Doctor --policy "idle=90s,interval=15s,probes=2"
 * </pre>
 *
 * <p>keepalive-jdk does not depend on Netty: keepalive-netty's transports are found at run time
 * through a {@link ServiceLoader} service.
 *
 * <p>Exit status: 0 when all is well (no policy, or a valid policy that at least one transport here
 * takes in full while the others refuse it with a reason, never by failing), 1 when the policy is
 * invalid, no transport takes it, or one that should failed to, 2 on bad usage.
 */
public final class Doctor {

  /** Exit status: all is well; with a policy, at least one transport here takes it in full. */
  public static final int OK = 0;
  /**
   * Exit status: the policy is invalid (unparsable, beyond the platform's limits, against RFC 1122),
   * no transport here takes it, or a transport that can set every option did not apply it.
   */
  public static final int POLICY_FAILED = 1;
  /** Exit status: the command line is wrong. */
  public static final int USAGE = 2;

  private static final String USAGE_TEXT = String.join("\n",
      "Usage: keepalive-doctor [--policy POLICY] [--middlebox NAME[=TIMEOUT]]... [--json] [--help]",
      "",
      "Shows what this machine and JVM will really do with TCP keepalive: the OS, kernel and",
      "JDK, which keepalive options each transport can set (the JDK's Socket and SocketChannel;",
      "Netty NIO, epoll and io_uring when keepalive-netty is on the class path), this network",
      "namespace's kernel defaults and their detection deadline, middleboxes that would cut an",
      "idle connection first, and how to audit a running process or reach clients that take no",
      "socket factory.",
      "",
      "  --policy POLICY        also check POLICY, e.g. \"idle=90s,interval=15s,probes=2\":",
      "                         platform limits, RFC 1122, detection deadline, and a live apply on",
      "                         a loopback connection per transport, read back from the kernel",
      "  --middlebox NAME[=TIMEOUT]",
      "                         check against this middlebox only (repeatable), as configured:",
      "                         AWS_NLB=600s, AZURE_LB=30m, GCP_CLOUD_NAT; default: every preset",
      "  --json                 print the findings as JSON",
      "  --help                 print this help",
      "",
      "Exit status: 0 all well (with a policy: at least one transport takes it in full), 1 the",
      "policy is invalid, no transport takes it, or one failed to, 2 bad usage.");

  private static final Args ARGS = Args.of("keepalive-doctor")
      .flag("--help", "-h").flag("--json").option("--policy").repeatable("--middlebox");

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** The service keepalive-netty provides; named for the hint when it is absent. */
  private static final String NETTY_HINT = "keepalive-netty is not on the class path: with it (and"
      + " Netty) the doctor also examines Netty NIO, epoll and io_uring";

  /** What the audit needs besides a Java 22+. */
  static final int AUDIT_JAVA = 22;

  private final boolean json;
  private final String policyText;
  private final List<ConfiguredMiddlebox> middleboxes;
  private final boolean middleboxesGiven;
  private final PrintStream out;
  private final Map<String, Object> doc = new LinkedHashMap<>();
  private final StringBuilder text = new StringBuilder(8192);

  /** Providers given by a test, examined after keepalive-jdk's own. */
  private final List<DoctorTransports> extra = new ArrayList<>();
  /** Notes on the transports: a provider that failed to load, keepalive-netty's absence. */
  private List<String> notes = new ArrayList<>();
  /** The parsed policy, or null if none was given or it could not be read. */
  private KeepalivePolicy policy;
  private boolean policyValid;
  private boolean withinLimits;

  private Doctor(boolean json, String policyText, List<ConfiguredMiddlebox> middleboxes,
      boolean middleboxesGiven, PrintStream out) {
    this.json = json;
    this.policyText = policyText;
    this.middleboxes = middleboxes;
    this.middleboxesGiven = middleboxesGiven;
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
   * @param args the arguments: {@code --policy POLICY} (or {@code --policy=POLICY}), {@code
   *     --middlebox NAME[=TIMEOUT]} (repeatable), {@code --json}, {@code --help}
   * @param out where the report (or the help) goes
   * @param err where a usage error goes
   * @return {@link #OK}, {@link #POLICY_FAILED} or {@link #USAGE}
   * @throws NullPointerException if an argument is null
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, new ArrayList<>());
  }

  /** {@link #run(String[], PrintStream, PrintStream)} with more transports, for tests. */
  static int run(String[] args, PrintStream out, PrintStream err, List<DoctorTransports> extra) {
    Objects.requireNonNull(args, "args must not be null");
    Objects.requireNonNull(out, "out must not be null");
    Objects.requireNonNull(err, "err must not be null");
    Args.Parsed parsed;
    List<ConfiguredMiddlebox> middleboxes = new ArrayList<>();
    try {
      parsed = ARGS.parse(args);
      for (String m : parsed.values("--middlebox")) {
        try {
          middleboxes.add(ConfiguredMiddlebox.parse(m));
        } catch (IllegalArgumentException e) {
          throw new UsageException("--middlebox: " + e.getMessage());
        }
      }
    } catch (UsageException e) {
      return Console.usage(err, ARGS.command(), e.getMessage());
    }
    if (parsed.has("--help")) {
      out.println(USAGE_TEXT);
      return OK;
    }
    boolean given = !middleboxes.isEmpty();
    if (!given) {
      for (Middlebox m : Middlebox.values()) {
        middleboxes.add(m.withIdleTimeout(m.idleTimeout()));
      }
    }
    Doctor doctor = new Doctor(parsed.has("--json"), parsed.value("--policy"), middleboxes, given,
        out);
    doctor.extra.addAll(extra);
    return doctor.examine();
  }

  private int examine() {
    system();
    Map<String, Object> policySection = policyText == null ? null : readPolicy();
    List<Examined> transports = transports(policy != null && withinLimits ? policy : null);
    transportsSection(transports);
    kernelDefaults();
    Verdict verdict = Verdict.OK;
    String why = "";
    if (policySection != null) {
      doc.put("policy", policySection);
      policySection.put("liveChecks", liveChecks(transports));
      String[] result = verdict(transports);
      verdict = Verdict.valueOf(result[0]);
      why = result[1];
      policySection.put("verdict", verdict.name());
      policySection.put("takenBy", names(transports, Outcome.TAKES));
      List<Object> notTaken = new ArrayList<>();
      for (Examined e : transports) {
        if (e.outcome == Outcome.CANNOT || e.outcome == Outcome.FAILED) {
          Map<String, Object> n = new LinkedHashMap<>();
          n.put("transport", e.name);
          n.put("reason", e.why);
          notTaken.add(n);
        }
      }
      policySection.put("notTakenBy", notTaken);
    }
    beyond();
    int status = verdict == Verdict.FAILED ? POLICY_FAILED : OK;
    doc.put("verdict", verdict.name());
    doc.put("ok", status == OK);
    doc.put("exitCode", status);
    if (json) {
      out.println(Json.write(doc));
    } else {
      line("");
      line("Result: %s%s", verdict == Verdict.FAILED ? "FAILED" : "OK", why);
      out.print(text);
      out.flush();
    }
    return status;
  }

  /** The overall verdict of a policy. */
  private enum Verdict {
    /** No policy, or every transport examined here takes it. */
    OK,
    /** Some transports take it in full; the others refuse it with a reason. */
    PARTIAL,
    /** Invalid, taken by none, or a transport that can set every option did not apply it. */
    FAILED
  }

  /** What one transport did with the policy. */
  private enum Outcome {
    /** Every option applied and read back as the policy. */
    TAKES,
    /** It cannot set an option of the policy (not supported): a limit, not a fault. */
    CANNOT,
    /** A call failed, a read back differs, or the connection could not be made. */
    FAILED
  }

  /** {verdict, the explanation after "Result: OK"/"FAILED"}. */
  private String[] verdict(List<Examined> transports) {
    if (!policyValid) {
      return new String[] {"FAILED", " (the policy is invalid; see ✗ above)"};
    }
    List<String> takes = names(transports, Outcome.TAKES);
    List<String> cannot = names(transports, Outcome.CANNOT);
    List<String> failed = names(transports, Outcome.FAILED);
    if (!failed.isEmpty()) {
      return new String[] {"FAILED", " (the policy did not apply on " + String.join(", ", failed)
          + "; see ✗ above)"};
    }
    if (takes.isEmpty()) {
      return new String[] {"FAILED", " (no transport here takes the policy: "
          + String.join(", ", cannot) + " cannot; see ✗ above)"};
    }
    if (cannot.isEmpty()) {
      return new String[] {"OK", " (every transport here takes the policy: "
          + String.join(", ", takes) + ")"};
    }
    return new String[] {"PARTIAL", " on " + String.join(", ", takes) + "; "
        + String.join(", ", cannot) + " cannot take the policy (see ✗ above)"};
  }

  private static List<String> names(List<Examined> transports, Outcome outcome) {
    List<String> names = new ArrayList<>();
    for (Examined e : transports) {
      if (e.outcome == outcome) {
        names.add(e.name);
      }
    }
    return names;
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

  // ---- transports ----

  /** One transport as the doctor found it. */
  private static final class Examined {
    final String name;
    final String provider;
    /** Why it cannot run here, or null. */
    final String unavailable;
    /** Why the loopback connection or the check failed, or null. */
    String error;
    /** Per option: why the transport cannot set it, or null if it can. */
    final Map<KeepaliveOption, String> cannot = new EnumMap<>(KeepaliveOption.class);
    /** The live check's rows, for JSON, and its lines, for people; null without a policy. */
    List<Object> rows;
    List<String> lines;
    Outcome outcome;
    String why = "";
    /** The options it could not set, for the live check's heading. */
    final List<String> refused = new ArrayList<>();

    Examined(String name, String provider, String unavailable) {
      this.name = name;
      this.provider = provider;
      this.unavailable = unavailable;
    }
  }

  /**
   * Every transport: keepalive-jdk's own, then the providers' found with ServiceLoader. Each
   * available one gets a loopback connection: what it can set, and with {@code policy} the live
   * check.
   */
  private List<Examined> transports(KeepalivePolicy check) {
    List<DoctorTransports> providers = new ArrayList<>();
    providers.add(new JdkDoctorTransports());
    providers.addAll(extra);
    List<String> problems = new ArrayList<>();
    // Doctor's own loader: the class path, the boot layer, or the module layer it was defined in.
    Iterator<DoctorTransports> found = ServiceLoader.load(DoctorTransports.class,
        Doctor.class.getClassLoader()).iterator();
    while (true) {
      try {
        if (!found.hasNext()) {
          break;
        }
        providers.add(found.next());
      } catch (ServiceConfigurationError | LinkageError e) {
        // A provider whose own dependencies are missing (keepalive-netty without Netty).
        problems.add(e.toString());
      }
    }
    List<Object> names = new ArrayList<>();
    List<Examined> examined = new ArrayList<>();
    for (DoctorTransports provider : providers) {
      String description;
      List<DoctorTransport> list;
      try {
        description = provider.description();
        list = provider.transports();
      } catch (RuntimeException | LinkageError e) {
        problems.add(provider.getClass().getName() + ": " + e);
        continue;
      }
      names.add(description);
      for (DoctorTransport t : list) {
        String unavailable;
        try {
          unavailable = t.unavailable();
        } catch (RuntimeException | LinkageError e) {
          unavailable = e.toString();
        }
        Examined e = new Examined(t.name(), description, unavailable);
        examined.add(e);
        if (unavailable == null) {
          examine(t, e, check);
        }
      }
    }
    doc.put("providers", names);
    boolean netty = false;
    for (Object name : names) {
      netty |= name.toString().startsWith("keepalive-netty");
    }
    if (!netty) {
      problems.add(NETTY_HINT);
    }
    doc.put("notes", new ArrayList<Object>(problems));
    notes = problems;
    return examined;
  }

  private static void examine(DoctorTransport transport, Examined e, KeepalivePolicy policy) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(loopback, 0), 4);
      server.setSoTimeout((int) TIMEOUT.toMillis());
      try (DoctorTransport.Connection<?> c = transport.connect(
          (InetSocketAddress) server.getLocalSocketAddress(), TIMEOUT);
          Socket peer = server.accept()) {
        check(c, e, policy);
        if (peer.isClosed()) {
          throw new IllegalStateException("loopback peer closed");
        }
      }
    } catch (Exception | LinkageError x) {
      e.error = "cannot check it on a loopback connection: " + x;
      e.outcome = Outcome.FAILED;
      e.why = e.error;
      if (e.lines != null) {
        e.lines.add("✗ " + e.error);
      }
    }
  }

  /** What the transport can set; with a policy, apply it leniently and read every option back. */
  private static <S> void check(DoctorTransport.Connection<S> c, Examined e,
      KeepalivePolicy policy) throws Exception {
    SocketOptionAccess<S, ?> access = c.access();
    S socket = c.socket();
    for (KeepaliveOption option : KeepaliveOption.values()) {
      e.cannot.put(option, access.unsupported(socket, option));
    }
    if (policy == null) {
      return;
    }
    e.rows = new ArrayList<>();
    e.lines = new ArrayList<>();
    ApplyReport report = KeepaliveApplier.apply(access, socket, policy, ApplyMode.LENIENT);
    List<String> cannot = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (ApplyReport.Entry entry : report.entries()) {
      KeepaliveOption option = entry.option();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("option", option.name());
      row.put("expected", entry.value());
      row.put("status", entry.status().name());
      String actual = null;
      String readError = null;
      if (entry.status() == ApplyReport.Status.APPLIED) {
        try {
          actual = readBack(access, socket, option);
        } catch (Exception x) {
          readError = "cannot read it back: " + x;
        }
      }
      boolean good = entry.value().equals(actual);
      row.put("actual", actual);
      row.put("ok", good);
      String detail = readError != null ? readError : entry.detail();
      if (!detail.isEmpty()) {
        row.put("detail", detail);
      }
      e.rows.add(row);
      e.lines.add(String.format(Locale.ROOT, "%s %-17s %-10s %s", mark(good), option.name(),
          entry.value(), actual != null ? "read back " + actual
              : readError != null ? readError
              : entry.status().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": "
                  + entry.detail()));
      if (entry.status() == ApplyReport.Status.NOT_SUPPORTED) {
        cannot.add(option.name());
      } else if (!good) {
        failed.add(option.name() + (actual != null ? " read back " + actual + ", not "
            + entry.value() : ""));
      }
    }
    if (!failed.isEmpty()) {
      e.outcome = Outcome.FAILED;
      e.why = "did not apply: " + String.join(", ", failed);
    } else if (!cannot.isEmpty()) {
      e.outcome = Outcome.CANNOT;
      e.refused.addAll(cannot);
      StringBuilder why = new StringBuilder("cannot set ");
      for (String o : cannot) {
        KeepaliveOption option = KeepaliveOption.valueOf(o);
        why.append(why.length() > "cannot set ".length() ? "; " : "").append(o).append(": ")
            .append(report.entries().stream().filter(x -> x.option() == option).findFirst()
                .map(ApplyReport.Entry::detail).orElse(""));
      }
      e.why = why.toString();
    } else {
      e.outcome = Outcome.TAKES;
      e.why = "";
    }
  }

  /** The option's value as the kernel has it now, in the form {@link KeepaliveOption#valueIn}. */
  private static <S> String readBack(SocketOptionAccess<S, ?> access, S socket,
      KeepaliveOption option) throws Exception {
    int value = access.read(socket, option);
    switch (option) {
      case SO_KEEPALIVE:
        return value != 0 ? "on" : "off";
      case TCP_KEEPIDLE:
      case TCP_KEEPINTERVAL:
        return value + "s";
      case TCP_KEEPCOUNT:
        return Integer.toString(value);
      default:
        return value == 0 ? "none" : value + "ms";
    }
  }

  private void transportsSection(List<Examined> transports) {
    List<Object> jsonTransports = new ArrayList<>();
    List<Examined> columns = new ArrayList<>();
    for (Examined e : transports) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("name", e.name);
      t.put("provider", e.provider);
      t.put("available", e.unavailable == null);
      if (e.unavailable != null) {
        t.put("unavailable", e.unavailable);
      } else if (e.error != null && e.cannot.isEmpty()) {
        t.put("error", e.error);
      } else {
        columns.add(e);
        Map<String, Object> options = new LinkedHashMap<>();
        for (Map.Entry<KeepaliveOption, String> o : e.cannot.entrySet()) {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("supported", o.getValue() == null);
          if (o.getValue() != null) {
            entry.put("reason", o.getValue());
          }
          options.put(o.getKey().name(), entry);
        }
        t.put("options", options);
      }
      jsonTransports.add(t);
    }
    doc.put("transports", jsonTransports);

    line("");
    line("Keepalive options each transport can set (✓ yes, ✗ no)");
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-18s", ""));
    for (Examined e : columns) {
      header.append("  ").append(e.name);
    }
    line("%s", header.toString());
    for (KeepaliveOption option : KeepaliveOption.values()) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-18s", option.name()));
      for (Examined e : columns) {
        row.append("  ").append(String.format(Locale.ROOT, "%-" + e.name.length() + "s",
            mark(e.cannot.get(option) == null)));
      }
      line("%s", stripTrailing(row.toString()));
    }
    // One line per reason, naming the transports it applies to.
    Map<String, List<String>> reasons = new LinkedHashMap<>();
    for (KeepaliveOption option : KeepaliveOption.values()) {
      for (Examined e : columns) {
        String reason = e.cannot.get(option);
        if (reason != null) {
          reasons.computeIfAbsent(option.name() + "\u0000" + reason, k -> new ArrayList<>())
              .add(e.name);
        }
      }
    }
    for (Map.Entry<String, List<String>> r : reasons.entrySet()) {
      String[] parts = r.getKey().split("\u0000", 2);
      line("  ✗ %s on %s: %s", parts[0], String.join(", ", r.getValue()), parts[1]);
    }
    for (Examined e : transports) {
      if (e.unavailable != null) {
        line("  – %s: not here: %s", e.name, e.unavailable);
      } else if (!columns.contains(e)) {
        line("  ✗ %s: %s", e.name, e.error);
      }
    }
    for (Object p : (List<?>) doc.get("providers")) {
      line("  from %s", p);
    }
    for (String note : notes) {
      line("  %s", note);
    }
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.substring(0, end);
  }

  // ---- kernel defaults ----

  private void kernelDefaults() {
    Map<String, Object> section = new LinkedHashMap<>();
    doc.put("kernelDefaults", section);
    List<Object> checked = new ArrayList<>();
    for (ConfiguredMiddlebox m : middleboxes) {
      checked.add(m.toString());
    }
    doc.put("middleboxes", checked);
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
      section.put("middleboxWarnings", middleboxWarnings(policy));
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
    section.put("middleboxWarnings", middleboxWarnings(policy));
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

  private List<Object> middleboxWarnings(KeepalivePolicy policy) {
    List<Object> warnings = new ArrayList<>();
    for (ConfiguredMiddlebox m : middleboxes) {
      if (!m.forgets(policy)) {
        continue;
      }
      long timeout = m.idleTimeout().getSeconds();
      KeepalivePolicy through = KeepalivePolicy.keepingAliveThrough(m);
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("middlebox", m.middlebox().name());
      w.put("configured", m.toString());
      w.put("name", m.displayName());
      w.put("idleTimeoutSeconds", timeout);
      w.put("source", m.middlebox().source());
      w.put("suggestedPolicy", through.toString());
      warnings.add(w);
      line("  ! %s drops a flow idle for %d s (%s)%s: %s", m.displayName(), timeout,
          Text.seconds(timeout), m.isDefault() ? "" : " as configured",
          policy.enabled() ? "the idle of " + policy.idleSeconds() + " s is not shorter"
              : "keepalive is off");
      line("      keepingAliveThrough(Middlebox.%s%s) = %s", m.middlebox().name(),
          m.isDefault() ? "" : ".withIdleTimeout(Duration.ofSeconds(" + timeout + "))", through);
    }
    if (warnings.isEmpty() && middleboxesGiven) {
      List<String> names = new ArrayList<>();
      for (ConfiguredMiddlebox m : middleboxes) {
        names.add(m.displayName() + " (" + m.idleTimeout().getSeconds() + " s)");
      }
      line("  ✓ keeps an idle flow through %s", String.join(", ", names));
    }
    return warnings;
  }

  // ---- policy ----

  /** Parses and validates the policy: its section, without the live checks yet. */
  private Map<String, Object> readPolicy() {
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("text", policyText);
    try {
      policy = KeepalivePolicy.parse(policyText);
    } catch (IllegalArgumentException e) {
      section.put("valid", false);
      section.put("error", e.getMessage());
      return section;
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
    withinLimits = limitViolations.isEmpty();
    policyValid = withinLimits && rfc.isEmpty();
    section.put("valid", policyValid);
    section.put("platformLimits", limitViolations);
    section.put("rfc1122", rfc);
    return section;
  }

  /** The policy section, after the kernel defaults: validation, deadline, live check per transport. */
  @SuppressWarnings("unchecked")
  private List<Object> liveChecks(List<Examined> transports) {
    Map<String, Object> section = policySectionOf();
    line("");
    line("Policy \"%s\"", policyText);
    if (policy == null) {
      line("  ✗ cannot read it: %s", section.get("error"));
      return null;
    }
    PlatformLimits limits = PlatformLimits.current();
    List<Object> limitViolations = (List<Object>) section.get("platformLimits");
    List<Object> rfc = (List<Object>) section.get("rfc1122");
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
    if (!withinLimits) {
      line("  Live check skipped: the kernel would refuse the policy");
      return null;
    }
    line("  Live check: a loopback connection to %s per transport, apply (lenient), then read"
        + " back from the kernel", InetAddress.getLoopbackAddress().getHostAddress());
    List<Object> checks = new ArrayList<>();
    for (Examined e : transports) {
      if (e.unavailable != null) {
        continue;
      }
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("transport", e.name);
      c.put("address", InetAddress.getLoopbackAddress().getHostAddress());
      c.put("verdict", e.outcome.name());
      if (!e.why.isEmpty()) {
        c.put("reason", e.why);
      }
      c.put("options", e.rows == null ? new ArrayList<Object>() : e.rows);
      if (e.error != null) {
        c.put("error", e.error);
      }
      c.put("ok", e.outcome == Outcome.TAKES);
      checks.add(c);
      line("    %s: %s", e.name, e.outcome == Outcome.TAKES ? "takes it"
          : e.outcome == Outcome.CANNOT ? "cannot take it (" + String.join(", ", e.refused)
              + ": see ✗ below)" : "FAILED (" + e.why + ")");
      if (e.lines != null) {
        for (String l : e.lines) {
          line("      %s", l);
        }
      } else if (e.error != null) {
        line("      ✗ %s", e.error);
      }
    }
    return checks;
  }

  private Map<String, Object> policySectionOf() {
    @SuppressWarnings("unchecked")
    Map<String, Object> section = (Map<String, Object>) doc.get("policy");
    return section;
  }

  // ---- beyond this JVM: the audit and the agent ----

  /**
   * Where to go next: keepalive-audit (the real keepalive of a running process's connections, Java
   * 22+) and keepalive-agent (clients that take no socket factory), each with the command that works
   * here, or what is missing.
   */
  private void beyond() {
    Optional<Companions.Home> home = Companions.location(Doctor.class).flatMap(Companions::home);
    Companions.Java self = Companions.thisJvm();
    Optional<Companions.Java> java22 = Companions.java(AUDIT_JAVA, self,
        Companions.jdkRoots(System.getenv("JAVA_HOME"), Paths.get(System.getProperty("java.home",
            "."))));
    String where = Companions.location(Doctor.class).map(Path::toString).orElse("(unknown)");
    String expect = policy != null && policyValid ? " --expect " + Shell.quote(policy.toString())
        : " [--expect POLICY]";
    String agentPolicy = policy != null && policyValid ? policy.toString() : "POLICY";

    line("");
    line("Beyond this JVM");
    Map<String, Object> audit = new LinkedHashMap<>();
    audit.put("needs", "Java 22+, Linux 5.6+, root or the process's user (ptrace_scope 0)");
    line("  The keepalive the kernel really has on every connection of a running process (a JDBC");
    line("  pool, gRPC, a Redis client): keepalive-audit, on Java 22+ and Linux 5.6+");
    String auditProblem = null;
    String auditCommand = null;
    if (!home.isPresent()) {
      auditProblem = "keepalive-audit not found: keepalive-jdk runs from " + where
          + ", which is not a build tree, a Maven repository or a directory of keepalive jars";
    } else {
      Path jar = home.get().jar("keepalive-audit");
      audit.put("jar", jar.toString());
      audit.put("built", Files.isRegularFile(jar));
      if (java22.isPresent()) {
        audit.put("java", java22.get().executable().toString());
        audit.put("javaVersion", java22.get().version());
      }
      if (!java22.isPresent()) {
        auditProblem = "no Java " + AUDIT_JAVA + " or newer here (this JVM is " + self.version()
            + "; none under /usr/lib/jvm, $JAVA_HOME or beside this JVM): install a JDK "
            + AUDIT_JAVA + "+ (e.g. Eclipse Temurin 25), then run the doctor again";
      } else if (!Files.isRegularFile(jar)) {
        auditProblem = "keepalive-audit is not built here (" + jar + " is missing): "
            + home.get().howToGet("keepalive-audit", self.feature() >= AUDIT_JAVA ? null
                : java22.get().home().toString());
      }
      if (java22.isPresent()) {
        auditCommand = auditCommand(home.get(), jar, java22.get()) + " --pid PID" + expect;
      }
    }
    audit.put("command", auditProblem == null ? auditCommand : null);
    audit.put("problem", auditProblem);
    doc.put("audit", audit);
    if (auditProblem != null) {
      line("    ✗ %s", auditProblem);
      if (auditCommand != null) {
        line("    then: %s", auditCommand);
      }
    } else {
      line("    %s", auditCommand);
    }

    Map<String, Object> agent = new LinkedHashMap<>();
    agent.put("needs", "Java 11+");
    line("  Clients that take no socket factory (JDK HttpClient, Kafka, ZooKeeper, MongoDB's default");
    line("  transport), with no change to their code: keepalive-agent");
    String agentProblem = null;
    String agentCommand = null;
    if (!home.isPresent()) {
      agentProblem = "keepalive-agent not found: keepalive-jdk runs from " + where
          + ", which is not a build tree, a Maven repository or a directory of keepalive jars";
    } else {
      Path jar = home.get().jar("keepalive-agent");
      agent.put("jar", jar.toString());
      agent.put("built", Files.isRegularFile(jar));
      agentCommand = "java " + Shell.quote("-javaagent:" + jar + "=" + agentPolicy)
          + " -jar app.jar";
      if (!Files.isRegularFile(jar)) {
        agentProblem = "keepalive-agent is not built here (" + jar + " is missing): "
            + home.get().howToGet("keepalive-agent", null);
      }
    }
    agent.put("command", agentProblem == null ? agentCommand : null);
    agent.put("problem", agentProblem);
    doc.put("agent", agent);
    if (agentProblem != null) {
      line("    ✗ %s", agentProblem);
      if (agentCommand != null) {
        line("    then: %s", agentCommand);
      }
    } else {
      line("    %s", agentCommand);
    }
  }

  /**
   * The audit's launch: {@code java -jar} where its dependencies lie beside it (a build tree's
   * target/, a directory of jars), else the class path with keepalive-api from the same repository.
   */
  private static String auditCommand(Companions.Home home, Path jar, Companions.Java java) {
    String launcher = Shell.quote(java.executable().toString());
    if (home.layout() != Companions.Layout.MAVEN_REPOSITORY) {
      return launcher + " -jar " + Shell.quote(jar.toString());
    }
    return launcher + " --enable-native-access=ALL-UNNAMED -cp " + Shell.quote(jar + ":"
        + home.jar("keepalive-api")) + " dev.keepalive.audit.Audit";
  }

  // ---- formatting ----

  private static String mark(boolean good) {
    return good ? "✓" : "✗";
  }

  private void line(String format, Object... args) {
    text.append(args.length == 0 ? format : String.format(Locale.ROOT, format, args)).append('\n');
  }
}
