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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code keepalive-audit} command: prints the real keepalive of every TCP connection of a
 * process, one connection a line, flags the risky ones and checks them against an expected policy.
 *
 * <pre>
 * java -jar keepalive-audit-&lt;version&gt;.jar --pid 4242 --expect "idle=60s,interval=10s,probes=3"
 * </pre>
 *
 * <p>Flags (warnings): keepalive off (a dead peer is never detected); the Linux defaults
 * 7200/75/9 (a dead peer is detected after 7875 s); an idle at or above a {@link Middlebox}'s idle
 * timeout (it forgets the connection before the first probe); and, with {@code --expect}, a
 * connection whose policy differs, naming the difference. Listeners are listed but never checked.
 *
 * <p>Exit status: {@link #OK} when no {@code --expect} was given (flags are warnings) or every
 * matching connection carries the expected policy; {@link #MISMATCH} when one does not, or when
 * {@code --expect} was given and no connection matched (nothing was proven); {@link #USAGE} for bad
 * usage or a process that cannot be read (one line on stderr).
 */
public final class Audit {

  /** Exit status: no {@code --expect}, or every matching connection carries it. */
  public static final int OK = 0;
  /** Exit status: a connection differs from {@code --expect}, or none matched. */
  public static final int MISMATCH = 1;
  /** Exit status: bad usage, or the process cannot be read. */
  public static final int USAGE = Console.USAGE;

  private static final String NAME = "keepalive-audit";

  private static final Args ARGS = Args.of(NAME)
      .flag("--help", "-h").flag("--json").option("--pid").option("--expect").option("--port");

  private static final String USAGE_TEXT = String.join("\n",
      "Usage: keepalive-audit [--pid PID] [--expect POLICY] [--port N] [--json] [--help]",
      "",
      "Prints the keepalive the Linux kernel really has on every TCP connection of a process:",
      "idle, interval, probes, TCP_USER_TIMEOUT, probes sent and the time left before a silent",
      "peer is declared dead. Flags connections with keepalive off, with the Linux defaults",
      "7200/75/9 (7875 s), and with an idle a common middlebox (NAT, load balancer) outlasts.",
      "",
      "  --pid PID        the process to audit (default: this one); needs root, or the same",
      "                   user with kernel.yama.ptrace_scope = 0",
      "  --expect POLICY  check every connection against POLICY, e.g.",
      "                   \"idle=60s,interval=10s,probes=3\" or \"off\"; a user timeout is",
      "                   compared only when POLICY names one; listeners are not checked",
      "  --port N         only sockets whose local or remote port is N",
      "  --json           print the findings as one JSON object",
      "  --help           print this help",
      "",
      "Exit status: 0 no --expect, or every matching connection carries it; 1 one does not, or",
      "none matched; 2 bad usage or a process that cannot be read.");

  private Audit() {}

  /**
   * Runs the audit on the command line and exits with its status.
   *
   * @param args the arguments; see {@code --help}
   */
  public static void main(String[] args) {
    Console.exit(Audit::run, args);
  }

  /**
   * Runs the audit.
   *
   * @param args {@code --pid PID}, {@code --expect POLICY}, {@code --port N} (each also as {@code
   *     --name=value}), {@code --json}, {@code --help}
   * @param out where the findings (or the help) go
   * @param err where the one line of an error goes
   * @return {@link #OK}, {@link #MISMATCH} or {@link #USAGE}
   * @throws NullPointerException if an argument is null
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Objects.requireNonNull(args, "args must not be null");
    Objects.requireNonNull(out, "out must not be null");
    Objects.requireNonNull(err, "err must not be null");
    long pid;
    int port;
    KeepalivePolicy expect = null;
    String expectText;
    boolean json;
    try {
      Args.Parsed parsed = ARGS.parse(args);
      if (parsed.has("--help")) {
        out.println(USAGE_TEXT);
        return OK;
      }
      json = parsed.has("--json");
      pid = parsed.number("--pid", 1, Integer.MAX_VALUE, "a process id");
      port = (int) parsed.number("--port", 1, 65535, "a TCP port");
      expectText = parsed.value("--expect");
      if (expectText != null) {
        try {
          expect = KeepalivePolicy.parse(expectText);
        } catch (IllegalArgumentException e) {
          throw new UsageException("--expect: " + e.getMessage());
        }
      }
    } catch (UsageException e) {
      return Console.usage(err, NAME, e.getMessage());
    }
    long target = pid == -1 ? ProcessHandle.current().pid() : pid;
    List<SocketKeepalive> sockets;
    try {
      sockets = KeepaliveAudit.process(target);
    } catch (IOException | RuntimeException e) {
      err.println(NAME + ": " + e.getMessage());
      return USAGE;
    }
    Report report = new Report(target, expect, expectText, port, sockets);
    out.print(json ? report.json() : report.text());
    out.flush();
    return report.exitCode();
  }

  /** The findings of one run, written as a table or as JSON. */
  private static final class Report {

    private final long pid;
    private final KeepalivePolicy expect;
    private final String expectText;
    private final int port;
    private final List<Row> rows = new ArrayList<>();
    private int connections;
    private int listeners;
    private int matched;
    private int mismatches;
    private int flagged;

    Report(long pid, KeepalivePolicy expect, String expectText, int port,
        List<SocketKeepalive> sockets) {
      this.pid = pid;
      this.expect = expect;
      this.expectText = expectText;
      this.port = port;
      for (SocketKeepalive s : sockets) {
        if (port != -1 && !s.hasPort(port)) {
          continue;
        }
        Row row = new Row(s);
        rows.add(row);
        if (s.listening()) {
          listeners++;
          continue;
        }
        if (s.remote().isEmpty()) {
          continue; // neither a listener nor connected: nothing to keep alive
        }
        connections++;
        flag(row);
        if (expect != null) {
          row.difference = difference(expect, s);
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
    }

    int exitCode() {
      if (expect == null) {
        return OK;
      }
      return mismatches == 0 && matched > 0 ? OK : MISMATCH;
    }

    private static void flag(Row row) {
      KeepalivePolicy p = row.socket.policy();
      if (!p.enabled()) {
        row.flags.add("keepalive off: a dead peer is never detected");
        return;
      }
      if (p.withoutUserTimeout().equals(KeepalivePolicy.linuxDefaults())) {
        row.flags.add("the Linux defaults 7200/75/9: a dead peer is detected only after 7875 s"
            + " (2 h 11 min 15 s)");
      }
      Middlebox first = null;
      int more = 0;
      for (Middlebox m : Middlebox.values()) {
        if (m.forgets(p)) {
          if (first == null || m.idleTimeout().compareTo(first.idleTimeout()) < 0) {
            first = m;
          }
          more++;
        }
      }
      if (first != null) {
        row.flags.add(String.format(Locale.ROOT, "idle %d s is not below the %d s idle timeout of"
                + " %s%s: an idle connection through it is dropped before the first probe",
            p.idleSeconds(), first.idleTimeout().getSeconds(), first.displayName(),
            more > 1 ? " (and " + (more - 1) + " more middlebox" + (more > 2 ? "es" : "") + ")"
                : ""));
      }
    }

    /** What differs from {@code expect}, or null if the socket carries it. */
    static String difference(KeepalivePolicy expect, SocketKeepalive s) {
      KeepalivePolicy p = s.policy();
      if (!expect.enabled()) {
        return p.enabled() ? "keepalive is on (" + p + "), expected off" : null;
      }
      if (!p.enabled()) {
        return "keepalive is off, expected " + expect;
      }
      List<String> d = new ArrayList<>();
      if (p.idleSeconds() != expect.idleSeconds()) {
        d.add("idle " + p.idleSeconds() + " s, expected " + expect.idleSeconds() + " s");
      }
      if (p.intervalSeconds() != expect.intervalSeconds()) {
        d.add("interval " + p.intervalSeconds() + " s, expected " + expect.intervalSeconds()
            + " s");
      }
      if (p.probes() != expect.probes()) {
        d.add("probes " + p.probes() + ", expected " + expect.probes());
      }
      if (expect.hasUserTimeout()
          && s.userTimeout().toMillis() != expect.userTimeoutMillis()) {
        d.add("user timeout " + millis(s.userTimeout().toMillis()) + ", expected "
            + millis(expect.userTimeoutMillis()));
      }
      return d.isEmpty() ? null : String.join("; ", d);
    }

    // ---- text ----

    String text() {
      StringBuilder b = new StringBuilder(256 + rows.size() * 160);
      b.append(String.format(Locale.ROOT, "keepalive audit of process %d%s: %d TCP socket%s"
              + " (%d connection%s, %d listening)%s%n", pid, command(), rows.size(),
          rows.size() == 1 ? "" : "s", connections, connections == 1 ? "" : "s", listeners,
          port == -1 ? "" : ", port " + port));
      if (!rows.isEmpty()) {
        String[] header = {"FD", "LOCAL", "REMOTE", "STATE", "KEEPALIVE", "DEADLINE",
            "USER-TIMEOUT", "PROBES-SENT", "TIME-LEFT"};
        List<String[]> cells = new ArrayList<>();
        cells.add(header);
        for (Row row : rows) {
          cells.add(row.cells());
        }
        int[] width = new int[header.length];
        for (String[] line : cells) {
          for (int i = 0; i < line.length; i++) {
            width[i] = Math.max(width[i], line[i].length());
          }
        }
        b.append('\n');
        for (String[] line : cells) {
          StringBuilder l = new StringBuilder();
          for (int i = 0; i < line.length; i++) {
            l.append(i == 0 ? String.format(Locale.ROOT, "%" + width[i] + "s", line[i])
                : String.format(Locale.ROOT, "  %-" + width[i] + "s", line[i]));
          }
          b.append(l.toString().stripTrailing()).append('\n');
        }
      }
      boolean first = true;
      for (Row row : rows) {
        for (String flag : row.flags) {
          b.append(first ? "\n" : "").append("! fd ").append(row.socket.fd()).append(' ')
              .append(row.socket.endpoints()).append(": ").append(flag).append('\n');
          first = false;
        }
        if (row.difference != null) {
          b.append(first ? "\n" : "").append("✗ fd ").append(row.socket.fd()).append(' ')
              .append(row.socket.endpoints()).append(": differs from --expect ").append(expect)
              .append(": ").append(row.difference).append('\n');
          first = false;
        }
      }
      b.append('\n');
      if (expect == null) {
        b.append(String.format(Locale.ROOT, "Result: %d of %d connection%s flagged (warnings;"
            + " --expect POLICY checks them)%n", flagged, connections,
            connections == 1 ? "" : "s"));
      } else if (mismatches > 0) {
        b.append(String.format(Locale.ROOT, "Result: MISMATCH, %d of %d connection%s differ%s"
                + " from %s%n", mismatches, connections, connections == 1 ? "" : "s",
            mismatches == 1 ? "s" : "", expect));
      } else if (matched == 0) {
        b.append(String.format(Locale.ROOT, "Result: MISMATCH, no connection%s to check against"
            + " %s: nothing was proven%n", port == -1 ? "" : " on port " + port, expect));
      } else {
        b.append(String.format(Locale.ROOT, "Result: OK, %s %s%n", matched == 1
            ? "the one connection carries" : "all " + matched + " connections carry", expect));
      }
      return b.toString();
    }

    private String command() {
      return ProcessHandle.of(pid).flatMap(h -> h.info().command())
          .map(c -> " (" + c.substring(c.lastIndexOf('/') + 1) + ")").orElse("");
    }

    // ---- json ----

    String json() {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("pid", pid);
      doc.put("expect", expect == null ? null : expect.toString());
      doc.put("expectText", expectText);
      doc.put("port", port == -1 ? null : port);
      List<Object> sockets = new ArrayList<>(rows.size());
      for (Row row : rows) {
        sockets.add(row.json(expect != null));
      }
      doc.put("sockets", sockets);
      doc.put("connections", connections);
      doc.put("listeners", listeners);
      doc.put("flagged", flagged);
      doc.put("matched", matched);
      doc.put("mismatches", mismatches);
      doc.put("ok", exitCode() == OK);
      doc.put("exitCode", exitCode());
      return Json.compact(doc) + "\n";
    }
  }

  /** One socket and what was found about it. */
  private static final class Row {
    final SocketKeepalive socket;
    final List<String> flags = new ArrayList<>();
    String difference;

    Row(SocketKeepalive socket) {
      this.socket = socket;
    }

    String[] cells() {
      KeepalivePolicy p = socket.policy();
      long deadline = deadlineMillis(socket);
      return new String[] {
          Integer.toString(socket.fd()),
          SocketKeepalive.format(socket.local()),
          socket.remote().map(SocketKeepalive::format).orElse("-"),
          socket.tcpState(),
          p.withoutUserTimeout().toString(),
          deadline < 0 ? "-" : Text.millis(deadline),
          socket.userTimeout().isZero() ? "-" : millis(socket.userTimeout().toMillis()),
          p.enabled() && !socket.listening()
              ? socket.probesSent() + (socket.userTimeout().isZero() ? "/" + p.probes() : "")
              : "-",
          socket.timeLeft().map(d -> Text.millis(d.toMillis())).orElse("-")};
    }

    Map<String, Object> json(boolean checked) {
      KeepalivePolicy p = socket.policy();
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("fd", socket.fd());
      o.put("local", SocketKeepalive.format(socket.local()));
      o.put("remote", socket.remote().map(SocketKeepalive::format).orElse(null));
      o.put("state", socket.tcpState());
      o.put("listening", socket.listening());
      o.put("policy", p.toString());
      o.put("keepalive", p.enabled());
      if (p.enabled()) {
        o.put("idleSeconds", p.idleSeconds());
        o.put("intervalSeconds", p.intervalSeconds());
        o.put("probes", p.probes());
      }
      o.put("userTimeoutMillis", socket.userTimeout().toMillis());
      long deadline = deadlineMillis(socket);
      o.put("detectionDeadlineMillis", deadline < 0 ? null : deadline);
      o.put("probesSent", socket.probesSent());
      o.put("sinceLastReceivedMillis", socket.sinceLastReceived().toMillis());
      o.put("timeLeftMillis", socket.timeLeft().map(Duration::toMillis).orElse(null));
      o.put("flags", flags);
      boolean connection = !socket.listening() && socket.remote().isPresent();
      o.put("matchesExpect", checked && connection ? difference == null : null);
      o.put("difference", difference);
      return o;
    }
  }

  /** The detection deadline from the last receive, as the kernel computes it; -1 if none. */
  static long deadlineMillis(SocketKeepalive s) {
    KeepalivePolicy p = s.policy();
    if (!p.enabled() || s.listening()) {
      return -1;
    }
    return SocketKeepalive.timeLeftMillis(p, SocketKeepalive.ESTABLISHED,
        (int) s.userTimeout().toMillis(), 0);
  }

  /** {@code 1500 ms}, {@code 30 s}. */
  static String millis(long millis) {
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }
}
