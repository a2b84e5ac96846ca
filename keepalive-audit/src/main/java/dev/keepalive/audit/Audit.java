package dev.keepalive.audit;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.Middlebox;
import dev.keepalive.internal.cli.Args;
import dev.keepalive.internal.cli.Console;
import dev.keepalive.internal.cli.Json;
import dev.keepalive.internal.cli.Text;
import dev.keepalive.internal.cli.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code keepalive-audit} command: prints the real keepalive of every TCP connection of a
 * process or of every process of the host, flags the risky ones and checks them against an
 * expected policy; applies a policy to the connections a running process already has; and serves
 * the findings to Prometheus.
 *
 * <pre>
 * java -jar keepalive-audit-&lt;version&gt;.jar --pid 4242 --expect "idle=60s,interval=10s,probes=3"
 * java -jar keepalive-audit-&lt;version&gt;.jar --all
 * java -jar keepalive-audit-&lt;version&gt;.jar --pid 4242 --port 5432 --apply "idle=60s,interval=10s,probes=3"
 * java -jar keepalive-audit-&lt;version&gt;.jar --all --serve 0.0.0.0:9404
 * </pre>
 *
 * <p>Flags (warnings): keepalive off (a dead peer is never detected); the Linux defaults
 * 7200/75/9 (a dead peer is detected after 7875 s); an idle at or above a {@link Middlebox}'s idle
 * timeout (it forgets the connection before the first probe); a network namespace's probe count,
 * interval or idle of 0; and, with {@code --expect}, a connection whose keepalive differs, naming
 * the difference. Listeners are listed but never checked. By default connections of one process to
 * the same peer with the same keepalive are one row with a count; {@code --connections} lists each.
 *
 * <p>Exit status of an audit: {@link #OK} when no {@code --expect} was given (flags are warnings)
 * or every matching connection carries the expected policy; {@link #MISMATCH} when one does not,
 * or when {@code --expect} was given and no connection matched (nothing was proven). Of an apply:
 * {@link #OK} when every matching connection now carries the policy (read back), {@link #MISMATCH}
 * when one refused or none matched ({@code --dry-run}: {@link #OK}). {@link #USAGE} for bad usage,
 * or a process that cannot be read or changed (one line on stderr).
 *
 * <p>The command holds no POSIX locks, so it duplicates other processes' descriptors itself, with
 * no helper JVM ({@code -Dkeepalive.audit.inProcess=true}, see {@link KeepaliveAudit}).
 */
public final class Audit {

  /** Exit status: no {@code --expect}, or every matching connection carries it or the policy. */
  public static final int OK = 0;
  /** Exit status: a connection differs from {@code --expect} or refused the policy; none matched. */
  public static final int MISMATCH = 1;
  /** Exit status: bad usage, or the process cannot be read or changed. */
  public static final int USAGE = Console.USAGE;

  private static final String NAME = "keepalive-audit";

  /**
   * The longest a scrape of {@code --serve} audits: below Prometheus's default scrape timeout of
   * 10 s. Here, not in the exporter, so that the command runs without the Prometheus client.
   */
  static final Duration SCRAPE_LIMIT = Duration.ofSeconds(8);

  private static final Args ARGS = Args.of(NAME)
      .flag("--help", "-h").flag("--json").flag("--all").flag("--connections").flag("--dry-run")
      .flag("--listeners").option("--pid").option("--expect").option("--port").option("--remote")
      .option("--apply").option("--serve");

  private static final String USAGE_TEXT = String.join("\n",
      "Usage: keepalive-audit [--pid PID | --all] [--port N] [--remote CIDR] [--expect POLICY]",
      "                       [--connections] [--json]",
      "       keepalive-audit --pid PID --apply POLICY [--port N] [--remote CIDR] [--listeners]",
      "                       [--dry-run] [--json]",
      "       keepalive-audit (--pid PID | --all) --serve HOST:PORT [--expect POLICY]",
      "",
      "Prints the keepalive the Linux kernel really has on every TCP connection of a process:",
      "idle, interval, probes, TCP_USER_TIMEOUT, probes sent and the time left before a silent",
      "peer is declared dead. Flags connections with keepalive off, with the Linux defaults",
      "7200/75/9 (7875 s), and with an idle a common middlebox (NAT, load balancer) outlasts.",
      "",
      "  --pid PID        the process (default: this one); needs root, or the same user with",
      "                   kernel.yama.ptrace_scope = 0",
      "  --all            every process this user may read (the others are named as skipped)",
      "  --port N         only sockets whose local or remote port is N",
      "  --remote CIDR    only connections whose peer is in CIDR: 10.0.0.0/8, fd00::/8, ::1",
      "  --expect POLICY  check every connection against POLICY, e.g.",
      "                   \"idle=60s,interval=10s,probes=3\" or \"off\"; a user timeout is",
      "                   compared only when POLICY names one; listeners are not checked",
      "  --connections    one row per connection (default: one per peer and keepalive, with",
      "                   a count)",
      "  --apply POLICY   set POLICY on the process's matching established connections, then",
      "                   read each back; one line per connection, before -> after",
      "  --listeners      with --apply: its listeners too (new connections inherit them)",
      "  --dry-run        with --apply: print what would change, change nothing",
      "  --serve H:P      serve OpenMetrics on http://H:P/metrics, auditing afresh on each",
      "                   scrape (at most " + SCRAPE_LIMIT.toSeconds() + " s a scrape;"
          + " scrapes never overlap)",
      "  --json           print the findings as one JSON object",
      "  --help           print this help",
      "",
      "Exit status: 0 no --expect, or every matching connection carries it (--apply: now",
      "carries the policy; --dry-run: always); 1 one does not or refused, or none matched;",
      "2 bad usage or a process that cannot be read or changed.");

  private Audit() {}

  /**
   * Runs the command and exits with its status.
   *
   * @param args the arguments; see {@code --help}
   */
  public static void main(String[] args) {
    // The command holds no POSIX locks: it may duplicate other processes' descriptors itself.
    if (System.getProperty(KeepaliveAudit.IN_PROCESS) == null) {
      System.setProperty(KeepaliveAudit.IN_PROCESS, "true");
    }
    Console.exit(Audit::run, args);
  }

  /**
   * Runs the command. {@code --serve} returns only when the server cannot start.
   *
   * @param args see {@code --help}; every option also as {@code --name=value}
   * @param out where the findings (or the help) go
   * @param err where the one line of an error goes
   * @return {@link #OK}, {@link #MISMATCH} or {@link #USAGE}
   * @throws NullPointerException if an argument is null
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Objects.requireNonNull(args, "args must not be null");
    Objects.requireNonNull(out, "out must not be null");
    Objects.requireNonNull(err, "err must not be null");
    Options o;
    try {
      o = Options.parse(args);
    } catch (UsageException e) {
      return Console.usage(err, NAME, e.getMessage());
    }
    if (o.help) {
      out.println(USAGE_TEXT);
      return OK;
    }
    try {
      if (o.serve != null) {
        try {
          Exporter.serve(o.serve, o.all ? -1 : o.pid(), o.expect, out);
        } catch (NoClassDefFoundError e) {
          err.println(NAME + ": --serve needs the Prometheus Java client"
              + " (io.prometheus:prometheus-metrics-core and"
              + " prometheus-metrics-exporter-httpserver) beside keepalive-audit's jar or on the"
              + " class path; missing " + e.getMessage());
          return USAGE;
        }
        return OK;
      }
      return o.apply != null ? apply(o, out) : audit(o, out);
    } catch (IOException e) {
      err.println(NAME + ": " + e.getMessage());
      return USAGE;
    } catch (RuntimeException e) {
      err.println(NAME + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      return USAGE;
    }
  }

  /** The parsed command line. */
  static final class Options {
    boolean help;
    boolean json;
    boolean all;
    boolean connections;
    boolean dryRun;
    boolean listeners;
    long pid = -1;
    int port = -1;
    Cidr remote;
    KeepalivePolicy expect;
    String expectText;
    KeepalivePolicy apply;
    InetSocketAddress serve;

    long pid() {
      return pid == -1 ? ProcessHandle.current().pid() : pid;
    }

    static Options parse(String[] args) throws UsageException {
      Args.Parsed parsed = ARGS.parse(args);
      Options o = new Options();
      o.help = parsed.has("--help");
      if (o.help) {
        return o;
      }
      o.json = parsed.has("--json");
      o.all = parsed.has("--all");
      o.connections = parsed.has("--connections");
      o.dryRun = parsed.has("--dry-run");
      o.listeners = parsed.has("--listeners");
      o.pid = parsed.number("--pid", 1, Integer.MAX_VALUE, "a process id");
      o.port = (int) parsed.number("--port", 1, 65535, "a TCP port");
      String remote = parsed.value("--remote");
      if (remote != null) {
        try {
          o.remote = Cidr.parse(remote);
        } catch (IllegalArgumentException e) {
          throw new UsageException("--remote " + e.getMessage());
        }
      }
      o.expectText = parsed.value("--expect");
      o.expect = policy("--expect", o.expectText);
      o.apply = policy("--apply", parsed.value("--apply"));
      String serve = parsed.value("--serve");
      if (serve != null) {
        o.serve = hostAndPort(serve);
      }
      if (o.all && o.pid != -1) {
        throw new UsageException("--all and --pid exclude each other");
      }
      if (o.apply != null) {
        if (o.pid == -1) {
          throw new UsageException("--apply needs the process: --pid PID");
        }
        if (o.expect != null || o.serve != null) {
          throw new UsageException("--apply takes no "
              + (o.expect != null ? "--expect" : "--serve"));
        }
      } else if (o.dryRun || o.listeners) {
        throw new UsageException((o.dryRun ? "--dry-run" : "--listeners")
            + " needs --apply POLICY");
      }
      if (o.serve != null) {
        if (!o.all && o.pid == -1) {
          throw new UsageException("--serve needs the processes to watch: --all or --pid PID");
        }
        if (o.json || o.connections || o.port != -1 || o.remote != null) {
          throw new UsageException("--serve takes no " + (o.json ? "--json" : o.connections
              ? "--connections" : o.port != -1 ? "--port" : "--remote")
              + ": it exports per process");
        }
      }
      return o;
    }

    private static KeepalivePolicy policy(String option, String text) throws UsageException {
      if (text == null) {
        return null;
      }
      try {
        return KeepalivePolicy.parse(text);
      } catch (IllegalArgumentException e) {
        throw new UsageException(option + ": " + e.getMessage());
      }
    }

    /** {@code 127.0.0.1:9404}, {@code [::1]:9404}, {@code 0.0.0.0:0}: a literal, never a lookup. */
    private static InetSocketAddress hostAndPort(String text) throws UsageException {
      int colon = text.lastIndexOf(':');
      String host = colon < 0 ? "" : text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      Cidr address;
      try {
        address = Cidr.parse(host);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--serve must be HOST:PORT with HOST an IPv4 or IPv6 address"
            + " ([::1]:9404), was '" + text + "'");
      }
      long port = Args.Parsed.number("--serve's port", text.substring(colon + 1), 0, 65535,
          "a TCP port");
      try {
        return new InetSocketAddress(java.net.InetAddress.getByName(address.toString()),
            (int) port);
      } catch (java.net.UnknownHostException e) {
        throw new UsageException("--serve: " + e.getMessage());
      }
    }
  }

  static boolean matches(SocketKeepalive s, int port, Cidr remote) {
    if (port != -1 && !s.hasPort(port)) {
      return false;
    }
    return remote == null || (s.remote().isPresent()
        && remote.contains(s.remote().get().getAddress()));
  }

  // ---- audit ----

  private static int audit(Options o, PrintStream out) throws IOException {
    List<ProcessKeepalive> processes;
    if (o.all) {
      processes = KeepaliveAudit.allProcesses();
    } else {
      long pid = o.pid();
      processes = List.of(new ProcessKeepalive(pid, ProcessName.of(pid),
          KeepaliveAudit.process(pid), null));
    }
    Report report = new Report(o, processes);
    out.print(o.json ? report.json() : report.text());
    out.flush();
    return report.exitCode();
  }

  /** The findings of one audit, written as a table or as JSON. */
  private static final class Report {

    private final Options o;
    private final List<Proc> procs = new ArrayList<>();
    private final List<ProcessKeepalive> skipped = new ArrayList<>();
    private int sockets;
    private int connections;
    private int listeners;
    private int matched;
    private int mismatches;
    private int flagged;

    Report(Options o, List<ProcessKeepalive> processes) {
      this.o = o;
      for (ProcessKeepalive p : processes) {
        if (p.failure().isPresent()) {
          skipped.add(p);
          continue;
        }
        Proc proc = new Proc(p.pid(), p.name());
        for (SocketKeepalive s : p.sockets()) {
          if (!matches(s, o.port, o.remote)) {
            continue;
          }
          Row row = new Row(s);
          proc.rows.add(row);
          sockets++;
          if (s.listening()) {
            listeners++;
            continue;
          }
          if (s.remote().isEmpty()) {
            continue; // neither a listener nor connected: nothing to keep alive
          }
          connections++;
          row.flags.addAll(Findings.flags(s));
          if (o.expect != null) {
            row.difference = Findings.difference(o.expect, s);
            if (row.difference == null) {
              matched++;
            } else {
              mismatches++;
            }
          }
          if (!row.flags.isEmpty()) {
            flagged++;
          }
        }
        if (!o.all || !proc.rows.isEmpty()) {
          proc.group();
          procs.add(proc);
        }
      }
    }

    int exitCode() {
      if (o.expect == null) {
        return OK;
      }
      return mismatches == 0 && matched > 0 ? OK : MISMATCH;
    }

    // ---- text ----

    String text() {
      StringBuilder b = new StringBuilder(256 + sockets * 160);
      String filter = (o.port == -1 ? "" : ", port " + o.port)
          + (o.remote == null ? "" : ", remote " + o.remote);
      String counts = String.format(Locale.ROOT, "%s (%s, %d listening)",
          Text.count(sockets, "TCP socket"), Text.count(connections, "connection"), listeners);
      if (o.all) {
        b.append("keepalive audit of ").append(Text.count(procs.size(), "process")).append(": ")
            .append(counts).append(filter).append('\n');
        if (!skipped.isEmpty()) {
          b.append(skippedLine()).append('\n');
        }
      } else {
        Proc p = procs.get(0);
        b.append("keepalive audit of process ").append(p.pid).append(" (").append(p.name)
            .append("): ").append(counts).append(filter).append('\n');
      }
      List<String[]> cells = new ArrayList<>();
      List<String> header = new ArrayList<>();
      if (o.all) {
        header.addAll(List.of("PID", "PROCESS"));
      }
      header.addAll(o.connections ? List.of("FD", "LOCAL", "REMOTE") : List.of("LOCAL", "REMOTE",
          "COUNT"));
      header.addAll(List.of("STATE", "KEEPALIVE", "DEADLINE", "USER-TIMEOUT", "PROBES-SENT",
          "TIME-LEFT"));
      cells.add(header.toArray(new String[0]));
      for (Proc p : procs) {
        if (o.connections) {
          for (Row row : p.rows) {
            cells.add(cells(p, List.of(row)));
          }
        } else {
          for (Group g : p.groups) {
            cells.add(cells(p, g.rows));
          }
        }
      }
      if (cells.size() > 1) {
        b.append('\n');
        table(b, cells, o.connections ? (o.all ? 2 : 0) : -1);
      }
      boolean first = true;
      for (Proc p : procs) {
        String who = o.all ? p.pid + " " + p.name + " " : "";
        List<List<Row>> units = new ArrayList<>();
        if (o.connections) {
          for (Row row : p.rows) {
            units.add(List.of(row));
          }
        } else {
          for (Group g : p.groups) {
            units.add(g.rows);
          }
        }
        for (List<Row> unit : units) {
          Row row = unit.get(0);
          String what = unit.size() == 1 ? "fd " + row.socket.fd() + " " + row.socket.endpoints()
              : groupEndpoints(p, unit) + " ×" + unit.size();
          for (String flag : row.flags) {
            b.append(first ? "\n" : "").append("! ").append(who).append(what).append(": ")
                .append(flag).append('\n');
            first = false;
          }
          if (row.difference != null) {
            b.append(first ? "\n" : "").append("✗ ").append(who).append(what)
                .append(": differs from --expect ").append(o.expect).append(": ")
                .append(row.difference).append('\n');
            first = false;
          }
        }
      }
      b.append('\n');
      if (o.expect == null) {
        b.append(String.format(Locale.ROOT, "Result: %d of %s flagged (warnings;"
            + " --expect POLICY checks them)%n", flagged, Text.count(connections, "connection")));
      } else if (mismatches > 0) {
        b.append(String.format(Locale.ROOT, "Result: MISMATCH, %d of %s differ%s"
                + " from %s%n", mismatches, Text.count(connections, "connection"),
            mismatches == 1 ? "s" : "", o.expect));
      } else if (matched == 0) {
        b.append(String.format(Locale.ROOT, "Result: MISMATCH, no connection%s to check against"
            + " %s: nothing was proven%n", filter.isEmpty() ? "" : " on" + filter.substring(1),
            o.expect));
      } else {
        b.append(String.format(Locale.ROOT, "Result: OK, %s %s%n", matched == 1
            ? "the one connection carries" : "all " + matched + " connections carry", o.expect));
      }
      return b.toString();
    }

    private String skippedLine() {
      Map<String, List<String>> byReason = new LinkedHashMap<>();
      for (ProcessKeepalive p : skipped) {
        byReason.computeIfAbsent(p.failure().get().reason().name(), k -> new ArrayList<>())
            .add(p.name() + " (" + p.pid() + ")");
      }
      StringBuilder b = new StringBuilder("skipped ").append(Text.count(skipped.size(),
          "process")).append(" it may not read:");
      for (Map.Entry<String, List<String>> e : byReason.entrySet()) {
        List<String> names = e.getValue();
        b.append(' ').append(e.getKey()).append(": ")
            .append(String.join(", ", names.subList(0, Math.min(8, names.size()))))
            .append(names.size() > 8 ? " and " + (names.size() - 8) + " more" : "").append(';');
      }
      b.setLength(b.length() - 1);
      if (skipped.get(0).failure().get().reason() == AuditException.Reason.NO_PERMISSION
          && !System.getProperty("user.name", "").equals("root")) {
        b.append(" (run as root to read them)");
      }
      return b.toString();
    }

    private String[] cells(Proc p, List<Row> rows) {
      Row row = rows.get(0);
      SocketKeepalive s = row.socket;
      List<String> c = new ArrayList<>(11);
      if (o.all) {
        c.add(Long.toString(p.pid));
        c.add(p.name);
      }
      if (o.connections) {
        c.add(Integer.toString(s.fd()));
        c.add(SocketKeepalive.format(s.local()));
        c.add(s.remote().map(SocketKeepalive::format).orElse("-"));
      } else {
        String[] ends = p.ends(rows);
        c.add(ends[0]);
        c.add(ends[1]);
        c.add("×" + rows.size());
      }
      c.add(s.tcpState() + (s.mptcp() ? " (MPTCP)" : ""));
      c.add(s.keepaliveOn() ? s.keepaliveText() : "off");
      long deadline = Findings.deadlineMillis(s);
      c.add(deadline < 0 ? "-" : Text.millis(deadline));
      c.add(s.userTimeoutMillis() == 0 ? "-" : Findings.millis(s.userTimeoutMillis()));
      int probesSent = 0;
      long timeLeft = Long.MAX_VALUE;
      for (Row r : rows) {
        probesSent = Math.max(probesSent, r.socket.probesSent());
        timeLeft = Math.min(timeLeft, r.socket.timeLeft().map(Duration::toMillis).orElse(-1L));
      }
      c.add(s.keepaliveOn() && !s.listening()
          ? probesSent + (s.userTimeoutMillis() == 0 ? "/" + s.probes() : "") : "-");
      c.add(timeLeft < 0 ? "-" : Text.millis(timeLeft));
      return c.toArray(new String[0]);
    }

    private String groupEndpoints(Proc p, List<Row> rows) {
      String[] ends = p.ends(rows);
      return ends[0] + " -> " + ends[1];
    }

    // ---- json ----

    String json() {
      Map<String, Object> doc = new LinkedHashMap<>();
      if (o.all) {
        doc.put("all", true);
        List<Object> list = new ArrayList<>();
        for (Proc p : procs) {
          list.add(p.json());
        }
        doc.put("processes", list);
        List<Object> skip = new ArrayList<>();
        for (ProcessKeepalive p : skipped) {
          Map<String, Object> s = new LinkedHashMap<>();
          s.put("pid", p.pid());
          s.put("name", p.name());
          s.put("reason", p.failure().get().reason().name());
          s.put("message", p.failure().get().getMessage());
          skip.add(s);
        }
        doc.put("skipped", skip);
      } else {
        doc.putAll(procs.get(0).json());
      }
      doc.put("expect", o.expect == null ? null : o.expect.toString());
      doc.put("expectText", o.expectText);
      doc.put("port", o.port == -1 ? null : o.port);
      doc.put("remote", o.remote == null ? null : o.remote.toString());
      doc.put("connections", connections);
      doc.put("listeners", listeners);
      doc.put("flagged", flagged);
      doc.put("matched", matched);
      doc.put("mismatches", mismatches);
      doc.put("ok", exitCode() == OK);
      doc.put("exitCode", exitCode());
      return Json.compact(doc) + "\n";
    }

    /** One process of the report: its rows, and the groups they make. */
    private final class Proc {
      final long pid;
      final String name;
      final List<Row> rows = new ArrayList<>();
      final List<Group> groups = new ArrayList<>();
      /** Local ports this process listens on: its connections on them are accepted ones. */
      final Set<Integer> listening = new HashSet<>();

      Proc(long pid, String name) {
        this.pid = pid;
        this.name = name;
      }

      /**
       * One group per peer and keepalive: a client's connections to one server (address:port),
       * an accepted side's connections on one local address:port from one peer address; the same
       * state, protocol and raw keepalive values. A listener, or a socket neither listening nor
       * connected, is a group of its own.
       */
      void group() {
        for (Row r : rows) {
          if (r.socket.listening()) {
            listening.add(r.socket.local().getPort());
          }
        }
        Map<String, Group> byKey = new LinkedHashMap<>();
        for (Row r : rows) {
          SocketKeepalive s = r.socket;
          String key;
          if (!Findings.isConnection(s)) {
            key = "fd " + s.fd();
          } else {
            InetSocketAddress remote = s.remote().get();
            key = (accepted(s) ? "A " + SocketKeepalive.format(s.local()) + " "
                + remote.getAddress().getHostAddress()
                : "C " + s.local().getAddress().getHostAddress() + " "
                + SocketKeepalive.format(remote))
                + " " + s.stateNumber() + " " + s.protocolNumber() + " " + s.keepaliveOn() + " "
                + s.idleSeconds() + " " + s.intervalSeconds() + " " + s.probes() + " "
                + s.userTimeoutMillis();
          }
          byKey.computeIfAbsent(key, k -> new Group()).rows.add(r);
        }
        groups.addAll(byKey.values());
      }

      boolean accepted(SocketKeepalive s) {
        return listening.contains(s.local().getPort());
      }

      /** LOCAL and REMOTE of a group: the varying port of a group of several shown as {@code *}. */
      String[] ends(List<Row> rows) {
        SocketKeepalive s = rows.get(0).socket;
        String local = SocketKeepalive.format(s.local());
        String remote = s.remote().map(SocketKeepalive::format).orElse("-");
        if (rows.size() > 1) {
          if (accepted(s)) {
            remote = anyPort(remote);
          } else {
            local = anyPort(local);
          }
        }
        return new String[] {local, remote};
      }

      Map<String, Object> json() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("pid", pid);
        doc.put("name", name);
        List<Object> list = new ArrayList<>(rows.size());
        for (Row row : rows) {
          list.add(row.json(o.expect != null));
        }
        doc.put("sockets", list);
        List<Object> gs = new ArrayList<>(groups.size());
        for (Group g : groups) {
          Row row = g.rows.get(0);
          String[] ends = ends(g.rows);
          Map<String, Object> j = new LinkedHashMap<>();
          j.put("local", ends[0]);
          j.put("remote", ends[1].equals("-") ? null : ends[1]);
          j.put("count", g.rows.size());
          j.put("state", row.socket.tcpState());
          j.put("policy", row.socket.hasPolicy() ? row.socket.policy().toString()
              : row.socket.keepaliveText());
          List<Object> fds = new ArrayList<>(g.rows.size());
          for (Row r : g.rows) {
            fds.add(r.socket.fd());
          }
          j.put("fds", fds);
          j.put("flags", row.flags);
          j.put("difference", row.difference);
          gs.add(j);
        }
        doc.put("groups", gs);
        return doc;
      }
    }
  }

  private static String anyPort(String endpoint) {
    return endpoint.substring(0, endpoint.lastIndexOf(':')) + ":*";
  }

  /** Appends an aligned table; column {@code right} (the FD) is right-aligned, -1 for none. */
  private static void table(StringBuilder b, List<String[]> cells, int right) {
    int[] width = new int[cells.get(0).length];
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        width[i] = Math.max(width[i], line[i].length());
      }
    }
    for (String[] line : cells) {
      StringBuilder l = new StringBuilder();
      for (int i = 0; i < line.length; i++) {
        String format = i == right ? "%" + width[i] + "s" : "%-" + width[i] + "s";
        l.append(i == 0 ? "" : "  ").append(String.format(Locale.ROOT, format, line[i]));
      }
      b.append(l.toString().stripTrailing()).append('\n');
    }
  }

  /** A group of connections shown as one row. */
  private static final class Group {
    final List<Row> rows = new ArrayList<>();
  }

  /** One socket and what was found about it. */
  private static final class Row {
    final SocketKeepalive socket;
    final List<String> flags = new ArrayList<>();
    String difference;

    Row(SocketKeepalive socket) {
      this.socket = socket;
    }

    Map<String, Object> json(boolean checked) {
      return socketJson(socket, flags, difference, checked);
    }
  }

  static Map<String, Object> socketJson(SocketKeepalive s, List<String> flags, String difference,
      boolean checked) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("fd", s.fd());
    o.put("inode", s.inode());
    o.put("protocol", s.protocol());
    o.put("local", SocketKeepalive.format(s.local()));
    o.put("remote", s.remote().map(SocketKeepalive::format).orElse(null));
    o.put("state", s.tcpState());
    o.put("listening", s.listening());
    o.put("policy", s.hasPolicy() ? s.policy().toString() : s.keepaliveText());
    o.put("keepalive", s.keepaliveOn());
    o.put("idleSeconds", s.idleSeconds());
    o.put("intervalSeconds", s.intervalSeconds());
    o.put("probes", s.probes());
    o.put("userTimeoutMillis", s.userTimeout().toMillis());
    long deadline = Findings.deadlineMillis(s);
    o.put("detectionDeadlineMillis", deadline < 0 ? null : deadline);
    o.put("probesSent", s.probesSent());
    o.put("sinceLastReceivedMillis", s.sinceLastReceived().toMillis());
    o.put("timeLeftMillis", s.timeLeft().map(Duration::toMillis).orElse(null));
    if (flags != null) {
      o.put("flags", flags);
      o.put("matchesExpect", checked && Findings.isConnection(s) ? difference == null : null);
      o.put("difference", difference);
    }
    return o;
  }

  // ---- apply ----

  private static int apply(Options o, PrintStream out) throws IOException {
    long pid = o.pid;
    String name = ProcessName.of(pid);
    List<SocketChange> changes;
    if (o.dryRun) {
      changes = new ArrayList<>();
      for (SocketKeepalive s : KeepaliveAudit.process(pid)) {
        boolean candidate = s.tcpState().equals("ESTABLISHED") || (o.listeners && s.listening());
        if (candidate && matches(s, o.port, o.remote)) {
          changes.add(new SocketChange(s, s, null));
        }
      }
    } else {
      dev.keepalive.PlatformLimits.current().requireSupported(o.apply);
      changes = KeepaliveAudit.apply((int) pid, o.apply, s -> matches(s, o.port, o.remote),
          o.listeners);
    }
    int applied = 0;
    int refused = 0;
    for (SocketChange c : changes) {
      if (c.applied()) {
        applied++;
      } else {
        refused++;
      }
    }
    int exit = o.dryRun ? OK : refused == 0 && applied > 0 ? OK : MISMATCH;
    String filter = (o.port == -1 ? "" : ", port " + o.port)
        + (o.remote == null ? "" : ", remote " + o.remote)
        + (o.listeners ? ", listeners included" : "");
    if (o.json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("pid", pid);
      doc.put("name", name);
      doc.put("policy", o.apply.toString());
      doc.put("dryRun", o.dryRun);
      doc.put("port", o.port == -1 ? null : o.port);
      doc.put("remote", o.remote == null ? null : o.remote.toString());
      doc.put("listeners", o.listeners);
      List<Object> list = new ArrayList<>();
      for (SocketChange c : changes) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("fd", c.before().fd());
        j.put("local", SocketKeepalive.format(c.before().local()));
        j.put("remote", c.before().remote().map(SocketKeepalive::format).orElse(null));
        j.put("before", socketJson(c.before(), null, null, false));
        j.put("after", o.dryRun ? null : socketJson(c.after(), null, null, false));
        j.put("applied", o.dryRun ? null : c.applied());
        j.put("refusal", c.refusal().orElse(null));
        list.add(j);
      }
      doc.put("changes", list);
      doc.put("matched", changes.size());
      doc.put("applied", o.dryRun ? 0 : applied);
      doc.put("refused", refused);
      doc.put("ok", exit == OK);
      doc.put("exitCode", exit);
      out.print(Json.compact(doc) + "\n");
      out.flush();
      return exit;
    }
    StringBuilder b = new StringBuilder(256 + changes.size() * 120);
    b.append(o.dryRun ? "keepalive-audit --dry-run: would apply " : "keepalive-audit: applied ")
        .append(o.apply).append(" to process ").append(pid).append(" (").append(name)
        .append("): ").append(Text.count(changes.size(), "matching " + (o.listeners ? "socket"
            : "connection"))).append(filter).append('\n');
    if (!changes.isEmpty()) {
      b.append('\n');
    }
    for (SocketChange c : changes) {
      String was = SocketChange.keepalive(c.before());
      b.append("fd ").append(c.before().fd()).append(' ').append(c.before().endpoints())
          .append(c.before().listening() ? " (listening)" : "").append(": ").append(was);
      if (o.dryRun) {
        b.append(" → ").append(o.apply).append(was.equals(o.apply.toString())
            ? " (already)" : "");
      } else if (c.applied()) {
        b.append(" → ").append(SocketChange.keepalive(c.after()));
      } else {
        b.append(" ✗ refused: ").append(c.refusal().get());
      }
      b.append('\n');
    }
    b.append('\n');
    if (o.dryRun) {
      b.append("Result: DRY RUN, nothing was changed\n");
    } else if (changes.isEmpty()) {
      b.append("Result: NOTHING APPLIED, no ").append(o.listeners ? "socket" : "established"
          + " connection").append(" matched").append(filter.isEmpty() ? "" : " on"
          + filter.substring(1)).append('\n');
    } else if (refused > 0) {
      b.append(String.format(Locale.ROOT, "Result: REFUSED, %d of %d refused %s; each was left"
          + " as it was%n", refused, changes.size(), o.apply));
    } else {
      b.append(String.format(Locale.ROOT, "Result: OK, %s now %s %s (read back)%n",
          applied == 1 ? "the one matching socket" : "all " + applied + " matching sockets",
          applied == 1 ? "carries" : "carry", o.apply));
    }
    out.print(b);
    out.flush();
    return exit;
  }
}
