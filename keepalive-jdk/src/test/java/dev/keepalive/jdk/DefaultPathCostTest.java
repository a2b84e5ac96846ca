package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepalivePolicy;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default (strict) path costs what the four raw setOption calls cost: it allocates nothing
 * beyond what they allocate (the JDK's own work), and returns the policy's shared report. Timing is
 * left to the benchmarks module; allocation is deterministic enough to assert, in a fresh child JVM
 * so that other tests' Mockito spies and call-site profiles cannot change what the JIT does.
 */
@Timeout(60)
class DefaultPathCostTest {
  private static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(90, 15, 2);
  private static final int WARMUP = 30_000;
  private static final int MEASURED = 20_000;
  private static final int ROUNDS = 5;

  interface Op {
    void run() throws IOException;
  }

  /**
   * The steady state: the least of {@link #ROUNDS} rounds after the warm-up. A round in which the
   * JIT recompiles the path (deeper inlining on JDK 25 takes longer to settle) allocates in the
   * interpreter meanwhile; that is the JIT's cost, not the path's.
   */
  private static long bytesPerOp(com.sun.management.ThreadMXBean mx, Op op) throws IOException {
    for (int i = 0; i < WARMUP; i++) {
      op.run();
    }
    long id = Thread.currentThread().getId();
    long least = Long.MAX_VALUE;
    for (int round = 0; round < ROUNDS; round++) {
      long before = mx.getThreadAllocatedBytes(id);
      for (int i = 0; i < MEASURED; i++) {
        op.run();
      }
      least = Math.min(least, (mx.getThreadAllocatedBytes(id) - before) / MEASURED);
    }
    return least;
  }

  /**
   * Child JVM entry: prints {@code raw=<bytes/op> apply=<bytes/op> lenient=<bytes/op>
   * shared=<bool> inspect=<policy>}.
   *
   * @param args unused
   * @throws IOException if the loopback connection fails
   */
  public static void main(String[] args) throws IOException {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Loopback loopback = new Loopback();
    Socket socket = loopback.socket(InetAddress.getLoopbackAddress());
    try {
      boolean shared = ApplyReport.allApplied(POLICY) == Keepalive.apply(socket, POLICY);
      long raw = bytesPerOp(mx, () -> {
        socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 90);
        socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 15);
        socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 2);
        socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      });
      long apply = bytesPerOp(mx, () -> Keepalive.apply(socket, POLICY));
      long lenient = bytesPerOp(mx, () -> Keepalive.apply(socket, POLICY, ApplyMode.LENIENT));
      System.out.println("raw=" + raw + " apply=" + apply + " lenient=" + lenient + " shared="
          + shared + " inspect=" + Keepalive.inspect(socket));
    } finally {
      loopback.close(socket);
    }
  }

  @Test
  void strictApplyAllocatesNoMoreThanTheRawCallsAndLenientNoMoreThanStrict() throws Exception {
    Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), getClass().getName())
        .redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child finished");
    assertEquals(0, p.exitValue(), out);
    Matcher m = Pattern.compile("raw=(\\d+) apply=(\\d+) lenient=(\\d+) shared=(\\w+) inspect=(.*)")
        .matcher(out);
    assertTrue(m.matches(), out);
    long raw = Long.parseLong(m.group(1));
    long apply = Long.parseLong(m.group(2));
    long lenient = Long.parseLong(m.group(3));
    assertTrue(apply <= raw, "apply allocates " + apply + " B/op, the raw calls " + raw);
    // Regression (issue 13, D6): lenient built a report per call, 368 B/op, even when all took.
    assertTrue(lenient <= apply, "lenient allocates " + lenient + " B/op, strict " + apply);
    assertEquals("true", m.group(4), "the default path returns the policy's shared report");
    assertEquals(POLICY.toString(), m.group(5));
  }
}
