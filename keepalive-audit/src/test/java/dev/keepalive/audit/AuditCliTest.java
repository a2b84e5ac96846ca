package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.contract.MiniJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The keepalive-audit command against a child JVM with known sockets: output and exit codes. */
class AuditCliTest {

  private static ServerSocketChannel peerServer;
  private static SocketChannel peer;
  private static Child child;
  private static int peerPort;

  private static boolean linux() {
    return System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux");
  }

  /** Each test a counted skip off Linux: an assumption in @BeforeAll is reported as no test at all. */
  @BeforeEach
  void requireLinux() {
    assumeTrue(linux(), "the audit reads /proc and calls pidfd_getfd: Linux only");
  }

  @BeforeAll
  static void open() throws Exception {
    if (!linux()) {
      return;
    }
    peerServer = ServerSocketChannel.open();
    peerServer.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    peerPort = ((InetSocketAddress) peerServer.getLocalAddress()).getPort();
    child = Child.start(peerPort);
    peer = peerServer.accept();
  }

  @AfterAll
  static void close() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {child, peer, peerServer}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /** What one run printed and returned. */
  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Audit.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private static String pid() {
    return Long.toString(child.pid());
  }

  @Test
  void withoutExpectItListsEverySocketFlagsTheRiskyOnesAndExitsZero() {
    Run r = run("--pid", pid(), "--connections");
    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.err());
    assertTrue(r.out().startsWith("keepalive audit of process " + pid() + " (AuditTarget): 19 TCP"
        + " sockets (15 connections, 4 listening)"), r.out());
    String custom = line(r.out(), ":" + child.sockets.get("v4-custom") + " ");
    assertTrue(custom.matches(".*ESTABLISHED +idle=61s,interval=11s,probes=4 +1 min 45 s +- +0/4"
        + " +1 min 4\\d s"), custom);
    String netty = line(r.out(), ":" + child.sockets.get("netty-epoll") + " ");
    assertTrue(netty.matches(".*ESTABLISHED +idle=61s,interval=11s,probes=4 +1 min 12 s +17 s"
        + " +0 +1 min \\d+ s"), netty);
    for (String name : List.of("v4-off", "v6-off")) {
      assertTrue(r.out().lines().anyMatch(l -> l.startsWith("! fd ")
          && l.contains(":" + child.sockets.get(name) + " -> ")
          && l.endsWith(": keepalive off: a dead peer is never detected")), r.out());
    }
    if (Fixture.kernelDefaults().equals(dev.keepalive.KeepalivePolicy.linuxDefaults())) {
      assertTrue(r.out().lines().anyMatch(l -> l.contains(":" + child.sockets.get("v4-defaults")
          + " -> ") && l.contains("the Linux defaults 7200/75/9")), r.out());
      assertTrue(r.out().lines().anyMatch(l -> l.contains(":" + child.sockets.get("v4-defaults")
          + " -> ") && l.contains("idle 7200 s is not below the 240 s idle timeout of Azure Load"
          + " Balancer")), r.out());
    }
    assertTrue(r.out().contains("Result: "), r.out());
    assertFalse(r.out().contains("✗"), r.out());
  }

  @Test
  void expectMatchedByEveryConnectionExitsZero() {
    Run r = run("--pid", pid(), "--port", Integer.toString(peerPort), "--expect",
        "idle=60s,interval=10s,probes=3");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().endsWith("Result: OK, the one connection carries"
        + " idle=60s,interval=10s,probes=3\n"), r.out());
  }

  @Test
  void expectNotMatchedNamesTheConnectionAndTheDifferenceAndExitsOne() {
    Run r = run("--pid", pid(), "--port", Integer.toString(peerPort), "--expect",
        "idle=61s,interval=10s,probes=2");
    assertEquals(1, r.exit(), r.out() + r.err());
    String mismatch = r.out().lines().filter(l -> l.startsWith("✗ ")).findFirst().orElseThrow();
    assertTrue(mismatch.matches("✗ fd \\d+ 127\\.0\\.0\\.1:" + child.closable + " -> 127\\.0\\.0\\.1:"
        + peerPort + ": differs from --expect idle=61s,interval=10s,probes=2: idle 60 s,"
        + " expected 61 s; probes 3, expected 2"), mismatch);
    assertTrue(r.out().contains("Result: MISMATCH, 1 of 1 connection differs"), r.out());
  }

  @Test
  void aUserTimeoutIsComparedOnlyWhenExpectNamesOne() {
    String nettyPort = Integer.toString(child.sockets.get("netty-epoll"));
    Run without = run("--pid", pid(), "--port", nettyPort, "--expect",
        "idle=61s,interval=11s,probes=4");
    Run wrong = run("--pid", pid(), "--port", nettyPort, "--expect",
        "idle=61s,interval=11s,probes=4,user-timeout=20s");
    assertTrue(without.out().lines().noneMatch(l -> l.startsWith("✗ ") && l.contains(
        ":" + nettyPort + " -> ")), without.out());
    assertTrue(wrong.out().lines().anyMatch(l -> l.startsWith("✗ ") && l.contains(":" + nettyPort
        + " -> ") && l.endsWith(": user timeout 17 s, expected 20 s")), wrong.out());
  }

  @Test
  void keepaliveOffIsADifferenceToo() {
    Run r = run("--pid", pid(), "--expect", "idle=60s,interval=10s,probes=3");
    assertEquals(1, r.exit());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("✗ ") && l.contains(":"
        + child.sockets.get("v4-off") + " -> ") && l.endsWith(": keepalive is off, expected"
        + " idle=60s,interval=10s,probes=3")), r.out());
  }

  @Test
  void expectWithNoMatchingConnectionProvesNothingAndExitsOne() {
    // The lonely listener alone: listed, never checked against --expect.
    Run r = run("--pid", pid(), "--port", Integer.toString(child.lonely), "--expect",
        "idle=60s,interval=10s,probes=3");
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().contains(" LISTEN "), r.out());
    assertFalse(r.out().contains("✗"), r.out());
    assertTrue(r.out().endsWith("Result: MISMATCH, no connection on port " + child.lonely
        + " to check against idle=60s,interval=10s,probes=3: nothing was proven\n"), r.out());
  }

  @Test
  void portKeepsOnlySocketsWithThatLocalOrRemotePort() {
    int port = child.listeners.get("listener0"); // IPv4, three connections
    Run r = run("--pid", pid(), "--port=" + port, "--connections");
    assertEquals(0, r.exit());
    List<String> rows = r.out().lines().filter(l -> l.matches(" *\\d+  .*")).toList();
    assertEquals(7, rows.size(), r.out()); // the listener and both ends of 3 connections
    for (String row : rows) {
      assertTrue(row.contains(":" + port + " "), row);
    }
  }

  @SuppressWarnings("unchecked")
  @Test
  void jsonGivesTheSameFindingsAsOneObject() {
    Run r = run("--pid", pid(), "--json", "--expect", "idle=61s,interval=11s,probes=4");
    assertEquals(1, r.exit());
    Map<String, Object> doc = (Map<String, Object>) MiniJson.parse(r.out());
    assertEquals(child.pid(), doc.get("pid"));
    assertEquals("idle=61s,interval=11s,probes=4", doc.get("expect"));
    assertEquals(1L, doc.get("exitCode"));
    assertEquals(15L, doc.get("connections"));
    assertEquals(4L, doc.get("listeners"));
    List<Map<String, Object>> sockets = (List<Map<String, Object>>) doc.get("sockets");
    assertEquals(19, sockets.size());
    Map<String, Object> netty = sockets.stream().filter(s -> s.get("local")
        .equals("127.0.0.1:" + child.sockets.get("netty-epoll"))).findFirst().orElseThrow();
    assertEquals(61L, netty.get("idleSeconds"));
    assertEquals(11L, netty.get("intervalSeconds"));
    assertEquals(4L, netty.get("probes"));
    assertEquals(17_000L, netty.get("userTimeoutMillis"));
    assertEquals(72_000L, netty.get("detectionDeadlineMillis"));
    assertEquals(0L, netty.get("probesSent"));
    assertEquals(true, netty.get("matchesExpect"));
    assertEquals("ESTABLISHED", netty.get("state"));
    Map<String, Object> v6off = sockets.stream().filter(s -> s.get("local")
        .equals("[::1]:" + child.sockets.get("v6-off"))).findFirst().orElseThrow();
    assertEquals(false, v6off.get("keepalive"));
    assertEquals(null, v6off.get("timeLeftMillis"));
    assertEquals(false, v6off.get("matchesExpect"));
    assertEquals(List.of("keepalive off: a dead peer is never detected"), v6off.get("flags"));
    assertTrue(sockets.stream().filter(s -> Boolean.TRUE.equals(s.get("listening")))
        .allMatch(s -> s.get("matchesExpect") == null));
  }

  @Test
  void byDefaultConnectionsWithTheSamePeerAndKeepaliveAreOneRowWithACount() throws Exception {
    try (CTarget pool = CTarget.start("sockets", "100")) {
      long port = pool.ready[0];
      Run r = run("--pid", Long.toString(pool.pid()));
      assertEquals(0, r.exit(), r.err());
      List<String> rows = r.out().lines().filter(l -> l.startsWith("127.0.0.1:")).toList();
      // The listener; 100 client connections to it; 100 accepted ones from 127.0.0.1.
      assertEquals(3, rows.size(), r.out());
      assertTrue(rows.get(1).matches("127\\.0\\.0\\.1:\\*  +127\\.0\\.0\\.1:" + port
          + " +×100 +ESTABLISHED +off +- +- +- +-"), rows.get(1));
      assertTrue(rows.get(2).matches("127\\.0\\.0\\.1:" + port + " +127\\.0\\.0\\.1:\\*"
          + " +×100 +ESTABLISHED +off .*"), rows.get(2));
      // Flags per group, with the count: never 200 identical lines.
      assertEquals(List.of("! 127.0.0.1:* -> 127.0.0.1:" + port + " ×100: keepalive off: a dead"
          + " peer is never detected", "! 127.0.0.1:" + port + " -> 127.0.0.1:* ×100: keepalive"
          + " off: a dead peer is never detected"), r.out().lines().filter(l -> l.startsWith("!"))
          .toList());
      assertTrue(r.out().endsWith("Result: 200 of 200 connections flagged (warnings; --expect"
          + " POLICY checks them)\n"), r.out());
      Run each = run("--pid", Long.toString(pool.pid()), "--connections");
      assertEquals(201, each.out().lines().filter(l -> l.matches(" *\\d+  127\\.0\\.0\\.1:.*"))
          .count(), each.out());
      assertEquals(200, each.out().lines().filter(l -> l.startsWith("! fd ")).count());
    }
  }

  @SuppressWarnings("unchecked")
  @Test
  void jsonHasTheGroupsAndTheProcessName() {
    Map<String, Object> doc = (Map<String, Object>) MiniJson.parse(run("--pid", pid(), "--json",
        "--port", Integer.toString(child.listeners.get("listener0"))).out());
    assertEquals("AuditTarget", doc.get("name"));
    List<Map<String, Object>> groups = (List<Map<String, Object>>) doc.get("groups");
    // The listener, its three clients (each its own keepalive) and the three accepted ends.
    assertEquals(5, groups.size(), groups.toString());
    Map<String, Object> accepted = groups.stream().filter(g -> ((Long) g.get("count")) == 3)
        .findFirst().orElseThrow();
    assertEquals("127.0.0.1:*", accepted.get("remote"));
    assertEquals("off", accepted.get("policy"));
    assertEquals(3, ((List<?>) accepted.get("fds")).size());
  }

  @Test
  void remoteKeepsOnlyConnectionsWhosePeerIsInTheNetwork() {
    Run v6 = run("--pid", pid(), "--remote", "::1/128", "--connections");
    List<String> rows = v6.out().lines().filter(l -> l.matches(" *\\d+  .*")).toList();
    assertEquals(6, rows.size(), v6.out()); // both ends of the three IPv6 connections
    assertTrue(rows.stream().allMatch(l -> l.contains("[::1]:")), v6.out());
    Run v4 = run("--pid", pid(), "--remote", "127.0.0.0/8", "--connections");
    assertEquals(9, v4.out().lines().filter(l -> l.matches(" *\\d+  .*")).count(), v4.out());
    Run none = run("--pid", pid(), "--remote", "10.0.0.0/8");
    assertTrue(none.out().startsWith("keepalive audit of process " + pid() + " (AuditTarget): 0 TCP"
        + " sockets (0 connections, 0 listening), remote 10.0.0.0/8"), none.out());
  }

  @Test
  void badUsageIsOneLineOnStderrAndExitTwo() {
    for (String[] args : List.of(new String[] {"--bogus"}, new String[] {"--pid", "abc"},
        new String[] {"--pid"}, new String[] {"--port", "70000"},
        new String[] {"--expect", "idle=banana"}, new String[] {"--pid", "1", "--pid", "2"},
        new String[] {"--all", "--pid", "1"}, new String[] {"--apply", "off"},
        new String[] {"--pid", "1", "--dry-run"}, new String[] {"--remote", "example.com"},
        new String[] {"--remote", "10.0.0.1/8"}, new String[] {"--remote", "::1/129"},
        new String[] {"--serve", "127.0.0.1:9404"}, new String[] {"--all", "--serve", "x:1"},
        new String[] {"--pid", "1", "--apply", "idle=60s"})) {
      Run r = run(args);
      assertEquals(2, r.exit(), String.join(" ", args));
      assertEquals("", r.out());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().startsWith("keepalive-audit: "), r.err());
    }
  }

  @Test
  void aProcessThatCannotBeReadIsOneLineOnStderrAndExitTwo() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
    Run r = run("--pid", Long.toString(gone.pid()));
    assertEquals(2, r.exit());
    assertEquals("keepalive-audit: no process " + gone.pid() + "\n", r.err());
  }

  @Test
  void helpExitsZero() {
    Run r = run("--help");
    assertEquals(0, r.exit());
    assertTrue(r.out().startsWith("Usage: keepalive-audit [--pid PID | --all]"), r.out());
  }

  private static String line(String out, String containing) {
    return out.lines().filter(l -> l.contains(containing) && !l.startsWith("!")).findFirst()
        .orElseThrow(() -> new AssertionError("no line with " + containing + " in\n" + out));
  }
}
