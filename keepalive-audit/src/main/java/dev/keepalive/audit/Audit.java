package dev.keepalive.audit;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.Middlebox;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
  public static final int USAGE = 2;

  private static final String NAME = "keepalive-audit";

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
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true,
        StandardCharsets.UTF_8);
    int status = run(args, out, err);
    out.flush();
    err.flush();
    System.exit(status);
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
    long pid = -1;
    String expectText = null;
    int port = -1;
    boolean json = false;
    for (int i = 0; i < args.length; i++) {
      String arg = String.valueOf(args[i]);
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      String value = null;
      if (name.equals("--pid") || name.equals("--expect") || name.equals("--port")) {
        if (arg.contains("=")) {
          value = arg.substring(arg.indexOf('=') + 1);
        } else if (i + 1 < args.length) {
          value = String.valueOf(args[++i]);
        } else {
          return usage(err, name + " needs a value");
        }
      }
      switch (name) {
        case "--help":
        case "-h":
          out.println(USAGE_TEXT);
          return OK;
        case "--json":
          json = true;
          break;
        case "--pid":
          if (pid != -1) {
            return usage(err, "--pid given twice");
          }
          try {
            pid = Long.parseLong(value);
          } catch (NumberFormatException e) {
            pid = 0;
          }
          if (pid <= 0 || pid > Integer.MAX_VALUE) {
            return usage(err, "--pid must be a process id (a positive number), was '" + value
                + "'");
          }
          break;
        case "--expect":
          if (expectText != null) {
            return usage(err, "--expect given twice");
          }
          expectText = value;
          break;
        case "--port":
          if (port != -1) {
            return usage(err, "--port given twice");
          }
          try {
            port = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            port = 0;
          }
          if (port < 1 || port > 65535) {
            return usage(err, "--port must be a TCP port from 1 to 65535, was '" + value + "'");
          }
          break;
        default:
          return usage(err, "unknown argument '" + arg + "'");
      }
    }
    KeepalivePolicy expect = null;
    if (expectText != null) {
      try {
        expect = KeepalivePolicy.parse(expectText);
      } catch (IllegalArgumentException e) {
        return usage(err, "--expect: " + e.getMessage());
      }
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

  private static int usage(PrintStream err, String problem) {
    err.println(NAME + ": " + problem + " (try --help)");
    return USAGE;
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
      StringBuilder b = new StringBuilder(256 + rows.size() * 400);
      b.append("{\"pid\":").append(pid);
      b.append(",\"expect\":").append(expect == null ? "null" : quote(expect.toString()));
      b.append(",\"expectText\":").append(expectText == null ? "null" : quote(expectText));
      b.append(",\"port\":").append(port == -1 ? "null" : Integer.toString(port));
      b.append(",\"sockets\":[");
      for (int i = 0; i < rows.size(); i++) {
        b.append(i == 0 ? "" : ",");
        rows.get(i).json(b, expect != null);
      }
      b.append("],\"connections\":").append(connections);
      b.append(",\"listeners\":").append(listeners);
      b.append(",\"flagged\":").append(flagged);
      b.append(",\"matched\":").append(matched);
      b.append(",\"mismatches\":").append(mismatches);
      b.append(",\"ok\":").append(exitCode() == OK);
      b.append(",\"exitCode\":").append(exitCode());
      return b.append("}\n").toString();
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
          deadline < 0 ? "-" : human(deadline),
          socket.userTimeout().isZero() ? "-" : millis(socket.userTimeout().toMillis()),
          p.enabled() && !socket.listening()
              ? socket.probesSent() + (socket.userTimeout().isZero() ? "/" + p.probes() : "")
              : "-",
          socket.timeLeft().map(d -> human(d.toMillis())).orElse("-")};
    }

    void json(StringBuilder b, boolean checked) {
      KeepalivePolicy p = socket.policy();
      b.append("{\"fd\":").append(socket.fd());
      b.append(",\"local\":").append(quote(SocketKeepalive.format(socket.local())));
      b.append(",\"remote\":").append(socket.remote().map(a -> quote(SocketKeepalive.format(a)))
          .orElse("null"));
      b.append(",\"state\":").append(quote(socket.tcpState()));
      b.append(",\"listening\":").append(socket.listening());
      b.append(",\"policy\":").append(quote(p.toString()));
      b.append(",\"keepalive\":").append(p.enabled());
      if (p.enabled()) {
        b.append(",\"idleSeconds\":").append(p.idleSeconds());
        b.append(",\"intervalSeconds\":").append(p.intervalSeconds());
        b.append(",\"probes\":").append(p.probes());
      }
      b.append(",\"userTimeoutMillis\":").append(socket.userTimeout().toMillis());
      long deadline = deadlineMillis(socket);
      b.append(",\"detectionDeadlineMillis\":")
          .append(deadline < 0 ? "null" : Long.toString(deadline));
      b.append(",\"probesSent\":").append(socket.probesSent());
      b.append(",\"sinceLastReceivedMillis\":").append(socket.sinceLastReceived().toMillis());
      b.append(",\"timeLeftMillis\":").append(socket.timeLeft()
          .map(d -> Long.toString(d.toMillis())).orElse("null"));
      b.append(",\"flags\":[");
      for (int i = 0; i < flags.size(); i++) {
        b.append(i == 0 ? "" : ",").append(quote(flags.get(i)));
      }
      b.append("]");
      boolean connection = !socket.listening() && socket.remote().isPresent();
      b.append(",\"matchesExpect\":")
          .append(checked && connection ? Boolean.toString(difference == null) : "null");
      b.append(",\"difference\":").append(difference == null ? "null" : quote(difference));
      b.append('}');
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

  /** A duration for people: {@code 2 h 11 min 15 s}, {@code 58.4 s}, {@code 0 s}. */
  static String human(long millis) {
    if (millis < 60_000) {
      return millis % 1000 == 0 ? millis / 1000 + " s"
          : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    long seconds = millis / 1000;
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

  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
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
    return b.append('"').toString();
  }
}
