package dev.keepalive.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.KernelDefaults;
import dev.keepalive.Platform;
import dev.keepalive.PlatformLimits;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules every keepalive adapter keeps, written once and run on real loopback connections over
 * IPv4 and IPv6 for each socket kind: keepalive-jdk runs it for Socket, SocketChannel,
 * AsynchronousSocketChannel and accepted sockets; keepalive-netty for its transports (this class
 * ships in keepalive-jdk's test-jar and depends on JUnit and keepalive-api alone).
 *
 * <p>Every check reads the kernel's values back through {@link #inspect} and first asserts that the
 * value it is about to set differs from what the socket has, so no test can pass by doing nothing.
 *
 * <p>A subclass implements the hooks below; each hook may throw anything, which fails the test.
 *
 * @param <S> the socket kind, e.g. {@code java.net.Socket} or a Netty {@code Channel}
 */
public abstract class KeepaliveAdapterContract<S> {

  /** Every field differs from Linux's defaults 7200/75/9 and from {@link #SECOND}. */
  protected static final KeepalivePolicy FIRST = KeepalivePolicy.ofSeconds(91, 17, 3);
  /** Every field differs from {@link #FIRST} and from Linux's defaults. */
  protected static final KeepalivePolicy SECOND = KeepalivePolicy.ofSeconds(301, 29, 5);

  /**
   * A connected TCP socket of this kind to a peer on {@code loopback}. Called once per connection;
   * the subclass keeps the peer and closes it in {@link #close}.
   *
   * @param loopback 127.0.0.1 or ::1
   * @return the connected socket
   * @throws Exception if connecting fails
   */
  protected abstract S connect(InetAddress loopback) throws Exception;

  /**
   * The adapter's apply.
   *
   * @param socket the socket
   * @param policy the policy
   * @param mode the mode
   * @return the adapter's report
   * @throws Exception whatever the adapter throws
   */
  protected abstract ApplyReport apply(S socket, KeepalivePolicy policy, ApplyMode mode)
      throws Exception;

  /**
   * The effective keepalive the kernel has for {@code socket}, read back from the kernel (not from
   * anything the adapter remembers): {@code disabled()} when SO_KEEPALIVE is off, else
   * idle/interval/probes without a user timeout.
   *
   * @param socket the socket
   * @return what the kernel has now
   * @throws Exception if reading fails, e.g. on a closed socket
   */
  protected abstract KeepalivePolicy inspect(S socket) throws Exception;

  /**
   * Closes {@code socket} and its peer.
   *
   * @param socket the socket
   * @throws Exception if closing fails
   */
  protected abstract void close(S socket) throws Exception;

  /**
   * The exception the adapter's apply and inspect throw for a closed socket.
   *
   * @return e.g. {@code SocketException.class}
   */
  protected abstract Class<? extends Exception> closedSocketException();

  /**
   * Whether this adapter can set TCP_USER_TIMEOUT on this platform.
   *
   * @return false unless overridden
   */
  protected boolean supportsUserTimeout() {
    return false;
  }

  /**
   * TCP_USER_TIMEOUT read back from the kernel; called only if {@link #supportsUserTimeout()}.
   *
   * @param socket the socket
   * @return milliseconds
   * @throws Exception if reading fails
   */
  protected int userTimeoutMillis(S socket) throws Exception {
    throw new UnsupportedOperationException("supportsUserTimeout() is false");
  }

  static Stream<InetAddress> loopbacks() throws IOException {
    return Stream.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"));
  }

  /** Connects, or skips the test with the reason when the loopback address is unavailable. */
  private S open(InetAddress loopback) throws Exception {
    if (loopback instanceof Inet6Address) {
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(loopback, 0));
      } catch (IOException e) {
        Assumptions.abort("IPv6 loopback ::1 is unavailable on this machine: " + e);
      }
    }
    return connect(loopback);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loopbacks")
  @Timeout(30)
  void appliesPolicyAndKernelReadsItBack(InetAddress loopback) throws Exception {
    S socket = open(loopback);
    try {
      KeepalivePolicy before = inspect(socket);
      assertNotEquals(FIRST, before, "the socket must not already have the policy");
      ApplyReport report = apply(socket, FIRST, ApplyMode.STRICT);
      assertTrue(report.fullyApplied(), report::toString);
      assertEquals(ApplyReport.optionsOf(FIRST), optionsIn(report));
      assertEquals(FIRST, inspect(socket));
    } finally {
      close(socket);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loopbacks")
  @Timeout(30)
  void reapplyingReplacesEveryField(InetAddress loopback) throws Exception {
    S socket = open(loopback);
    try {
      apply(socket, FIRST, ApplyMode.STRICT);
      assertEquals(FIRST, inspect(socket));
      assertNotEquals(FIRST.idleSeconds(), SECOND.idleSeconds());
      assertNotEquals(FIRST.intervalSeconds(), SECOND.intervalSeconds());
      assertNotEquals(FIRST.probes(), SECOND.probes());
      apply(socket, SECOND, ApplyMode.STRICT);
      assertEquals(SECOND, inspect(socket));
    } finally {
      close(socket);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loopbacks")
  @Timeout(30)
  void transactionalApplyOnHealthySocketAppliesEverything(InetAddress loopback) throws Exception {
    S socket = open(loopback);
    try {
      apply(socket, FIRST, ApplyMode.STRICT);
      ApplyReport report = apply(socket, SECOND, ApplyMode.TRANSACTIONAL);
      assertTrue(report.fullyApplied(), report::toString);
      assertEquals(SECOND, inspect(socket));
    } finally {
      close(socket);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loopbacks")
  @Timeout(30)
  void disabledPolicySwitchesKeepaliveOff(InetAddress loopback) throws Exception {
    S socket = open(loopback);
    try {
      apply(socket, FIRST, ApplyMode.STRICT);
      assertTrue(inspect(socket).enabled());
      ApplyReport report = apply(socket, KeepalivePolicy.disabled(), ApplyMode.STRICT);
      assertEquals(List.of(KeepaliveOption.SO_KEEPALIVE), optionsIn(report));
      assertTrue(report.fullyApplied(), report::toString);
      assertEquals(KeepalivePolicy.disabled(), inspect(socket));
    } finally {
      close(socket);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loopbacks")
  @Timeout(30)
  void enablingWithKernelDefaultsReadsBackThisNamespacesDefaults(InetAddress loopback)
      throws Exception {
    KernelDefaults defaults = KernelDefaults.current();
    Assumptions.assumeTrue(Platform.current() == Platform.LINUX,
        "only Linux reads an unset option back as the namespace default");
    S socket = open(loopback);
    try {
      KeepalivePolicy expected = defaults.policy().orElseThrow();
      assertNotEquals(expected, inspect(socket));
      apply(socket, expected, ApplyMode.STRICT);
      assertEquals(expected, inspect(socket));
    } finally {
      close(socket);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loopbacks")
  @Timeout(30)
  void rejectsIdleBeyondLinuxLimitLeavingSocketUnchanged(InetAddress loopback) throws Exception {
    Assumptions.assumeTrue(PlatformLimits.current().maxIdleSeconds() < 40000,
        "this platform's kernel takes an idle of 40000 s (" + PlatformLimits.current() + ")");
    assertRejectedLeavingSocketUnchanged(loopback, FIRST.withIdle(Duration.ofSeconds(40000)),
        "idle 40000s");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loopbacks")
  @Timeout(30)
  void rejectsProbesBeyondLinuxLimitLeavingSocketUnchanged(InetAddress loopback) throws Exception {
    Assumptions.assumeTrue(PlatformLimits.current().maxProbes() < 200,
        "this platform's kernel takes 200 probes (" + PlatformLimits.current() + ")");
    assertRejectedLeavingSocketUnchanged(loopback, FIRST.withProbes(200), "probes 200");
  }

  private void assertRejectedLeavingSocketUnchanged(InetAddress loopback, KeepalivePolicy tooMuch,
      String named) throws Exception {
    S socket = open(loopback);
    try {
      apply(socket, SECOND, ApplyMode.STRICT);
      for (ApplyMode mode : ApplyMode.values()) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> apply(socket, tooMuch, mode), mode::toString);
        assertTrue(e.getMessage().contains(named), e::getMessage);
        assertEquals(SECOND, inspect(socket), "every option unchanged after refusing in " + mode);
      }
    } finally {
      close(socket);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loopbacks")
  @Timeout(30)
  void userTimeoutRefusedInStrictModeWhenUnsupportedLeavingSocketUnchanged(InetAddress loopback)
      throws Exception {
    Assumptions.assumeFalse(supportsUserTimeout(), "this adapter sets TCP_USER_TIMEOUT");
    Assumptions.assumeTrue(PlatformLimits.current().supportsUserTimeout(),
        "the platform limits refuse a user timeout first (IllegalArgumentException)");
    S socket = open(loopback);
    try {
      apply(socket, FIRST, ApplyMode.STRICT);
      KeepalivePolicy withUserTimeout = SECOND.withUserTimeoutAtDetectionDeadline();
      for (ApplyMode mode : new ApplyMode[] {ApplyMode.STRICT, ApplyMode.TRANSACTIONAL}) {
        UnsupportedKeepaliveOptionException e = assertThrows(
            UnsupportedKeepaliveOptionException.class,
            () -> apply(socket, withUserTimeout, mode), mode::toString);
        assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
        assertFalse(e.platform().isEmpty());
        assertEquals(FIRST, inspect(socket), "nothing changed after refusing in " + mode);
      }
    } finally {
      close(socket);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loopbacks")
  @Timeout(30)
  void lenientModeReportsUnsupportedUserTimeoutAndAppliesTheRest(InetAddress loopback)
      throws Exception {
    Assumptions.assumeFalse(supportsUserTimeout(), "this adapter sets TCP_USER_TIMEOUT");
    Assumptions.assumeTrue(PlatformLimits.current().supportsUserTimeout(),
        "the platform limits refuse a user timeout first (IllegalArgumentException)");
    S socket = open(loopback);
    try {
      KeepalivePolicy withUserTimeout = FIRST.withUserTimeoutAtDetectionDeadline();
      assertNotEquals(FIRST, inspect(socket));
      ApplyReport report = apply(socket, withUserTimeout, ApplyMode.LENIENT);
      assertFalse(report.fullyApplied());
      assertEquals(ApplyReport.optionsOf(withUserTimeout), optionsIn(report));
      assertEquals(ApplyReport.Status.NOT_SUPPORTED, report.status(KeepaliveOption.TCP_USER_TIMEOUT));
      assertFalse(report.entries().get(3).detail().isEmpty(), "the report says why");
      assertEquals(java.util.Set.of(KeepaliveOption.TCP_USER_TIMEOUT), report.notApplied());
      assertEquals(FIRST, inspect(socket));
    } finally {
      close(socket);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loopbacks")
  @Timeout(30)
  void userTimeoutAppliedWhenSupported(InetAddress loopback) throws Exception {
    Assumptions.assumeTrue(supportsUserTimeout(), "this adapter cannot set TCP_USER_TIMEOUT");
    S socket = open(loopback);
    try {
      KeepalivePolicy withUserTimeout = FIRST.withUserTimeoutAtDetectionDeadline();
      assertNotEquals(withUserTimeout.userTimeoutMillis(), userTimeoutMillis(socket));
      ApplyReport report = apply(socket, withUserTimeout, ApplyMode.STRICT);
      assertTrue(report.fullyApplied(), report::toString);
      assertEquals(withUserTimeout.userTimeoutMillis(), userTimeoutMillis(socket));
      assertEquals(FIRST, inspect(socket));
    } finally {
      close(socket);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loopbacks")
  @Timeout(30)
  void closedSocketGivesDefinedException(InetAddress loopback) throws Exception {
    S socket = open(loopback);
    close(socket);
    for (ApplyMode mode : ApplyMode.values()) {
      assertThrows(closedSocketException(), () -> apply(socket, FIRST, mode), mode::toString);
    }
    assertThrows(closedSocketException(),
        () -> apply(socket, KeepalivePolicy.disabled(), ApplyMode.STRICT));
    assertThrows(closedSocketException(), () -> inspect(socket));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loopbacks")
  @Timeout(120)
  void fiveHundredConcurrentAppliesOnDistinctSocketsEachTakeTheirOwnPolicy(InetAddress loopback)
      throws Exception {
    int sockets = 500;
    int threads = 10;
    List<S> open = new ArrayList<>(sockets);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int i = 0; i < sockets; i++) {
        open.add(i == 0 ? open(loopback) : connect(loopback));
      }
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>(sockets);
      for (int i = 0; i < sockets; i++) {
        S socket = open.get(i);
        KeepalivePolicy policy = policyNumber(i);
        done.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return apply(socket, policy, ApplyMode.STRICT);
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      for (int i = 0; i < sockets; i++) {
        assertEquals(policyNumber(i), inspect(open.get(i)), "socket " + i);
      }
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
      for (S socket : open) {
        close(socket);
      }
    }
  }

  /** A distinct policy per socket, so a value landing on the wrong socket shows. */
  private static KeepalivePolicy policyNumber(int i) {
    return KeepalivePolicy.ofSeconds(1000 + i, 10 + i % 50, 2 + i % 20);
  }

  private static List<KeepaliveOption> optionsIn(ApplyReport report) {
    List<KeepaliveOption> options = new ArrayList<>();
    for (ApplyReport.Entry e : report.entries()) {
      options.add(e.option());
    }
    return options;
  }
}
