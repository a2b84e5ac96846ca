package dev.keepalive.jdk;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.HeartbeatListener;
import dev.keepalive.HeartbeatTimeoutException;
import dev.keepalive.KeepalivePolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JDK heartbeat driver on real loopback sockets, with a line protocol: PING, PONG, DATA. */
class JdkHeartbeatTest {

  /** idle 1 s, interval 1 s, 2 probes: detection deadline 3 s. */
  private static final KeepalivePolicy SHORT = KeepalivePolicy.ofSeconds(1, 1, 2);
  private static final long DEADLINE_NANOS = SHORT.detectionDeadline().toNanos();
  /** How late past the deadline a loaded 2-core CI machine may report the timeout. */
  private static final long TOLERANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(750);

  private ScheduledThreadPoolExecutor scheduler;

  @BeforeEach
  void newScheduler() {
    scheduler = new ScheduledThreadPoolExecutor(1);
    scheduler.setRemoveOnCancelPolicy(true);
  }

  @AfterEach
  void shutDownScheduler() throws InterruptedException {
    scheduler.shutdownNow();
    assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
  }

  /** Counts what the heartbeat reports. */
  private static final class Recorder implements HeartbeatListener {
    final AtomicInteger pingsSent = new AtomicInteger();
    final AtomicInteger pingsAnswered = new AtomicInteger();
    final AtomicReference<Duration> lastRoundTrip = new AtomicReference<>();
    final AtomicReference<Duration> firstRoundTrip = new AtomicReference<>();
    final AtomicInteger timeouts = new AtomicInteger();
    final CompletableFuture<Exception> failure = new CompletableFuture<>();
    final AtomicLong failedAt = new AtomicLong();

    @Override
    public void pingSent(int unansweredPings) {
      pingsSent.incrementAndGet();
    }

    @Override
    public void pingAnswered(Duration roundTrip) {
      lastRoundTrip.set(roundTrip);
      firstRoundTrip.compareAndSet(null, roundTrip);
      pingsAnswered.incrementAndGet();
    }

    @Override
    public void timedOut(HeartbeatTimeoutException timeout) {
      timeouts.incrementAndGet();
    }

    void fail(Exception e) {
      failedAt.set(System.nanoTime());
      failure.complete(e);
    }
  }

  /** A connected loopback pair: our side heartbeats, the peer is whatever the test makes it. */
  private static final class Connection implements AutoCloseable {
    final Socket ours;
    final Socket peer;
    private final OutputStream out;
    private Thread reader;

    private Connection(Socket ours, Socket peer) throws IOException {
      this.ours = ours;
      this.peer = peer;
      this.out = ours.getOutputStream();
    }

    static Connection open(String host) throws IOException {
      InetAddress loopback = InetAddress.getByName(host);
      try (ServerSocket server = new ServerSocket()) {
        server.bind(new InetSocketAddress(loopback, 0));
        Socket ours = new Socket();
        ours.connect(server.getLocalSocketAddress(), 5_000);
        server.setSoTimeout(5_000);
        return new Connection(ours, server.accept());
      }
    }

    /** Our ping: a tiny write that never fills the send buffer, so it cannot block. */
    void ping() throws IOException {
      synchronized (out) {
        out.write("PING\n".getBytes(US_ASCII));
        out.flush();
      }
    }

    /** Reads our side and reports every line to the heartbeat, as an application would. */
    void readInto(JdkHeartbeat heartbeat) throws IOException {
      BufferedReader in = new BufferedReader(new InputStreamReader(ours.getInputStream(), US_ASCII));
      reader = new Thread(() -> {
        try {
          while (in.readLine() != null) {
            heartbeat.activity();
          }
        } catch (IOException closed) {
          // the test closed the socket
        }
      }, "test-reader");
      reader.setDaemon(true);
      reader.start();
    }

    @Override
    public void close() throws IOException {
      ours.close();
      peer.close();
      if (reader != null) {
        try {
          reader.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static void assumeLoopback(String host) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
    } catch (IOException e) {
      assumeTrue(false, host + " is not available on this machine (" + e + "): IPv6 test skipped");
    }
  }

  private JdkHeartbeat start(Connection c, Recorder rec) throws IOException {
    JdkHeartbeat heartbeat = JdkHeartbeat.builder(SHORT)
        .pings(c::ping)
        .onFailure(rec::fail)
        .listener(rec)
        .scheduler(scheduler)
        .start();
    c.readInto(heartbeat);
    return heartbeat;
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void peerThatStopsReadingIsDetectedAtTheDeadlineWhileTcpKeepaliveSeesAHealthyPeer(String host)
      throws Exception {
    assumeLoopback(host);
    try (Connection c = Connection.open(host)) {
      // TCP keepalive with the very same policy on the same socket: the peer's kernel answers it.
      Keepalive.apply(c.ours, SHORT);
      assertEquals(SHORT, Keepalive.inspect(c.ours));
      Recorder rec = new Recorder();
      long start = System.nanoTime();
      JdkHeartbeat heartbeat = start(c, rec); // the peer never reads and never writes

      Exception e = rec.failure.get(DEADLINE_NANOS + 5_000_000_000L, TimeUnit.NANOSECONDS);
      long elapsed = rec.failedAt.get() - start;

      HeartbeatTimeoutException timeout = assertInstanceOf(HeartbeatTimeoutException.class, e);
      assertTrue(elapsed >= DEADLINE_NANOS, "timed out early, after " + elapsed + " ns");
      assertTrue(elapsed < DEADLINE_NANOS + TOLERANCE_NANOS, "timed out late: " + elapsed + " ns");
      assertEquals(2, timeout.unansweredPings());
      assertEquals(2, rec.pingsSent.get());
      assertEquals(1, rec.timeouts.get());
      assertTrue(heartbeat.isTimedOut());
      assertTrue(heartbeat.isClosed());
      assertEquals(0, scheduler.getQueue().size(), "no task left after the timeout");
      // Both pings reached the peer's kernel, which acknowledged them: they wait there unread.
      assertEquals("PING\nPING\n".length(), c.peer.getInputStream().available());
      // Past the TCP keepalive deadline too, the connection is as healthy as TCP can tell: the
      // heartbeat borrowed it and left it open; a write still goes through and arrives.
      assertFalse(c.ours.isClosed());
      Thread.sleep(1_000);
      c.ping();
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (c.peer.getInputStream().available() < 15 && System.nanoTime() - giveUp < 0) {
        Thread.sleep(10);
      }
      assertEquals("PING\nPING\nPING\n".length(), c.peer.getInputStream().available());
    }
  }

  @Test
  void chattyPeerNeverTriggersAPing() throws Exception {
    try (Connection c = Connection.open("127.0.0.1")) {
      Recorder rec = new Recorder();
      JdkHeartbeat heartbeat = start(c, rec);
      OutputStream peerOut = c.peer.getOutputStream();
      long end = System.nanoTime() + DEADLINE_NANOS + TimeUnit.MILLISECONDS.toNanos(500);
      while (System.nanoTime() - end < 0) {
        peerOut.write("DATA\n".getBytes(US_ASCII));
        peerOut.flush();
        Thread.sleep(200);
      }
      assertEquals(0, rec.pingsSent.get());
      assertFalse(rec.failure.isDone());
      assertEquals(0, c.peer.getInputStream().available(), "no ping reached the peer");
      heartbeat.close();
    }
  }

  @ParameterizedTest(name = "answered after {0} ms")
  @ValueSource(ints = {700, 1_500})
  void pingsAnsweredLateButBeforeTheDeadlineKeepTheConnection(int answerDelayMillis)
      throws Exception {
    try (Connection c = Connection.open("127.0.0.1")) {
      Recorder rec = new Recorder();
      JdkHeartbeat heartbeat = start(c, rec);
      Thread slowPeer = new Thread(() -> {
        try {
          BufferedReader in =
              new BufferedReader(new InputStreamReader(c.peer.getInputStream(), US_ASCII));
          OutputStream out = c.peer.getOutputStream();
          String line;
          while ((line = in.readLine()) != null) {
            if (line.equals("PING")) {
              Thread.sleep(answerDelayMillis);
              out.write("PONG\n".getBytes(US_ASCII));
              out.flush();
            }
          }
        } catch (IOException | InterruptedException closed) {
          // the test closed the socket
        }
      }, "slow-peer");
      slowPeer.setDaemon(true);
      slowPeer.start();

      Thread.sleep(5_500);

      assertFalse(rec.failure.isDone(), () -> "failed: " + rec.failure.join());
      assertTrue(rec.pingsSent.get() >= 2, "pings sent: " + rec.pingsSent.get());
      assertTrue(rec.pingsAnswered.get() >= 2, "pings answered: " + rec.pingsAnswered.get());
      assertEquals(heartbeat.lastRoundTrip().orElseThrow(), rec.lastRoundTrip.get());
      // The first answer is to the first ping, from an idle peer (later ones may answer pings that
      // queued up while the peer slept, and look quicker than they were).
      Duration rtt = rec.firstRoundTrip.get();
      assertTrue(rtt.toMillis() >= answerDelayMillis && rtt.toMillis() < answerDelayMillis + 500,
          "round trip " + rtt);
      heartbeat.close();
    }
  }

  @Test
  void closeCancelsTheScheduledTaskAndBorrowsTheScheduler() throws Exception {
    try (Connection c = Connection.open("127.0.0.1")) {
      Recorder rec = new Recorder();
      JdkHeartbeat heartbeat = start(c, rec);
      assertEquals(1, scheduler.getQueue().size());
      heartbeat.close();
      assertEquals(0, scheduler.getQueue().size());
      assertTrue(heartbeat.isClosed());
      assertFalse(scheduler.isShutdown());
      heartbeat.close(); // idempotent
      Thread.sleep(1_500); // past idle: a leaked task would have pinged
      assertEquals(0, rec.pingsSent.get());
      assertEquals(0, c.peer.getInputStream().available());
      assertFalse(rec.failure.isDone());
    }
  }

  @Test
  void sharedDefaultSchedulerDropsCancelledTasksAtOnce() throws Exception {
    ScheduledThreadPoolExecutor shared = JdkHeartbeat.SharedScheduler.INSTANCE;
    int before = shared.getQueue().size();
    JdkHeartbeat heartbeat = JdkHeartbeat.builder(KeepalivePolicy.linuxDefaults())
        .pings(() -> {})
        .onFailure(e -> {})
        .start();
    assertEquals(before + 1, shared.getQueue().size());
    heartbeat.close();
    assertEquals(before, shared.getQueue().size());
  }

  @Test
  void pingThatCannotBeSentEndsTheHeartbeatWithThatException() throws Exception {
    Recorder rec = new Recorder();
    IOException broken = new IOException("Broken pipe");
    JdkHeartbeat heartbeat = JdkHeartbeat.builder(SHORT)
        .pings(() -> {
          throw broken;
        })
        .onFailure(rec::fail)
        .listener(rec)
        .scheduler(scheduler)
        .start();
    assertSame(broken, rec.failure.get(10, TimeUnit.SECONDS));
    assertTrue(heartbeat.isClosed());
    assertFalse(heartbeat.isTimedOut());
    assertEquals(0, scheduler.getQueue().size());
  }

  @Test
  void throwingListenerEndsTheHeartbeatLoudly() throws Exception {
    Recorder rec = new Recorder();
    IllegalStateException bug = new IllegalStateException("listener bug");
    JdkHeartbeat heartbeat = JdkHeartbeat.builder(SHORT)
        .pings(() -> {})
        .onFailure(rec::fail)
        .listener(new HeartbeatListener() {
          @Override
          public void pingSent(int unansweredPings) {
            throw bug;
          }
        })
        .scheduler(scheduler)
        .start();
    assertSame(bug, rec.failure.get(10, TimeUnit.SECONDS));
    assertTrue(heartbeat.isClosed());
    assertEquals(0, scheduler.getQueue().size());
  }

  @Test
  void failureHandlerIsNotCalledAfterClose() throws Exception {
    Recorder rec = new Recorder();
    JdkHeartbeat heartbeat = JdkHeartbeat.builder(SHORT)
        .pings(() -> {})
        .onFailure(rec::fail)
        .scheduler(scheduler)
        .start();
    heartbeat.close();
    assertThrows(TimeoutException.class,
        () -> rec.failure.get(DEADLINE_NANOS + 1_000_000_000L, TimeUnit.NANOSECONDS));
  }

  @Test
  void refusesADisabledPolicy() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JdkHeartbeat.builder(KeepalivePolicy.disabled()));
    assertEquals("a heartbeat needs an enabled policy with idle, interval and probes, was off",
        e.getMessage());
    assertEquals("policy must not be null",
        assertThrows(NullPointerException.class, () -> JdkHeartbeat.builder(null)).getMessage());
  }

  @Test
  void refusesIncompleteConfiguration() {
    JdkHeartbeat.Builder b = JdkHeartbeat.builder(SHORT).scheduler(scheduler);
    assertEquals("no ping sender: call pings(...) before start()",
        assertThrows(IllegalStateException.class, b::start).getMessage());
    b.pings(() -> {});
    assertEquals("no failure handler: call onFailure(...) before start()",
        assertThrows(IllegalStateException.class, b::start).getMessage());
    assertEquals("pings must not be null",
        assertThrows(NullPointerException.class, () -> b.pings(null)).getMessage());
    assertEquals("onFailure must not be null",
        assertThrows(NullPointerException.class, () -> b.onFailure(null)).getMessage());
    assertEquals("listener must not be null",
        assertThrows(NullPointerException.class, () -> b.listener(null)).getMessage());
    assertEquals("scheduler must not be null",
        assertThrows(NullPointerException.class, () -> b.scheduler(null)).getMessage());
    assertEquals(0, scheduler.getQueue().size(), "nothing scheduled by a refused start");
  }

  @Test
  void refusesASchedulerThatIsShutDown() {
    ScheduledThreadPoolExecutor dead = new ScheduledThreadPoolExecutor(1);
    dead.shutdown();
    JdkHeartbeat.Builder b = JdkHeartbeat.builder(SHORT)
        .pings(() -> {}).onFailure(e -> {}).scheduler(dead);
    assertThrows(RejectedExecutionException.class, b::start);
  }

  @Test
  void builderIsReusableAndEachHeartbeatIsItsOwn() {
    JdkHeartbeat.Builder b = JdkHeartbeat.builder(SHORT)
        .pings(() -> {}).onFailure(e -> {}).scheduler(scheduler);
    JdkHeartbeat one = b.start();
    JdkHeartbeat two = b.start();
    assertNotEquals(one, two);
    assertEquals(2, scheduler.getQueue().size());
    one.close();
    assertEquals(1, scheduler.getQueue().size());
    assertFalse(two.isClosed());
    two.close();
    assertEquals(0, scheduler.getQueue().size());
  }
}
