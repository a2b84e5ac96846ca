package dev.keepalive.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.audit.Audit;
import dev.keepalive.audit.KeepaliveAudit;
import dev.keepalive.audit.SocketKeepalive;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code keepalive-audit --apply} fixes a running connection that has keepalive off: in a private
 * network namespace the peer of an idle client is silenced by nftables; the client (keepalive off,
 * the JDK's default) would block in its read forever. After three silent seconds the policy 2/1/3
 * is applied from outside, and the kernel declares the peer dead at the applied deadline (2 + 1 ×
 * 3 = 5 s) counted from the apply, not from the last receive: switching SO_KEEPALIVE on starts the
 * timer at the apply ({@code tcp_set_keepalive} → {@code keepalive_time_when}). The control: the
 * same connection, silent and with keepalive off, is still alive when the apply comes.
 */
class AuditProofApplyTest {

  private static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(2, 1, 3);

  @Test
  void aConnectionWithKeepaliveOffFixedWhileIdleIsDeclaredDeadAtTheAppliedDeadline()
      throws Exception {
    Optional<String> unavailable = KernelEnvironment.unavailability();
    assumeTrue(unavailable.isEmpty(), () -> "apply proof skipped: " + unavailable.orElseThrow());
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path stderr = Files.createTempFile("apply-proof", ".err");
    Process child = new ProcessBuilder(List.of(KernelEnvironment.tool("unshare"), "-n", "--",
        java.toString(), "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        AuditProofMain.class.getName(), KernelEnvironment.networkNamespace(), "off"))
        .redirectError(stderr.toFile()).start();
    BlockingQueue<Object[]> lines = new ArrayBlockingQueue<>(16);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.offer(new Object[] {line, System.nanoTime()});
        }
      } catch (IOException e) {
        lines.offer(new Object[] {"reader failed: " + e, System.nanoTime()});
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      Object[] silenced = lines.poll(30, TimeUnit.SECONDS);
      assertTrue(silenced != null && ((String) silenced[0]).startsWith("silenced "),
          () -> (silenced == null ? "nothing" : silenced[0]) + "\n" + read(stderr));
      int port = Integer.parseInt(((String) silenced[0]).substring("silenced ".length()));
      long silencedAt = (long) silenced[1];
      // The control, and the helper JVM started before the apply is timed.
      SocketKeepalive before = client(child.pid(), port);
      assertEquals(KeepalivePolicy.disabled(), before.policy(), before.toString());
      Thread.sleep(3000 - (System.nanoTime() - silencedAt) / 1_000_000);
      assertNull(lines.poll(), "the silent connection with keepalive off died by itself");

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long t0 = System.nanoTime();
      int exit = Audit.run(new String[] {"--pid", Long.toString(child.pid()), "--port",
          Integer.toString(port), "--apply", POLICY.toString()},
          new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
      long t1 = System.nanoTime();
      String output = out.toString(StandardCharsets.UTF_8);
      assertEquals(0, exit, output);
      assertTrue(output.contains(": off → " + POLICY + "\n"), output);
      assertEquals(POLICY, client(child.pid(), port).policy());

      Object[] dead = lines.poll(20, TimeUnit.SECONDS);
      assertTrue(dead != null, () -> "the peer was never declared dead\n" + read(stderr));
      String log = String.format(Locale.ROOT, "apply %.0f–%.0f ms after the silence,"
              + " %s %.0f ms after it; apply took %.0f ms%n%s", (t0 - silencedAt) / 1e6,
          (t1 - silencedAt) / 1e6, dead[0], ((long) dead[1] - silencedAt) / 1e6, (t1 - t0) / 1e6,
          read(stderr));
      assertTrue(((String) dead[0]).startsWith("dead Connection timed out"), log);
      long deadline = POLICY.detectionDeadline().toMillis();
      double fromApplyEnd = ((long) dead[1] - t1) / 1e6;
      double fromApplyStart = ((long) dead[1] - t0) / 1e6;
      // Counted from the apply: never before the deadline after it (the last receive was 3 s
      // earlier, so a deadline counted from it would have come 3 s sooner), and soon after.
      assertTrue(fromApplyEnd >= deadline - 50, log);
      assertTrue(fromApplyStart < deadline + 600, log);
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(20, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
      Files.deleteIfExists(stderr);
    }
  }

  private static SocketKeepalive client(long pid, int port) throws IOException {
    return KeepaliveAudit.process(pid).stream().filter(s -> s.local().getPort() == port)
        .findFirst().orElseThrow();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
