package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.contract.KernelReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the kernel holds, even where no policy can (issue 16, items 5 and 6): a network namespace
 * whose keepalive sysctls hold a 0, keepalive off with a user timeout in force, and MPTCP
 * connections.
 */
class KernelValuesTest {

  @BeforeAll
  static void linux() {
    assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
        "Linux only");
    assumeTrue(CTarget.unavailable().isEmpty(), () -> CTarget.unavailable().orElseThrow());
  }

  /** Why a network namespace cannot be made here, or empty. */
  static Optional<String> noNamespace() throws IOException, InterruptedException {
    if (!HardeningTest.isRoot()) {
      return Optional.of("needs root to make a network namespace (unshare -n) and set its sysctls");
    }
    Process p = new ProcessBuilder("unshare", "-n", "--", "sh", "-c",
        "ip link set lo up && sysctl -q -w net.ipv4.tcp_keepalive_probes=0")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      return Optional.of("cannot make a network namespace with unshare -n, ip and sysctl: " + out);
    }
    return Optional.empty();
  }

  @ParameterizedTest(name = "tcp_keepalive_{0}=0")
  @CsvSource({
      "probes, 7200, 75, 0, 'probes 0 (net.ipv4.tcp_keepalive_probes of its network namespace):"
          + " the kernel resets the connection at idle, 7200 s after the last receive, without"
          + " sending a single probe', 2 h",
      "intvl, 7200, 0, 9, 'interval 0 (net.ipv4.tcp_keepalive_intvl of its network namespace):"
          + " the kernel sends its probes back to back at idle, so a peer that misses them for a"
          + " moment is declared dead', 2 h",
      "time, 0, 75, 9, 'idle 0 (net.ipv4.tcp_keepalive_time of its network namespace): the kernel"
          + " probes every interval, even while the connection is busy', 11 min 15 s"})
  void aNamespaceSysctlOfZeroIsReportedAsTheKernelHoldsItAndFlagged(String sysctl, int idle,
      int interval, int probes, String flag, String deadline) throws Exception {
    Optional<String> no = noNamespace();
    assumeTrue(no.isEmpty(), () -> no.orElseThrow());
    try (CTarget target = CTarget.start(List.of("unshare", "-n", "--", "sh", "-c",
        "ip link set lo up && sysctl -q -w net.ipv4.tcp_keepalive_" + sysctl + "=0"
            + " && exec \"$0\" \"$@\""), "keepalive")) {
      int onPort = (int) target.ready[0];
      int offPort = (int) target.ready[1];
      List<SocketKeepalive> sockets = KeepaliveAudit.process(target.pid()); // never throws IAE
      SocketKeepalive on = sockets.stream().filter(s -> s.local().getPort() == onPort).findFirst()
          .orElseThrow();
      assertTrue(on.keepaliveOn(), on.toString());
      assertEquals(idle, on.idleSeconds(), on.toString());
      assertEquals(interval, on.intervalSeconds(), on.toString());
      assertEquals(probes, on.probes(), on.toString());
      assertFalse(on.hasPolicy(), on.toString());
      IllegalStateException e = assertThrows(IllegalStateException.class, on::policy);
      assertTrue(e.getMessage().startsWith("the kernel holds keepalive on with idle=" + idle
          + "s,interval=" + interval + "s,probes=" + probes + " on fd " + on.fd()),
          e.getMessage());
      // Keepalive off with a user timeout in force: the policy says both.
      SocketKeepalive off = sockets.stream().filter(s -> s.local().getPort() == offPort)
          .findFirst().orElseThrow();
      assertEquals(KeepalivePolicy.disabled().withUserTimeout(Duration.ofSeconds(5)),
          off.policy());
      assertEquals("off,user-timeout=5s", off.policy().toString());

      AuditCliTest.Run r = AuditCliTest.run("--pid", Long.toString(target.pid()), "--port",
          Integer.toString(onPort), "--connections");
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("! fd " + on.fd() + " " + on.endpoints() + ": " + flag + "\n"),
          r.out());
      assertTrue(r.out().contains("idle=" + idle + "s,interval=" + interval + "s,probes="
          + probes + "  " + deadline + " "), r.out());
      AuditCliTest.Run json = AuditCliTest.run("--pid", Long.toString(target.pid()), "--json");
      assertTrue(json.out().contains("\"policy\":\"off,user-timeout=5s\""), json.out());
      assertTrue(json.out().contains("\"probes\":" + probes + ","), json.out());
    }
  }

  @Test
  void mptcpConnectionsAreAuditedAndShownAsSuchAndTakeAPolicyWithoutAUserTimeout()
      throws Exception {
    Path enabled = Path.of("/proc/sys/net/mptcp/enabled");
    assumeTrue(Files.exists(enabled) && Files.readAllLines(enabled).get(0).trim().equals("1"),
        "the kernel has no MPTCP, or net.mptcp.enabled is 0");
    try (CTarget target = CTarget.start("mptcp")) {
      assumeTrue(target.other == null, () -> "MPTCP sockets cannot be made here: "
          + target.other);
      int client = (int) target.ready[0];
      SocketKeepalive s = KeepaliveAudit.process(target.pid()).stream()
          .filter(x -> x.local().getPort() == client).findFirst().orElseThrow();
      assertEquals("MPTCP", s.protocol(), s.toString());
      assertEquals(KeepalivePolicy.ofSeconds(61, 11, 4), s.policy(), s.toString());
      assertEquals(Duration.ZERO, s.userTimeout());
      assertEquals("ESTABLISHED", s.tcpState());
      assertTrue(s.toString().contains("ESTABLISHED MPTCP"), s.toString());
      AuditCliTest.Run r = AuditCliTest.run("--pid", Long.toString(target.pid()), "--port",
          Integer.toString(client), "--connections");
      assertTrue(r.out().contains("ESTABLISHED (MPTCP)"), r.out());

      // A policy without a user timeout takes; one with a user timeout is refused, untouched.
      KeepalivePolicy p = KeepalivePolicy.ofSeconds(62, 12, 5);
      List<SocketChange> changes = KeepaliveAudit.apply(target.pid(), p,
          x -> x.local().getPort() == client);
      assertEquals(1, changes.size());
      assertTrue(changes.get(0).applied(), changes.toString());
      assertEquals(p, changes.get(0).after().policy());
      if (KernelReader.unavailable().isEmpty()) {
        KernelReader.Socket k = KernelReader.read(target.pid()).stream()
            .filter(x -> x.localPort() == client).findFirst().orElseThrow();
        assertEquals(262, k.protocol());
        assertEquals("62/12/5", k.keepaliveFields());
      }
      List<SocketChange> refused = KeepaliveAudit.apply(target.pid(),
          p.withUserTimeout(Duration.ofSeconds(5)).withIdle(Duration.ofSeconds(63)),
          x -> x.local().getPort() == client);
      assertFalse(refused.get(0).applied());
      assertTrue(refused.get(0).refusal().orElseThrow().contains("TCP_USER_TIMEOUT"),
          refused.toString());
      assertEquals(p, refused.get(0).after().policy(), "left exactly as it was");
    }
  }
}
