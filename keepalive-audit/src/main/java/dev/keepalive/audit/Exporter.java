package dev.keepalive.audit;

import dev.keepalive.KeepalivePolicy;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The command's {@code --serve HOST:PORT}: a Prometheus exporter (the official Java client's
 * {@link HTTPServer}) that audits afresh on every scrape of {@code /metrics}, one process or every
 * process of the host. Scrapes never overlap (one thread serves them, one at a time), and a scrape
 * audits for at most {@link #SCRAPE_LIMIT}: the processes not reached by then are left out of that
 * scrape and counted in {@code keepalive_audit_processes{result="unfinished"}}. Labels are per
 * process and state, never per connection or port.
 *
 * <ul>
 *   <li>{@code keepalive_connections{process,pid,state}}: established connections by state, {@code
 *       off}, {@code kernel_default}, {@code policy} and, with {@code --expect}, {@code mismatch};
 *       a state with no connection is exported as 0;
 *   <li>{@code keepalive_detection_deadline_seconds{process,pid}}: the longest detection deadline
 *       among the process's established connections, {@code +Inf} when one has keepalive off;
 *       absent for a process with no established connection;
 *   <li>{@code keepalive_probes_unanswered{process,pid}}: the sum of their {@code tcpi_probes};
 *   <li>{@code keepalive_audit_duration_seconds}: what this scrape's audit took;
 *   <li>{@code keepalive_audit_processes{result}}: processes {@code audited}, {@code unreadable}
 *       (another user's, without ptrace access) and {@code unfinished} (past the limit).
 * </ul>
 */
final class Exporter implements MultiCollector {

  /** The longest a scrape audits: below Prometheus's default scrape timeout of 10 s. */
  static final Duration SCRAPE_LIMIT = Audit.SCRAPE_LIMIT;

  private final long pid;
  private final KeepalivePolicy expect;
  private final KeepalivePolicy defaults = Findings.kernelDefaults();
  private final String[] states;

  /** {@code pid} -1: every process. */
  Exporter(long pid, KeepalivePolicy expect) {
    this.pid = pid;
    this.expect = expect;
    this.states = expect == null
        ? new String[] {Findings.OFF, Findings.KERNEL_DEFAULT, Findings.POLICY}
        : new String[] {Findings.OFF, Findings.KERNEL_DEFAULT, Findings.POLICY, Findings.MISMATCH};
  }

  /** Serves until the JVM is stopped; prints the address it serves on. */
  static void serve(InetSocketAddress address, long pid, KeepalivePolicy expect, PrintStream out)
      throws IOException {
    HTTPServer server = start(address, pid, expect);
    out.println("keepalive-audit: serving OpenMetrics on http://"
        + SocketKeepalive.format(new InetSocketAddress(address.getAddress(), server.getPort()))
        + "/metrics for " + (pid == -1 ? "every process" : "process " + pid) + ", audited on"
        + " each scrape (at most " + SCRAPE_LIMIT.toSeconds() + " s)");
    out.flush();
    try {
      Thread.currentThread().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
    }
  }

  /** The running server; close it to stop. */
  static HTTPServer start(InetSocketAddress address, long pid, KeepalivePolicy expect)
      throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new Exporter(pid, expect));
    // One thread: scrapes are served one at a time, never overlapping.
    ExecutorService one = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "keepalive-audit-exporter");
      t.setDaemon(false);
      return t;
    });
    return HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort())
        .registry(registry).executorService(one).buildAndStart();
  }

  @Override
  public synchronized MetricSnapshots collect() {
    long start = System.nanoTime();
    long deadline = start + SCRAPE_LIMIT.toNanos();
    Scrape scrape = audit(deadline);
    GaugeSnapshot.Builder connections = GaugeSnapshot.builder().name("keepalive_connections")
        .help("Established TCP connections by keepalive state: off, kernel_default (the"
            + " namespace's defaults), policy (values of their own), mismatch (with --expect)");
    GaugeSnapshot.Builder deadlines = GaugeSnapshot.builder()
        .name("keepalive_detection_deadline_seconds")
        .help("The longest time a silent peer of the process goes undetected, from its last"
            + " packet (+Inf when a connection has keepalive off)");
    GaugeSnapshot.Builder probes = GaugeSnapshot.builder().name("keepalive_probes_unanswered")
        .help("Keepalive probes sent and not yet answered, summed over the process's"
            + " connections (tcpi_probes)");
    for (ProcessKeepalive p : scrape.processes) {
      String pidText = Long.toString(p.pid());
      int[] counts = new int[states.length];
      double longest = -1;
      long unanswered = 0;
      for (SocketKeepalive s : p.sockets()) {
        if (!s.tcpState().equals("ESTABLISHED")) {
          continue;
        }
        String state = Findings.state(s, expect, defaults);
        for (int i = 0; i < states.length; i++) {
          if (states[i].equals(state)) {
            counts[i]++;
          }
        }
        long d = Findings.deadlineMillis(s);
        longest = Math.max(longest, d < 0 ? Double.POSITIVE_INFINITY : d / 1000.0);
        unanswered += s.probesSent();
      }
      for (int i = 0; i < states.length; i++) {
        connections.dataPoint(GaugeDataPointSnapshot.builder()
            .labels(Labels.of("process", p.name(), "pid", pidText, "state", states[i]))
            .value(counts[i]).build());
      }
      Labels labels = Labels.of("process", p.name(), "pid", pidText);
      if (longest >= 0) {
        deadlines.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(longest)
            .build());
      }
      probes.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(unanswered).build());
    }
    GaugeSnapshot.Builder processes = GaugeSnapshot.builder().name("keepalive_audit_processes")
        .help("Processes in this scrape: audited, unreadable (no ptrace access), unfinished"
            + " (past the scrape's limit of " + SCRAPE_LIMIT.toSeconds() + " s)");
    processes.dataPoint(point("result", "audited", scrape.processes.size()));
    processes.dataPoint(point("result", "unreadable", scrape.unreadable));
    processes.dataPoint(point("result", "unfinished", scrape.unfinished));
    GaugeSnapshot duration = GaugeSnapshot.builder().name("keepalive_audit_duration_seconds")
        .help("What this scrape's audit took")
        .dataPoint(GaugeDataPointSnapshot.builder()
            .value((System.nanoTime() - start) / 1e9).build()).build();
    return MetricSnapshots.of(connections.build(), deadlines.build(), probes.build(),
        processes.build(), duration);
  }

  private static GaugeDataPointSnapshot point(String label, String value, double number) {
    return GaugeDataPointSnapshot.builder().labels(Labels.of(label, value)).value(number).build();
  }

  /** What one scrape audited. */
  static final class Scrape {
    final List<ProcessKeepalive> processes = new ArrayList<>();
    int unreadable;
    int unfinished;
  }

  private Scrape audit(long deadline) {
    Scrape scrape = new Scrape();
    try {
      if (pid != -1) {
        scrape.processes.add(new ProcessKeepalive(pid, ProcessName.of(pid),
            KeepaliveAudit.process(pid), null));
        return scrape;
      }
      int[] unfinished = new int[1];
      List<ProcessKeepalive> all;
      if (KeepaliveAudit.inProcess()) {
        try (Reader reader = Reader.open()) {
          all = Host.all(reader, ProcessHandle.current().pid(), deadline, unfinished);
        }
      } else {
        all = KeepaliveAudit.allProcesses(); // in the helper, bounded by its own answer limit
      }
      for (ProcessKeepalive p : all) {
        if (p.failure().isPresent()) {
          scrape.unreadable++;
        } else {
          scrape.processes.add(p);
        }
      }
      scrape.unfinished = unfinished[0];
    } catch (AuditException e) {
      if (e.reason() != AuditException.Reason.NO_SUCH_PROCESS) {
        scrape.unreadable++;
      }
    } catch (IOException e) {
      throw new IllegalStateException("the audit failed: " + e.getMessage(), e);
    }
    return scrape;
  }
}
