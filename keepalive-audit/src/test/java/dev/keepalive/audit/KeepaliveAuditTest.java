package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sockets set to known values with raw JDK and Netty calls are read back exactly, every field, by
 * {@link KeepaliveAudit#thisProcess()} and by {@link KeepaliveAudit#process(long)} of a child JVM,
 * on IPv4 and IPv6; the audit leaves nothing open behind it and fails loudly.
 */
class KeepaliveAuditTest {

  private static Fixture fixture;
  private static ServerSocketChannel peerServer;
  private static SocketChannel peerOfChild;
  private static Child child;

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
    fixture = Fixture.open();
    peerServer = ServerSocketChannel.open();
    peerServer.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    child = Child.start(((InetSocketAddress) peerServer.getLocalAddress()).getPort());
    peerOfChild = peerServer.accept();
  }

  @AfterAll
  static void close() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {child, peerOfChild, peerServer, fixture}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void theKnownValuesDifferFromTheKernelDefaultsSoTheTestsCanFail() {
    assertNotEquals(Fixture.kernelDefaults(), Fixture.CUSTOM);
    assertNotEquals(Fixture.kernelDefaults().withoutUserTimeout(),
        KeepalivePolicy.disabled());
  }

  @Test
  void thisProcessReadsBackEveryKnownSocketExactly() throws IOException {
    List<SocketKeepalive> sockets = KeepaliveAudit.thisProcess();
    assertKnown(sockets, fixture.expected, fixture.listenerPorts);
  }

  @Test
  void processReadsBackEveryKnownSocketOfAChildJvmExactly() throws Exception {
    List<SocketKeepalive> sockets = KeepaliveAudit.process(child.pid());
    Map<String, Fixture.Expected> expected = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : child.sockets.entrySet()) {
      Fixture.Expected mine = fixture.expected.get(e.getKey());
      expected.put(e.getKey(), new Fixture.Expected(e.getKey(), e.getValue(),
          child.peers.get(e.getKey()), mine.policy(), mine.userTimeout()));
    }
    assertKnown(sockets, expected, new ArrayList<>(child.listeners.values()));
    // Exactly the child's TCP sockets: 7 connections (both ends), 3 listeners and the lonely
    // listener, besides the closable connection (which another test closes). Its UNIX-domain
    // pair and UDP socket are left out.
    assertEquals(7 * 2 + 3 + 1, sockets.stream().filter(s -> s.local().getPort() != child.closable)
        .count(), () -> lines(sockets));
  }

  @Test
  void pidOfThisJvmIsAuditedAsThisProcess() throws IOException {
    List<SocketKeepalive> sockets = KeepaliveAudit.process(ProcessHandle.current().pid());
    assertKnown(sockets, fixture.expected, fixture.listenerPorts);
  }

  private static void assertKnown(List<SocketKeepalive> sockets,
      Map<String, Fixture.Expected> expected, List<Integer> listenerPorts) {
    assertEquals(7, expected.size(), expected.keySet().toString());
    for (Fixture.Expected e : expected.values()) {
      SocketKeepalive s = only(sockets, x -> !x.listening() && x.local().getPort() == e.localPort()
          && x.remote().get().getPort() == e.remotePort());
      String what = e.name() + ": " + s;
      assertEquals(e.policy(), s.policy(), what);
      assertEquals(e.userTimeout(), s.userTimeout(), what);
      assertEquals("ESTABLISHED", s.tcpState(), what);
      assertFalse(s.listening(), what);
      assertTrue(s.remote().isPresent(), what);
      assertEquals(0, s.probesSent(), what);
      assertTrue(s.sinceLastReceived().compareTo(Duration.ofMinutes(2)) < 0, what);
      assertEquals(e.policy().enabled(), s.timeLeft().isPresent(), what);
      if (e.policy().enabled()) {
        long left = s.timeLeft().orElseThrow().toMillis();
        long deadline = e.userTimeout().isZero() ? e.policy().detectionDeadline().toMillis()
            // 61 s idle, 11 s interval, user timeout 17 s: dead at the first timer run after
            // one probe, idle + 1 × interval.
            : (e.policy().idleSeconds() + e.policy().intervalSeconds()) * 1000L;
        assertTrue(left <= deadline && left > deadline - 120_000, what);
      }
      Class<?> family = e.name().startsWith("v6") ? Inet6Address.class : Inet4Address.class;
      assertTrue(family.isInstance(s.local().getAddress()), what);
      assertTrue(s.local().getAddress().isLoopbackAddress(), what);
      assertTrue(s.remote().get().getAddress().isLoopbackAddress(), what);
      assertTrue(s.hasPort(e.localPort()), what);
      assertTrue(s.toString().startsWith("fd " + s.fd() + " "), what);
    }
    for (int port : listenerPorts) {
      SocketKeepalive l = only(sockets, x -> x.listening() && x.local().getPort() == port);
      assertEquals("LISTEN", l.tcpState(), l.toString());
      assertTrue(l.remote().isEmpty(), l.toString());
      assertTrue(l.timeLeft().isEmpty(), l.toString());
      assertEquals(KeepalivePolicy.disabled(), l.policy(), l.toString());
    }
    for (SocketKeepalive s : sockets) {
      assertTrue(s.fd() >= 0, s.toString());
      assertFalse(s.tcpState().startsWith("UNKNOWN"), s.toString());
    }
  }

  @Test
  void leavesNoDescriptorOpen() throws Exception {
    long before = openDescriptors();
    for (int i = 0; i < 20; i++) {
      KeepaliveAudit.thisProcess();
      KeepaliveAudit.process(child.pid());
    }
    assertEquals(before, openDescriptors());
  }

  @Test
  void aConnectionTheChildClosesReallyClosesRightAfterAnAudit() throws Exception {
    assertTrue(KeepaliveAudit.process(child.pid()).stream()
        .anyMatch(s -> s.local().getPort() == child.closable));
    child.send("close");
    assertEquals("closed", child.expectLine());
    // SocketChannel.close sends no shutdown first: the FIN leaves only if no duplicate is left.
    assertEquals(-1, readWithin(peerOfChild, Duration.ofSeconds(5)));
  }

  @Test
  void aConnectionThisProcessClosesReallyClosesRightAfterAnAudit() throws Exception {
    SocketChannel client = SocketChannel.open(peerServer.getLocalAddress());
    try (SocketChannel peer = peerServer.accept()) {
      try (client) {
        int port = ((InetSocketAddress) client.getLocalAddress()).getPort();
        assertTrue(KeepaliveAudit.thisProcess().stream()
            .anyMatch(s -> s.local().getPort() == port));
      }
      // Closed: SocketChannel.close sends no shutdown first.
      assertEquals(-1, readWithin(peer, Duration.ofSeconds(5)));
    }
  }

  @Test
  void descriptorsClosedAndReusedDuringTheAuditAreReadConsistently() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread churn = new Thread(() -> {
      while (!stop.get()) {
        try (SocketChannel c = SocketChannel.open(peerServer.getLocalAddress());
            SocketChannel p = peerServer.accept();
            java.nio.channels.SeekableByteChannel f =
                Files.newByteChannel(Path.of("/proc/self/status"))) {
          c.isConnected();
          p.isConnected();
          f.position();
        } catch (IOException e) {
          failures.add(e);
          return;
        }
      }
    });
    long before = openDescriptors();
    churn.start();
    try {
      for (int i = 0; i < 50; i++) {
        for (SocketKeepalive s : KeepaliveAudit.thisProcess()) {
          assertFalse(s.tcpState().startsWith("UNKNOWN"), s.toString());
        }
      }
    } finally {
      stop.set(true);
      churn.join(10_000);
    }
    assertTrue(failures.isEmpty(), failures.toString());
    assertEquals(before, openDescriptors());
  }

  @Test
  void noSuchProcessIsAClearException() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
    AuditException e = assertThrows(AuditException.class,
        () -> KeepaliveAudit.process(gone.pid()));
    assertEquals(AuditException.Reason.NO_SUCH_PROCESS, e.reason());
    assertEquals("no process " + gone.pid(), e.getMessage());
  }

  @Test
  void rejectsAPidThatCannotBeAProcess() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KeepaliveAudit.process(0));
    assertEquals("pid must be a process id from 1 to 2147483647, was 0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> KeepaliveAudit.process(1L << 40));
  }

  /**
   * This JVM's open descriptors but pipes: the audit's helper JVM, started on first use and gone
   * 10 s after the last, talks to this one over three pipes.
   */
  static long openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return !Files.readSymbolicLink(fd).toString().startsWith("pipe:");
        } catch (IOException e) {
          return false; // the listing's own descriptor, closed by now
        }
      }).count();
    }
  }

  /** Reads one byte; -1 at end of stream; fails if nothing happens within {@code limit}. */
  static int readWithin(SocketChannel channel, Duration limit) throws IOException {
    channel.socket().setSoTimeout((int) limit.toMillis());
    byte[] one = new byte[1];
    // A blocking SocketChannel ignores SO_TIMEOUT; its socket's stream honours it.
    int n = channel.socket().getInputStream().read(one);
    return n < 0 ? -1 : one[0];
  }

  static SocketKeepalive only(List<SocketKeepalive> sockets,
      java.util.function.Predicate<SocketKeepalive> which) {
    List<SocketKeepalive> found = sockets.stream().filter(which).toList();
    assertEquals(1, found.size(), () -> lines(sockets));
    return found.get(0);
  }

  static String lines(List<SocketKeepalive> sockets) {
    StringBuilder b = new StringBuilder("\n");
    for (SocketKeepalive s : sockets) {
      b.append(s).append('\n');
    }
    return b.toString();
  }
}
