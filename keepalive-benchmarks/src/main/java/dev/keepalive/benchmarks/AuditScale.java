package dev.keepalive.benchmarks;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.audit.KeepaliveAudit;
import dev.keepalive.audit.SocketKeepalive;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;

/**
 * {@code KeepaliveAudit.process(pid)} of a process holding 10 000 established loopback
 * connections, against {@code ss -tnoie} listing the same connections, in the same run: rounds
 * alternate the two and the medians are compared. The audit gives every field (idle, interval,
 * probes, user timeout, probes sent, time left); ss only its timer. Allocation of the auditing
 * thread per connection (com.sun.management) shows memory is bounded by the returned objects.
 *
 * <p>A timed harness, not JMH: one audit of 10 000 sockets takes tens of milliseconds and crosses
 * into another process, so whole calls are timed, after warm-up rounds. Needs Java 22+ (the audit)
 * and ss (iproute2). {@code java -cp benchmarks.jar dev.keepalive.benchmarks.AuditScale
 * [connections] [rounds]}.
 */
public final class AuditScale {

  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(60, 10, 3);
  static final String IN_PROCESS = "keepalive.audit.inProcess";

  private AuditScale() {}

  /** The figures of one run. */
  record Result(int connections, int rounds, double auditMedianMillis, double auditMinMillis,
      double ssMedianMillis, double ssMinMillis, long ssLines, double bytesPerConnection,
      double returnedBytesPerConnection, int audited, boolean everyConnectionCarriedThePolicy) {

    double ratio() {
      return auditMedianMillis / ssMedianMillis;
    }

    String table() {
      return String.format(Locale.ROOT, String.join("\n",
          "| %,d established loopback connections in another process | median ms | min ms |",
          "|---|---|---|",
          "| `KeepaliveAudit.process(pid)`: every field of every connection | %.1f | %.1f |",
          "| `ss -tnoie state established '( dport = :PORT )'` (a process, output read) | %.1f | %.1f |",
          "| ratio audit / ss (medians, %d rounds each, alternating) | %.2f | |",
          "",
          "Audited %,d TCP sockets, every connection carrying %s: %s. ss printed %,d lines.",
          "Allocated by the auditing thread: %.0f B per connection (the returned SocketKeepalive and"
              + " its two InetSocketAddress: about %.0f B; the list's array besides).",
          ""),
          connections, auditMedianMillis, auditMinMillis, ssMedianMillis, ssMinMillis, rounds,
          ratio(), audited, POLICY, everyConnectionCarriedThePolicy, ssLines, bytesPerConnection,
          returnedBytesPerConnection);
    }
  }

  static Result run(int n, int rounds) throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), n);
      int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
      List<SocketChannel> accepted = new ArrayList<>(n);
      Process target = AcceptScale.startJvm(Target.class, Integer.toString(port),
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
        BufferedReader out = new BufferedReader(new InputStreamReader(target.getInputStream(),
            StandardCharsets.US_ASCII));
        String ready = out.readLine();
        if (!"ready".equals(ready)) {
          throw new IllegalStateException("target said " + ready);
        }
        acceptor.join(60_000);
        return measure(target.pid(), port, n, rounds);
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

  private static Result measure(long pid, int port, int n, int rounds) throws Exception {
    // As the command does: this harness holds no POSIX locks, so no helper JVM (measured apart).
    System.setProperty(IN_PROCESS, "true");
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().threadId();
    int warmup = Math.max(2, rounds / 2);
    double[] audit = new double[rounds];
    double[] ss = new double[rounds];
    long ssLines = 0;
    long allocated = Long.MAX_VALUE;
    List<SocketKeepalive> last = List.of();
    for (int r = -warmup; r < rounds; r++) {
      long bytesBefore = threads.getThreadAllocatedBytes(self);
      long t0 = System.nanoTime();
      List<SocketKeepalive> sockets = KeepaliveAudit.process(pid);
      long t1 = System.nanoTime();
      long bytes = threads.getThreadAllocatedBytes(self) - bytesBefore;
      long[] lines = new long[1];
      long t2 = System.nanoTime();
      ss(port, lines);
      long t3 = System.nanoTime();
      if (r >= 0) {
        audit[r] = (t1 - t0) / 1e6;
        ss[r] = (t3 - t2) / 1e6;
        allocated = Math.min(allocated, bytes);
        ssLines = lines[0];
      }
      last = sockets;
    }
    long carrying = last.stream().filter(s -> s.remote().isPresent()
        && s.remote().get().getPort() == port && s.policy().equals(POLICY)).count();
    return new Result(n, rounds, median(audit), Arrays.stream(audit).min().orElseThrow(),
        median(ss), Arrays.stream(ss).min().orElseThrow(), ssLines,
        (double) allocated / last.size(), returnedBytes(), last.size(), carrying == n);
  }

  /** SocketKeepalive (12 B header, 5 ints, 2 longs, 3 references: 64 B) + 2 × (InetSocketAddress
   *  16 B + its holder 24 B); the policy and addresses are shared. */
  private static double returnedBytes() {
    return 64 + 2 * (16 + 24);
  }

  private static void ss(int port, long[] lines) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("ss", "-tnoie", "state", "established",
        "( dport = :" + port + " )").redirectErrorStream(true).start();
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
    lines[0] = count;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }

  /** The audited process: n connections with keepalive 60/10/3, held until its input ends. */
  public static final class Target {
    private Target() {}

    public static void main(String[] args) throws IOException {
      int port = Integer.parseInt(args[0]);
      int n = Integer.parseInt(args[1]);
      InetSocketAddress server = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
      SocketChannel[] sockets = new SocketChannel[n];
      try {
        for (int i = 0; i < n; i++) {
          sockets[i] = SocketChannel.open(server);
          sockets[i].setOption(StandardSocketOptions.SO_KEEPALIVE, true);
          sockets[i].setOption(ExtendedSocketOptions.TCP_KEEPIDLE, POLICY.idleSeconds());
          sockets[i].setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, POLICY.intervalSeconds());
          sockets[i].setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, POLICY.probes());
        }
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
          // held until the harness closes our input
        }
      } finally {
        for (SocketChannel s : sockets) {
          if (s != null) {
            s.close();
          }
        }
      }
    }
  }

  /**
   * Runs the comparison and prints its table (also written to target/audit-scale.md).
   *
   * @param args connections (default 10 000), rounds (default 9)
   * @throws Exception if the run fails
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
    Result r = run(n, rounds);
    System.out.print(r.table());
    Path out = Path.of("keepalive-benchmarks/target/audit-scale.md");
    if (Files.isDirectory(out.getParent())) {
      Files.writeString(out, r.table());
    }
  }
}
