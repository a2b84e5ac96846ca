package dev.keepalive.benchmarks;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.audit.KeepaliveAudit;
import dev.keepalive.audit.ProcessKeepalive;
import dev.keepalive.audit.SocketChange;
import dev.keepalive.audit.SocketKeepalive;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The audit at fleet scale (issue 18), each comparison in one run, rounds alternating, medians:
 *
 * <ul>
 *   <li><b>all</b>: {@code KeepaliveAudit.allProcesses()} (what {@code --all} does) of a host where
 *       10 client processes hold 1 000 connections each to an 11th process, against {@code ss
 *       -tnoie state established} over the same host, and one scrape of the exporter ({@code
 *       keepalive-audit --all --serve}, its own JVM, {@code GET /metrics} timed) over the same;
 *   <li><b>apply</b>: {@code KeepaliveAudit.apply} to the 10 000 connections of one process
 *       (alternating two policies, so every round changes every socket), against {@code
 *       KeepaliveAudit.process} of the same;
 *   <li><b>helper</b>: the API's helper JVM (issue 16): the first call after the helper left (a
 *       JVM start), a call to a running helper, and the same audit done in-process.
 * </ul>
 *
 * A timed harness like {@link AuditScale}, not JMH. Needs Java 22+ and ss. {@code java -cp
 * benchmarks.jar dev.keepalive.benchmarks.AuditScaleFleet [all|apply|helper] [rounds]}.
 */
public final class AuditScaleFleet {

  private AuditScaleFleet() {}

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }

  /** A process holding {@code n} accepted connections until its input ends. */
  public static final class Server {
    private Server() {}

    public static void main(String[] args) throws IOException {
      int n = Integer.parseInt(args[0]);
      try (ServerSocketChannel server = ServerSocketChannel.open()) {
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), n);
        System.out.println("ready " + ((InetSocketAddress) server.getLocalAddress()).getPort());
        System.out.flush();
        List<SocketChannel> accepted = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          accepted.add(server.accept());
        }
        System.out.println("accepted");
        System.out.flush();
        while (System.in.read() >= 0) {
          // held until the harness closes our input
        }
        for (SocketChannel c : accepted) {
          c.close();
        }
      }
    }
  }

  /** The fleet: a server process and {@code clients} client processes. */
  static final class Fleet implements AutoCloseable {
    final List<Process> processes = new ArrayList<>();
    final int port;

    Fleet(int clients, int connections) throws Exception {
      Process server = AcceptScale.startJvm(Server.class, Integer.toString(connections));
      processes.add(server);
      BufferedReader serverOut = reader(server);
      String ready = serverOut.readLine();
      port = Integer.parseInt(ready.substring("ready ".length()));
      for (int i = 0; i < clients; i++) {
        Process c = AcceptScale.startJvm(AuditScale.Target.class, Integer.toString(port),
            Integer.toString(connections / clients));
        processes.add(c);
        String line = reader(c).readLine();
        if (!"ready".equals(line)) {
          throw new IllegalStateException("client said " + line);
        }
      }
      if (!"accepted".equals(serverOut.readLine())) {
        throw new IllegalStateException("the server did not accept every connection");
      }
    }

    @Override
    public void close() throws IOException {
      for (Process p : processes) {
        p.getOutputStream().close();
      }
      for (Process p : processes) {
        try {
          if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          p.destroyForcibly();
        }
      }
    }
  }

  private static BufferedReader reader(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
  }

  /** Runs ss with {@code args}, reads its output to the end; the number of lines. */
  static long ss(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ss"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    long count = 0;
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = p.getInputStream()) {
      for (int k; (k = in.read(buffer)) >= 0; ) {
        for (int i = 0; i < k; i++) {
          if (buffer[i] == '\n') {
            count++;
          }
        }
      }
    }
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("ss failed");
    }
    return count;
  }

  // ---- all ----

  static String all(int rounds) throws Exception {
    return all(rounds, 10, 10_000);
  }

  static String all(int rounds, int clients, int connections) throws Exception {
    System.setProperty(AuditScale.IN_PROCESS, "true");
    try (Fleet fleet = new Fleet(clients, connections)) {
      Process exporter = AcceptScale.startJvm(dev.keepalive.audit.Audit.class, "--all",
          "--serve", "127.0.0.1:0");
      try {
        String line = reader(exporter).readLine();
        String url = line.substring(line.indexOf("http://"), line.indexOf("/metrics") + 8);
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create(url))
            .header("Accept", "application/openmetrics-text;version=1.0.0")
            .timeout(Duration.ofSeconds(30)).build();
        int warmup = Math.max(3, rounds / 2);
        double[] audit = new double[rounds];
        double[] ss = new double[rounds];
        double[] scrapes = new double[rounds];
        long sockets = 0;
        long processes = 0;
        long ssLines = 0;
        long bytes = 0;
        for (int r = -warmup; r < rounds; r++) {
          long t0 = System.nanoTime();
          List<ProcessKeepalive> all = KeepaliveAudit.allProcesses();
          long t1 = System.nanoTime();
          long lines = ss("-tnoie", "state", "established");
          long t2 = System.nanoTime();
          HttpResponse<String> body = http.send(scrape, HttpResponse.BodyHandlers.ofString());
          long t3 = System.nanoTime();
          if (body.statusCode() != 200) {
            throw new IllegalStateException("scrape: HTTP " + body.statusCode());
          }
          if (r >= 0) {
            audit[r] = (t1 - t0) / 1e6;
            ss[r] = (t2 - t1) / 1e6;
            scrapes[r] = (t3 - t2) / 1e6;
            sockets = all.stream().mapToLong(p -> p.sockets().size()).sum();
            processes = all.stream().filter(p -> p.failure().isEmpty()).count();
            ssLines = lines;
            bytes = body.body().length();
          }
        }
        return String.format(Locale.ROOT, String.join("\n",
            "| a host with %d client processes × %,d connections to one more (port %d) | median ms | min ms |",
            "|---|---|---|",
            "| `KeepaliveAudit.allProcesses()` (`--all`): %,d processes, %,d TCP sockets | %.1f | %.1f |",
            "| `ss -tnoie state established` (a process, %,d lines read) | %.1f | %.1f |",
            "| one scrape of `--all --serve` (`GET /metrics`, %,d bytes of OpenMetrics) | %.1f | %.1f |",
            "| ratio `--all` / ss (%d rounds each, alternating) | %.2f | |",
            "| ratio scrape / `--all` | %.2f | |",
            ""), clients, connections / clients, fleet.port, processes, sockets, median(audit), min(audit), ssLines, median(ss), min(ss),
            bytes, median(scrapes), min(scrapes), rounds, median(audit) / median(ss),
            median(scrapes) / median(audit));
      } finally {
        exporter.destroy();
        exporter.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  // ---- apply ----

  static String apply(int rounds) throws Exception {
    return apply(rounds, 10_000);
  }

  static String apply(int rounds, int n) throws Exception {
    System.setProperty(AuditScale.IN_PROCESS, "true");
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), n);
      int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
      List<SocketChannel> accepted = new ArrayList<>(n);
      Process target = AcceptScale.startJvm(AuditScale.Target.class, Integer.toString(port),
          Integer.toString(n));
      try {
        Thread acceptor = new Thread(() -> {
          try {
            for (int i = 0; i < n; i++) {
              accepted.add(server.accept());
            }
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
        acceptor.start();
        if (!"ready".equals(reader(target).readLine())) {
          throw new IllegalStateException("the target did not start");
        }
        acceptor.join(60_000);
        KeepalivePolicy[] policies = {KeepalivePolicy.ofSeconds(61, 11, 4),
            KeepalivePolicy.ofSeconds(62, 12, 5).withUserTimeout(Duration.ofSeconds(30))};
        int warmup = Math.max(3, rounds / 2);
        double[] audit = new double[rounds];
        double[] apply = new double[rounds];
        long applied = 0;
        for (int r = -warmup; r < rounds; r++) {
          long t0 = System.nanoTime();
          List<SocketKeepalive> sockets = KeepaliveAudit.process(target.pid());
          long t1 = System.nanoTime();
          KeepalivePolicy policy = policies[(r + warmup) % 2];
          List<SocketChange> changes = KeepaliveAudit.apply(target.pid(), policy,
              s -> s.isConnectionTo(port));
          long t2 = System.nanoTime();
          if (sockets.size() < n) {
            throw new IllegalStateException("audited " + sockets.size());
          }
          if (r >= 0) {
            audit[r] = (t1 - t0) / 1e6;
            apply[r] = (t2 - t1) / 1e6;
            applied = changes.stream().filter(c -> c.applied() && c.after().policy()
                .equals(policy)).count();
          }
        }
        return String.format(Locale.ROOT, String.join("\n",
            "| %,d established connections of one process | median ms | min ms |",
            "|---|---|---|",
            "| `KeepaliveAudit.process(pid)` | %.1f | %.1f |",
            "| `KeepaliveAudit.apply(pid, policy, s -> s.isConnectionTo(port))`: list, set, read back | %.1f | %.1f |",
            "| ratio apply / audit (%d rounds each, alternating; every round changes every socket) | %.2f | |",
            "",
            "Every round applied and read back %,d of %,d connections.",
            ""), n, median(audit), min(audit), median(apply), min(apply), rounds,
            median(apply) / median(audit), applied, n);
      } finally {
        target.getOutputStream().close();
        if (!target.waitFor(30, TimeUnit.SECONDS)) {
          target.destroyForcibly();
        }
        for (SocketChannel c : accepted) {
          c.close();
        }
      }
    }
  }

  // ---- helper ----

  static String helper(int rounds) throws Exception {
    try (Fleet fleet = new Fleet(1, 1_000)) {
      long pid = fleet.processes.get(1).pid();
      double[] cold = new double[rounds];
      double[] warm = new double[rounds];
      double[] inProcess = new double[rounds];
      for (int r = -1; r < rounds; r++) {
        System.setProperty(AuditScale.IN_PROCESS, "false");
        // The helper leaves 10 s after its last request: the next call starts a new one.
        Thread.sleep(11_000);
        long t0 = System.nanoTime();
        KeepaliveAudit.process(pid);
        long t1 = System.nanoTime();
        for (int i = 0; i < 5; i++) {
          KeepaliveAudit.process(pid);
        }
        long t2 = System.nanoTime();
        KeepaliveAudit.process(pid);
        long t3 = System.nanoTime();
        System.setProperty(AuditScale.IN_PROCESS, "true");
        for (int i = 0; i < 5; i++) {
          KeepaliveAudit.process(pid);
        }
        long t4 = System.nanoTime();
        KeepaliveAudit.process(pid);
        long t5 = System.nanoTime();
        if (r >= 0) {
          cold[r] = (t1 - t0) / 1e6;
          warm[r] = (t3 - t2) / 1e6;
          inProcess[r] = (t5 - t4) / 1e6;
        }
      }
      return String.format(Locale.ROOT, String.join("\n",
          "| `KeepaliveAudit.process(pid)` of a process with 1 000 connections | median ms | min ms |",
          "|---|---|---|",
          "| first call after the helper left (starts the helper JVM) | %.1f | %.1f |",
          "| call to the running helper | %.1f | %.1f |",
          "| the same audit in-process (`-Dkeepalive.audit.inProcess=true`) | %.1f | %.1f |",
          "",
          "%d cold starts, each after 11 s idle.",
          ""), median(cold), min(cold), median(warm), min(warm), median(inProcess),
          min(inProcess), rounds);
    }
  }

  private static double min(double[] values) {
    return Arrays.stream(values).min().orElseThrow();
  }

  /**
   * Runs one comparison, or all three, and prints the tables (also to
   * keepalive-benchmarks/target/audit-fleet.md).
   *
   * @param args {@code all}, {@code apply} or {@code helper} (default: every one), then rounds
   * @throws Exception if a run fails
   */
  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "every";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
    StringBuilder out = new StringBuilder();
    if (which.equals("every") || which.equals("all")) {
      out.append(all(rounds)).append('\n');
    }
    if (which.equals("every") || which.equals("apply")) {
      out.append(apply(rounds)).append('\n');
    }
    if (which.equals("every") || which.equals("helper")) {
      out.append(helper(Math.min(rounds, 5))).append('\n');
    }
    System.out.print(out);
    Path file = Path.of("keepalive-benchmarks/target/audit-fleet.md");
    if (Files.isDirectory(file.getParent())) {
      Files.writeString(file, out);
    }
  }
}
