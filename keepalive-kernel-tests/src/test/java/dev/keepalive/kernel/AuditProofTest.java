package dev.keepalive.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.audit.KeepaliveAudit;
import dev.keepalive.audit.SocketKeepalive;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The audit watches the kernel declare a silent peer dead: a client with keepalive 2/1/3 in its own
 * network namespace, its peer silenced by nftables, audited from this JVM (pidfd_getfd, across the
 * namespace) every 50 ms. The probes sent go 0 → 1 → 2 → 3, one a second after the idle of 2 s;
 * every audit predicts the same moment of death (sample time + timeLeft); timeLeft shrinks to
 * about 0; and the kernel resets the connection (the client's read fails, the state becomes CLOSE)
 * at that predicted moment.
 */
class AuditProofTest {

  private static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(2, 1, 3);

  /** One audit of the client's socket: when (ms after the peer was silenced) and what it said. */
  record Sample(double atMillis, String state, int probesSent, Optional<Long> timeLeftMillis,
      long sinceLastReceivedMillis) {}

  @Test
  void probesSentCountUpAndTimeLeftReachesZeroAsTheKernelDeclaresThePeerDead() throws Exception {
    Optional<String> unavailable = KernelEnvironment.unavailability();
    assumeTrue(unavailable.isEmpty(), () -> "audit proof skipped: " + unavailable.orElseThrow());
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path stderr = Files.createTempFile("audit-proof", ".err");
    Process child = new ProcessBuilder(List.of(KernelEnvironment.tool("unshare"), "-n", "--",
        java.toString(), "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        AuditProofMain.class.getName(), KernelEnvironment.networkNamespace()))
        .redirectError(stderr.toFile()).start();
    BlockingQueue<String> lines = new ArrayBlockingQueue<>(16);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.offer(line);
        }
      } catch (IOException e) {
        lines.offer("reader failed: " + e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    List<Sample> samples = new ArrayList<>();
    String dead = null;
    double deadAt = -1;
    try {
      String silenced = lines.poll(30, TimeUnit.SECONDS);
      assertTrue(silenced != null && silenced.startsWith("silenced "),
          () -> silenced + "\n" + read(stderr));
      long start = System.nanoTime();
      int port = Integer.parseInt(silenced.substring("silenced ".length()));
      while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15)) {
        SocketKeepalive s = KeepaliveAudit.process(child.pid()).stream()
            .filter(x -> x.local().getPort() == port).findFirst().orElseThrow();
        // After the call: the first audit binds its native calls, and reads the socket last.
        double at = (System.nanoTime() - start) / 1e6;
        samples.add(new Sample(at, s.tcpState(), s.probesSent(),
            s.timeLeft().map(d -> d.toMillis()), s.sinceLastReceived().toMillis()));
        assertEquals(POLICY, s.policy(), s.toString());
        String line = lines.poll();
        if (line != null && dead == null) {
          dead = line;
          deadAt = (System.nanoTime() - start) / 1e6;
        }
        if (dead != null && s.tcpState().equals("CLOSE")) {
          break;
        }
        Thread.sleep(50);
      }
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(20, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
    String log = table(samples) + "dead: " + dead + " at " + deadAt + " ms\n" + read(stderr);
    Files.deleteIfExists(stderr);
    assertTrue(dead != null && dead.startsWith("dead Connection timed out"), log);

    List<Sample> alive = samples.stream().filter(s -> s.state().equals("ESTABLISHED")).toList();
    // 0 → 1 → 2 → 3, each step once, in order ...
    List<Integer> steps = new ArrayList<>();
    for (Sample s : alive) {
      if (steps.isEmpty() || steps.get(steps.size() - 1) != s.probesSent()) {
        steps.add(s.probesSent());
      }
    }
    assertEquals(List.of(0, 1, 2, 3), steps, log);
    // ... at idle, idle + interval, idle + 2 × interval after the last receive (the kernel's
    // timers may run a little late, never early).
    for (Sample s : alive) {
      assertTrue(s.probesSent() <= probesDue(s.sinceLastReceivedMillis())
          && s.probesSent() >= probesDue(s.sinceLastReceivedMillis() - 200), log);
    }
    // timeLeft only shrinks, to about 0, and every audit predicts the same moment of death.
    long previous = Long.MAX_VALUE;
    double predicted = -1;
    for (Sample s : alive) {
      long left = s.timeLeftMillis().orElseThrow();
      assertTrue(left <= previous, log);
      previous = left;
      if (left > 0) {
        if (predicted < 0) {
          predicted = s.atMillis() + left;
        }
        assertTrue(Math.abs(s.atMillis() + left - predicted) < 150, log);
      }
    }
    assertTrue(previous <= 300, "the last audit before death left " + previous + " ms\n" + log);
    // The kernel reset the connection at the deadline, 5 s after the last receive: not before
    // (the first audit seeing CLOSE), and soon after (the last audit still seeing ESTABLISHED).
    Sample closed = samples.stream().filter(s -> s.state().equals("CLOSE")).findFirst()
        .orElseThrow(() -> new AssertionError("never CLOSE\n" + log));
    long deadline = POLICY.detectionDeadline().toMillis();
    assertTrue(closed.sinceLastReceivedMillis() >= deadline - 50, log);
    assertTrue(alive.get(alive.size() - 1).sinceLastReceivedMillis() < deadline + 400, log);
    assertTrue(closed.atMillis() >= predicted - 100 && closed.atMillis() < predicted + 600, log);
    assertTrue(closed.timeLeftMillis().isEmpty(), log);
  }

  /** Probes the kernel has sent {@code since} ms after the last receive, with policy 2/1/3. */
  private static int probesDue(long since) {
    long idle = POLICY.idleSeconds() * 1000L;
    long interval = POLICY.intervalSeconds() * 1000L;
    return since < idle ? 0 : (int) Math.min(POLICY.probes(), 1 + (since - idle) / interval);
  }

  private static String table(List<Sample> samples) {
    StringBuilder b = new StringBuilder("\n  at ms  state        probes  timeLeft ms  since ms\n");
    for (Sample s : samples) {
      b.append(String.format(java.util.Locale.ROOT, "%7.0f  %-11s  %6d  %11s  %8d%n",
          s.atMillis(), s.state(), s.probesSent(),
          s.timeLeftMillis().map(String::valueOf).orElse("-"), s.sinceLastReceivedMillis()));
    }
    return b.toString();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
