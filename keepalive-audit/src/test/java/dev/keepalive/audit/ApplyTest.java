package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.contract.KernelReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code --apply} and {@link KeepaliveAudit#apply} on running processes that are not ours: a Java 17
 * application's plain sockets with keepalive off, a Python process, a Netty epoll connection with a
 * user timeout, listeners, a process whose descriptors churn. Every field is read back by the
 * independent C reader ({@link KernelReader}) as well as by the audit, and each test first shows
 * the value before differs from the one applied (the control).
 */
class ApplyTest {

  private static final String POLICY = "idle=61s,interval=11s,probes=4";
  private static final Path JAVA17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

  private static ServerSocketChannel server;
  private static final List<SocketChannel> accepted = new ArrayList<>();

  @BeforeAll
  static void open() throws IOException {
    assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
        "Linux only");
    assumeTrue(KernelReader.unavailable().isEmpty(), () -> KernelReader.unavailable().orElseThrow());
    server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
  }

  @AfterAll
  static void close() throws IOException {
    for (SocketChannel c : accepted) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static int port() throws IOException {
    return ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  /** Accepts the {@code n} connections a target just made. */
  private static void accept(int n) throws IOException {
    for (int i = 0; i < n; i++) {
      accepted.add(server.accept());
    }
  }

  private static List<String> fields(long pid) throws IOException {
    List<String> fields = new ArrayList<>();
    for (KernelReader.Socket s : KernelReader.connectionsTo(pid, port())) {
      fields.add(s.keepaliveFields());
    }
    return fields;
  }

  @Test
  void aJava17ApplicationsPlainSocketsWithKeepaliveOffGetThePolicyAndAUserTimeout()
      throws Exception {
    assumeTrue(Files.isExecutable(JAVA17), "no Java 17 at " + JAVA17);
    Path source = Files.createTempFile("Jdk17Target", ".java");
    try (var in = ApplyTest.class.getResourceAsStream("Jdk17Target.java")) {
      Files.write(source, in.readAllBytes());
    }
    Path named = source.resolveSibling("Jdk17Target.java");
    Files.move(source, named, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (CTarget app = CTarget.program(List.of(JAVA17.toString(), named.toString(),
        Integer.toString(port()), "3"))) {
      accept(3);
      String pid = Long.toString(app.pid());
      assertEquals(List.of("off", "off", "off"), fields(app.pid()), "control: the JDK's default");

      AuditCliTest.Run dry = AuditCliTest.run("--pid", pid, "--port", Integer.toString(port()),
          "--apply", POLICY, "--dry-run");
      assertEquals(0, dry.exit(), dry.out() + dry.err());
      assertEquals(3, dry.out().lines().filter(l -> l.startsWith("fd ") && l.endsWith(
          ": off → " + POLICY)).count(), dry.out());
      assertTrue(dry.out().endsWith("Result: DRY RUN, nothing was changed\n"), dry.out());
      assertEquals(List.of("off", "off", "off"), fields(app.pid()), "--dry-run changed something");

      AuditCliTest.Run r = AuditCliTest.run("--pid", pid, "--port", Integer.toString(port()),
          "--apply", POLICY);
      assertEquals(0, r.exit(), r.out() + r.err());
      assertEquals("", r.err());
      assertTrue(r.out().startsWith("keepalive-audit: applied " + POLICY + " to process " + pid
          + " (Jdk17Target.java): 3 matching connections, port " + port() + "\n"), r.out());
      String line = "fd \\d+ 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:" + port() + ": off → " + POLICY;
      assertEquals(3, r.out().lines().filter(l -> l.matches(line)).count(), r.out());
      assertTrue(r.out().endsWith("Result: OK, all 3 matching sockets now carry " + POLICY
          + " (read back)\n"), r.out());
      assertEquals(List.of("61/11/4", "61/11/4", "61/11/4"), fields(app.pid()));

      // TCP_USER_TIMEOUT on a JDK socket, which the JDK's own options cannot set.
      AuditCliTest.Run ut = AuditCliTest.run("--pid", pid, "--port", Integer.toString(port()),
          "--apply", POLICY + ",user-timeout=5s");
      assertEquals(0, ut.exit(), ut.out());
      assertEquals(List.of("61/11/4,ut=5000", "61/11/4,ut=5000", "61/11/4,ut=5000"),
          fields(app.pid()));
      assertTrue(ut.out().contains(": " + POLICY + " → " + POLICY + ",user-timeout=5s\n"),
          ut.out());
      for (SocketKeepalive s : KeepaliveAudit.process(app.pid())) {
        if (s.isConnectionTo(port())) {
          assertEquals(KeepalivePolicy.parse(POLICY + ",user-timeout=5s"), s.policy());
        }
      }
    } finally {
      Files.deleteIfExists(named);
    }
  }

  @Test
  void aPythonProcessTakesThePolicyThroughTheApi() throws Exception {
    CTarget python;
    try {
      python = CTarget.program(List.of("python3", "-c", "import socket, sys\n"
          + "cs = [socket.create_connection(('127.0.0.1', int(sys.argv[1]))) for i in range(2)]\n"
          + "print('ready', *[c.getsockname()[1] for c in cs], flush=True)\n"
          + "sys.stdin.read()\n", Integer.toString(port())));
    } catch (IOException e) {
      assumeTrue(false, "no python3: " + e.getMessage());
      return;
    }
    try (python) {
      accept(2);
      assertEquals(List.of("off", "off"), fields(python.pid()), "control");
      KeepalivePolicy policy = KeepalivePolicy.parse(POLICY);
      int port = port();
      List<SocketChange> changes = KeepaliveAudit.apply(python.pid(), policy,
          s -> s.isConnectionTo(port));
      assertEquals(2, changes.size(), changes.toString());
      for (SocketChange c : changes) {
        assertTrue(c.applied(), c.toString());
        assertEquals(KeepalivePolicy.disabled(), c.before().policy());
        assertEquals(policy, c.after().policy());
        assertEquals(c.before().fd(), c.after().fd());
        assertEquals(c.before().inode(), c.after().inode());
        assertTrue(c.toString().endsWith(": off → " + POLICY), c.toString());
      }
      assertEquals(List.of("61/11/4", "61/11/4"), fields(python.pid()));
    }
  }

  @Test
  void aNettyEpollConnectionsUserTimeoutIsClearedByAPolicyWithoutOneAndListenersNeedTheFlag()
      throws Exception {
    try (Child child = Child.start(0)) {
      int netty = child.sockets.get("netty-epoll");
      int peer = child.peers.get("netty-epoll");
      KernelReader.Socket before = KernelReader.read(child.pid()).stream()
          .filter(s -> s.localPort() == netty && s.remotePort() == peer).findFirst().orElseThrow();
      assertEquals("61/11/4,ut=17000", before.keepaliveFields(), "control");
      List<SocketChange> changes = KeepaliveAudit.apply(child.pid(),
          KeepalivePolicy.ofSeconds(62, 12, 5),
          s -> s.local().getPort() == netty && s.remote().get().getPort() == peer);
      assertEquals(1, changes.size());
      assertEquals(Duration.ofMillis(17_000), changes.get(0).before().userTimeout());
      assertEquals(Duration.ZERO, changes.get(0).after().userTimeout());
      KernelReader.Socket after = KernelReader.read(child.pid()).stream()
          .filter(s -> s.localPort() == netty && s.remotePort() == peer).findFirst().orElseThrow();
      assertEquals("62/12/5", after.keepaliveFields());

      // A listener is changed only with --listeners.
      String lonely = Integer.toString(child.lonely);
      AuditCliTest.Run without = AuditCliTest.run("--pid", Long.toString(child.pid()), "--port",
          lonely, "--apply", POLICY);
      assertEquals(1, without.exit(), without.out());
      assertTrue(without.out().endsWith("Result: NOTHING APPLIED, no established connection"
          + " matched on port " + lonely + "\n"), without.out());
      assertEquals("off", listener(child.pid(), child.lonely).keepaliveFields());
      AuditCliTest.Run with = AuditCliTest.run("--pid", Long.toString(child.pid()), "--port",
          lonely, "--apply", POLICY, "--listeners");
      assertEquals(0, with.exit(), with.out());
      assertTrue(with.out().contains(" (listening): off → " + POLICY + "\n"), with.out());
      assertEquals("61/11/4", listener(child.pid(), child.lonely).keepaliveFields());
    }
  }

  private static KernelReader.Socket listener(long pid, int port) throws IOException {
    return KernelReader.read(pid).stream().filter(s -> s.state() == KernelReader.Socket.LISTEN
        && s.localPort() == port).findFirst().orElseThrow();
  }

  @Test
  void remoteSelectsIpv6PeersOnlyAndTheOthersStayAsTheyWere() throws Exception {
    try (Child child = Child.start(0)) {
      String pid = Long.toString(child.pid());
      // Unlike every fixture socket's keepalive, so that the others can be told apart.
      AuditCliTest.Run r = AuditCliTest.run("--pid", pid, "--remote", "::1", "--apply",
          "idle=63s,interval=13s,probes=6");
      assertEquals(0, r.exit(), r.out());
      // Both ends of the three IPv6 connections.
      assertEquals(6, r.out().lines().filter(l -> l.startsWith("fd ")).count(), r.out());
      for (KernelReader.Socket s : KernelReader.read(child.pid())) {
        if (s.state() == KernelReader.Socket.ESTABLISHED) {
          boolean v6 = s.remote().startsWith("[::1]");
          if (v6) {
            assertEquals("63/13/6", s.keepaliveFields(), s.toString());
          } else {
            assertNotEquals("63/13/6", s.keepaliveFields(), s.toString());
          }
        }
      }
    }
  }

  @Test
  void aRefusedPolicyIsExitOneAndLeavesTheSocketAsItWas() throws Exception {
    try (CTarget target = CTarget.start("mptcp")) {
      assumeTrue(target.other == null, () -> "no MPTCP here: " + target.other);
      String client = Long.toString(target.ready[0]);
      AuditCliTest.Run r = AuditCliTest.run("--pid", Long.toString(target.pid()), "--port",
          client, "--apply", POLICY + ",user-timeout=5s");
      assertEquals(1, r.exit(), r.out());
      assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fd ") && l.contains(": " + POLICY
          + " ✗ refused: ") && l.contains("TCP_USER_TIMEOUT")), r.out());
      assertTrue(r.out().contains("Result: REFUSED, "), r.out());
      KernelReader.Socket s = KernelReader.read(target.pid()).stream()
          .filter(x -> x.localPort() == target.ready[0]).findFirst().orElseThrow();
      assertEquals("61/11/4", s.keepaliveFields());
    }
  }

  @Test
  void badInputChangesNothing() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
    AuditCliTest.Run r = AuditCliTest.run("--pid", Long.toString(gone.pid()), "--apply", POLICY);
    assertEquals(2, r.exit());
    assertEquals("keepalive-audit: no process " + gone.pid() + "\n", r.err());
    // Beyond what Linux's setsockopt takes: refused before any socket is touched.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KeepaliveAudit.apply(ProcessHandle.current().pid(),
            KeepalivePolicy.ofSeconds(40_000, 10, 3), s -> true));
    assertTrue(e.getMessage().contains("40000"), e.getMessage());
    AuditCliTest.Run big = AuditCliTest.run("--pid", Long.toString(ProcessHandle.current().pid()),
        "--apply", "idle=40000s,interval=10s,probes=3");
    assertEquals(2, big.exit(), big.out());
    assertTrue(big.err().startsWith("keepalive-audit: ") && big.err().contains("40000"),
        big.err());
  }

  @Test
  void descriptorChurnNeverLetsAnOptionLandOnASocketThatWasNotListedNorTouchesAFile()
      throws Exception {
    Path file = Files.createTempFile("apply-churn", ".txt");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
        FileLock lock = channel.lock();
        CTarget target = CTarget.start("flip", "100", "10", file.toString())) {
      int sFd = (int) target.ready[0];
      int sPort = (int) target.ready[1];
      int dFd = (int) target.ready[2];
      int applied = 0;
      int gone = 0;
      for (int i = 0; i < 200; i++) {
        KeepalivePolicy p = KeepalivePolicy.ofSeconds(61 + i % 2, 11, 4);
        for (SocketChange c : KeepaliveAudit.apply(target.pid(), p,
            s -> s.local().getPort() == sPort)) {
          assertEquals(sPort, c.before().local().getPort(), c.toString());
          if (c.applied()) {
            applied++;
            assertEquals(p, c.after().policy());
          } else {
            assertTrue(c.refusal().orElseThrow().contains("closed or reused"), c.toString());
            gone++;
          }
        }
      }
      assertTrue(applied > 0 && gone > 0, "the churn was not exercised: " + applied
          + " applied, " + gone + " found reused");
      List<KernelReader.Socket> now = KernelReader.read(target.pid());
      KernelReader.Socket s = now.stream().filter(x -> x.fd() == sFd).findFirst().orElseThrow();
      KernelReader.Socket d = now.stream().filter(x -> x.fd() == dFd).findFirst().orElseThrow();
      assertTrue(s.keepaliveFields().equals("61/11/4") || s.keepaliveFields().equals("62/11/4"),
          s.toString());
      assertEquals("off", d.keepaliveFields(), "the decoy, at the same numbers, was touched");
      assertTrue(lock.isValid());
      assertEquals(1, CTarget.tryLock(file), "this JVM's lock on the target's file was dropped");
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
