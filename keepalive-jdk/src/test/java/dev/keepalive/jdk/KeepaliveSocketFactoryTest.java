package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.KeepaliveCounters;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.Platform;
import dev.keepalive.PlatformLimits;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import javax.net.SocketFactory;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link KeepaliveSocketFactory} on real loopback connections, IPv4 and IPv6: every createSocket
 * overload carries the policy (read back from the kernel), the pin holds against a client's later
 * calls and logs once per JVM, and bad input fails before any socket exists.
 */
@Timeout(60)
class KeepaliveSocketFactoryTest {

  /** Every field differs from Linux's defaults and from the contract tests' policies. */
  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(83, 13, 4);
  static final String POLICY_TEXT = "idle=83s,interval=13s,probes=4";

  private final List<Closeable> open = new ArrayList<>();
  private LogCapture log;
  private String savedProperty;

  interface Closeable {
    void close() throws IOException;
  }

  /** One createSocket overload: makes a socket connected to {@code server}. */
  interface Overload {
    Socket create(KeepaliveSocketFactory factory, ServerSocket server) throws IOException;
  }

  @BeforeEach
  void captureLogAndSaveProperty() {
    log = LogCapture.factory();
    savedProperty = System.getProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
    System.clearProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
  }

  @AfterEach
  void closeAndRestore() throws IOException {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    log.close();
    if (savedProperty == null) {
      System.clearProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
    } else {
      System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, savedProperty);
    }
  }

  static Stream<Arguments> overloads() {
    Overload unconnected = (f, s) -> {
      Socket socket = f.createSocket();
      socket.connect(s.getLocalSocketAddress(), Loopback.TIMEOUT_MILLIS);
      return socket;
    };
    Overload proxy = (f, s) -> {
      Socket socket = f.createSocket(Proxy.NO_PROXY);
      socket.connect(s.getLocalSocketAddress(), Loopback.TIMEOUT_MILLIS);
      return socket;
    };
    Overload host = (f, s) -> f.createSocket(s.getInetAddress().getHostAddress(), s.getLocalPort());
    Overload hostLocal = (f, s) -> f.createSocket(s.getInetAddress().getHostAddress(),
        s.getLocalPort(), s.getInetAddress(), 0);
    Overload address = (f, s) -> f.createSocket(s.getInetAddress(), s.getLocalPort());
    Overload addressLocal = (f, s) -> f.createSocket(s.getInetAddress(), s.getLocalPort(),
        s.getInetAddress(), 0);
    List<Arguments> all = new ArrayList<>();
    for (InetAddress loopback : loopbacks()) {
      all.add(Arguments.of(loopback, "createSocket()+connect", unconnected));
      all.add(Arguments.of(loopback, "createSocket(Proxy.NO_PROXY)+connect", proxy));
      all.add(Arguments.of(loopback, "createSocket(String,int)", host));
      all.add(Arguments.of(loopback, "createSocket(String,int,InetAddress,int)", hostLocal));
      all.add(Arguments.of(loopback, "createSocket(InetAddress,int)", address));
      all.add(Arguments.of(loopback, "createSocket(InetAddress,int,InetAddress,int)",
          addressLocal));
    }
    return all.stream();
  }

  static List<InetAddress> loopbacks() {
    List<InetAddress> found = new ArrayList<>();
    for (String literal : new String[] {"127.0.0.1", "::1"}) {
      try (ServerSocket probe = new ServerSocket()) {
        InetAddress address = InetAddress.getByName(literal);
        probe.bind(new InetSocketAddress(address, 0));
        found.add(address);
      } catch (IOException e) {
        // No IPv6 loopback on this machine: IPv4 alone.
      }
    }
    return found;
  }

  private ServerSocket listen(InetAddress loopback) throws IOException {
    ServerSocket server = Loopback.listen(loopback);
    open.add(server::close);
    return server;
  }

  private Socket keep(Socket socket, ServerSocket server) throws IOException {
    open.add(socket::close);
    Socket peer = server.accept();
    open.add(peer::close);
    return socket;
  }

  /** A plain socket's keepalive on this loopback: what a factory socket must differ from. */
  private KeepalivePolicy plainSocketKeepalive(ServerSocket server) throws IOException {
    Socket plain = keep(new Socket(server.getInetAddress(), server.getLocalPort()), server);
    return Keepalive.inspect(plain);
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("overloads")
  void everyOverloadCarriesThePolicy(InetAddress loopback, String name, Overload overload)
      throws Exception {
    ServerSocket server = listen(loopback);
    assertNotEquals(POLICY, plainSocketKeepalive(server), "a plain socket differs to begin with");
    Socket socket = keep(overload.create(KeepaliveSocketFactory.of(POLICY), server), server);
    assertTrue(socket.isConnected());
    assertEquals(POLICY, Keepalive.inspect(socket), name);
    assertEquals(loopback, socket.getInetAddress());
  }

  /** A delegate takes no proxy: that case is {@link #aProxyNeedsTheJdksSocketsNotACustomDelegate}. */
  static Stream<Arguments> overloadsWithoutProxy() {
    return overloads().filter(a -> !((String) a.get()[1]).contains("Proxy"));
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("overloadsWithoutProxy")
  void everyOverloadOfADelegatingFactoryCarriesThePolicy(InetAddress loopback, String name,
      Overload overload) throws Exception {
    ServerSocket server = listen(loopback);
    assertNotEquals(POLICY, plainSocketKeepalive(server), "a plain socket differs to begin with");
    Socket socket = keep(overload.create(KeepaliveSocketFactory.of(POLICY, new Delegate()),
        server), server);
    assertEquals(Delegate.DelegateSocket.class, socket.getClass(), "the delegate made it");
    assertEquals(POLICY, Keepalive.inspect(socket), name);
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("overloads")
  void everyOverloadPinsThePolicy(InetAddress loopback, String name, Overload overload)
      throws Exception {
    ServerSocket server = listen(loopback);
    Socket socket = keep(overload.create(KeepaliveSocketFactory.of(POLICY), server), server);
    overrideEverything(socket);
    assertEquals(POLICY, Keepalive.inspect(socket), name);
  }

  /** What pgjdbc and HttpClient 5 do after the factory returned the socket, and a bit more. */
  private static void overrideEverything(Socket socket) throws IOException {
    socket.setKeepAlive(false);
    socket.setOption(StandardSocketOptions.SO_KEEPALIVE, false);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 5);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 5);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
  }

  @Test
  void readsTellTheKernelsTruthOnAPinnedSocket() throws Exception {
    ServerSocket server = listen(InetAddress.getLoopbackAddress());
    Socket socket = keep(KeepaliveSocketFactory.of(POLICY).createSocket(server.getInetAddress(),
        server.getLocalPort()), server);
    overrideEverything(socket);
    assertTrue(socket.getKeepAlive());
    assertEquals(true, socket.getOption(StandardSocketOptions.SO_KEEPALIVE));
    assertEquals(83, socket.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
    assertEquals(13, socket.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL));
    assertEquals(4, socket.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
  }

  @Test
  void otherOptionsStillTakeEffectOnAPinnedSocket() throws Exception {
    ServerSocket server = listen(InetAddress.getLoopbackAddress());
    Socket socket = keep(KeepaliveSocketFactory.of(POLICY).createSocket(server.getInetAddress(),
        server.getLocalPort()), server);
    assertFalse(socket.getTcpNoDelay());
    socket.setTcpNoDelay(true);
    socket.setOption(StandardSocketOptions.SO_LINGER, 3);
    assertTrue(socket.getTcpNoDelay());
    assertEquals(3, socket.getSoLinger());
  }

  @Test
  void overridableFactoryLetsTheClientWin() throws Exception {
    ServerSocket server = listen(InetAddress.getLoopbackAddress());
    KeepaliveSocketFactory factory = KeepaliveSocketFactory.of(POLICY).overridable();
    assertFalse(factory.isPinned());
    Socket socket = keep(factory.createSocket(server.getInetAddress(), server.getLocalPort()),
        server);
    assertEquals(POLICY, Keepalive.inspect(socket), "the policy is applied all the same");
    socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 5);
    assertEquals(KeepalivePolicy.ofSeconds(5, 13, 4), Keepalive.inspect(socket));
    socket.setKeepAlive(false);
    assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(socket));
    assertEquals(List.of(), log.messages(Level.WARNING), "nothing is ignored, nothing logged");
  }

  @Test
  void socketsFromACustomDelegateAreNotPinned() throws Exception {
    ServerSocket server = listen(InetAddress.getLoopbackAddress());
    KeepaliveSocketFactory factory = KeepaliveSocketFactory.of(POLICY, new Delegate());
    assertFalse(factory.isPinned());
    Socket socket = keep(factory.createSocket(server.getInetAddress(), server.getLocalPort()),
        server);
    assertEquals(POLICY, Keepalive.inspect(socket));
    socket.setKeepAlive(false);
    assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(socket));
  }

  @Test
  void theJdksDefaultDelegateIsPinned() throws Exception {
    ServerSocket server = listen(InetAddress.getLoopbackAddress());
    KeepaliveSocketFactory factory = KeepaliveSocketFactory.of(POLICY, SocketFactory.getDefault());
    assertTrue(factory.isPinned());
    Socket socket = keep(factory.createSocket(server.getInetAddress(), server.getLocalPort()),
        server);
    socket.setKeepAlive(false);
    assertEquals(POLICY, Keepalive.inspect(socket));
  }

  @Test
  void aProxyNeedsTheJdksSocketsNotACustomDelegate() {
    Proxy socks = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", 1080));
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> KeepaliveSocketFactory.of(POLICY, new Delegate()).createSocket(socks));
    assertEquals("cannot create a socket through " + socks + ": the delegate"
        + " dev.keepalive.jdk.KeepaliveSocketFactoryTest$Delegate is a javax.net.SocketFactory,"
        + " which takes no proxy", e.getMessage());
  }

  @Test
  void socksProxySocketCarriesThePolicyBeforeItConnects() throws Exception {
    Proxy socks = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", 1080));
    try (Socket socket = KeepaliveSocketFactory.of(POLICY).createSocket(socks)) {
      assertEquals(POLICY, Keepalive.inspect(socket));
      socket.setKeepAlive(false);
      assertEquals(POLICY, Keepalive.inspect(socket), "pinned");
    }
  }

  @Test
  void theSameValueAsThePolicyIsSetSilently() throws Exception {
    ServerSocket server = listen(InetAddress.getLoopbackAddress());
    Socket socket = keep(KeepaliveSocketFactory.of(POLICY).createSocket(server.getInetAddress(),
        server.getLocalPort()), server);
    socket.setKeepAlive(true);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 83);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 13);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 4);
    assertEquals(POLICY, Keepalive.inspect(socket));
    assertEquals(List.of(), log.messages(Level.WARNING));
  }

  @Test
  void keepaliveApplyStillWorksOnAPinnedSocketAndRepinsIt() throws Exception {
    KeepalivePolicy other = KeepalivePolicy.ofSeconds(97, 19, 6);
    ServerSocket server = listen(InetAddress.getLoopbackAddress());
    Socket socket = keep(KeepaliveSocketFactory.of(POLICY).createSocket(server.getInetAddress(),
        server.getLocalPort()), server);
    Keepalive.apply(socket, other);
    assertEquals(other, Keepalive.inspect(socket));
    socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 83);
    assertEquals(other, Keepalive.inspect(socket), "pinned to the policy applied last");
    Keepalive.apply(socket, KeepalivePolicy.disabled());
    assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(socket));
    socket.setKeepAlive(true);
    assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(socket), "off is pinned too");
  }

  @Test
  void anOverrideIsLoggedOncePerJvmNotOncePerConnection() throws Exception {
    // A policy no other test uses: the once-per-JVM memory is keyed by it.
    String text = "idle=1234s,interval=21s,probes=5";
    ServerSocket server = listen(InetAddress.getLoopbackAddress());
    for (int i = 0; i < 100; i++) {
      // pgjdbc makes a new factory for every connection.
      Socket socket = new KeepaliveSocketFactory(text).createSocket();
      try {
        socket.connect(server.getLocalSocketAddress(), Loopback.TIMEOUT_MILLIS);
        server.accept().close();
        socket.setKeepAlive(false);
        socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 5);
        assertEquals(KeepalivePolicy.parse(text), Keepalive.inspect(socket));
      } finally {
        socket.close();
      }
    }
    String caller = getClass().getName() + ".anOverrideIsLoggedOncePerJvmNotOncePerConnection";
    String advice = " To let the client's settings win, use KeepaliveSocketFactory.overridable();"
        + " to silence this, configure the client to leave keepalive alone or to set the policy's"
        + " values. Logged once per JVM for this override.";
    assertEquals(List.of(
        "Ignored SO_KEEPALIVE=false set by " + caller + " on a socket from KeepaliveSocketFactory:"
            + " its keepalive is pinned to " + text + ", so SO_KEEPALIVE stays true." + advice,
        "Ignored TCP_KEEPIDLE=5 set by " + caller + " on a socket from KeepaliveSocketFactory:"
            + " its keepalive is pinned to " + text + ", so TCP_KEEPIDLE stays 1234." + advice),
        log.messages(Level.WARNING));
  }

  @Test
  void anIgnoredCallOnAClosedSocketStillFailsAsTheJdksDoes() throws Exception {
    Socket socket = KeepaliveSocketFactory.of(POLICY).createSocket();
    socket.close();
    SocketException e = assertThrows(SocketException.class, () -> socket.setKeepAlive(false));
    assertEquals("Socket is closed", e.getMessage());
    assertThrows(SocketException.class,
        () -> socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 5));
    assertEquals(List.of(), log.messages(Level.WARNING));
  }

  @Test
  void stringConstructorParsesThePolicy() {
    KeepaliveSocketFactory factory = new KeepaliveSocketFactory(POLICY_TEXT);
    assertEquals(POLICY, factory.policy());
    assertTrue(factory.isPinned());
    // Regression (issue 16, item 11): the Javadoc promised policy=…, pinned; it printed neither key.
    assertEquals("KeepaliveSocketFactory[policy=" + POLICY_TEXT + ", pinned]", factory.toString());
  }

  @Test
  void unparsableArgumentIsRefusedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new KeepaliveSocketFactory("idle=abc"));
    assertEquals("KeepaliveSocketFactory argument \"idle=abc\" is not a keepalive policy: cannot"
        + " parse keepalive policy at index 5: expected a duration for idle such as 90s, 1500ms,"
        + " 2m, 1h or PT1M30S, or bare seconds, found 'a'", e.getMessage());
  }

  @Test
  void policyBeyondThePlatformsLimitIsRefusedBeforeAnySocketExists() {
    Assumptions.assumeTrue(Platform.current() == Platform.LINUX
        && PlatformLimits.current().maxIdleSeconds() == 32767, "Linux's idle limit");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KeepaliveSocketFactory.of(KeepalivePolicy.ofSeconds(40000, 10, 3)));
    assertEquals("idle 40000s is beyond Linux's limit: at most 32767s (TCP_KEEPIDLE) in"
        + " idle=40000s,interval=10s,probes=3", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new KeepaliveSocketFactory("idle=40000s,interval=10s,probes=3"));
  }

  @Test
  void userTimeoutIsRefusedBeforeAnySocketExists() {
    KeepalivePolicy withUserTimeout = POLICY.withUserTimeout(Duration.ofSeconds(135));
    UnsupportedKeepaliveOptionException e = assertThrows(
        UnsupportedKeepaliveOptionException.class,
        () -> KeepaliveSocketFactory.of(withUserTimeout));
    assertEquals("TCP_USER_TIMEOUT (userTimeout) cannot be set on " + JdkOptions.runtime()
        + ": the JDK has no TCP_USER_TIMEOUT socket option (not in jdk.net.ExtendedSocketOptions);"
        + " keepalive-netty sets it on the epoll and io_uring transports", e.getMessage());
    assertThrows(UnsupportedKeepaliveOptionException.class,
        () -> KeepaliveSSLSocketFactory.of(withUserTimeout));
  }

  @Test
  void nullArgumentsAreRefused() {
    assertThrows(NullPointerException.class, () -> KeepaliveSocketFactory.of(null));
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> KeepaliveSocketFactory.of(POLICY, null));
    assertEquals("delegate must not be null", e.getMessage());
  }

  @Test
  void nothingConfiguredIsAnErrorNamingBothPlaces() {
    Assumptions.assumeTrue(System.getenv(KeepaliveSocketFactory.POLICY_ENVIRONMENT_VARIABLE) == null,
        "KEEPALIVE_POLICY is set in this environment");
    String expected = "no keepalive policy configured for KeepaliveSocketFactory: set the system"
        + " property keepalive.policy or the environment variable KEEPALIVE_POLICY (e.g."
        + " idle=60s,interval=10s,probes=3), or pass the policy (pgjdbc: socketFactoryArg)";
    assertEquals(expected,
        assertThrows(IllegalStateException.class, KeepaliveSocketFactory::new).getMessage());
    assertEquals(expected,
        assertThrows(IllegalStateException.class, KeepaliveSocketFactory::getDefault).getMessage());
    assertEquals(expected, assertThrows(IllegalStateException.class,
        () -> new KeepaliveSocketFactory((String) null)).getMessage(), "pgjdbc without an arg");
  }

  @Test
  void unparsableConfigurationNamesBothPlacesAndTheValue() {
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=60s");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        KeepaliveSocketFactory::getDefault);
    assertEquals("the system property keepalive.policy (\"idle=60s\"; it takes precedence over the"
        + " environment variable KEEPALIVE_POLICY) is not a keepalive policy: cannot parse keepalive"
        + " policy at index 8: expected interval, intvl or net.ipv4.tcp_keepalive_intvl, found no"
        + " interval given", e.getMessage());
  }

  @Test
  void configurationIsReadOnEveryCallSoAnEarlyCallDoesNotPoisonTheClass() {
    Assumptions.assumeTrue(System.getenv(KeepaliveSocketFactory.POLICY_ENVIRONMENT_VARIABLE) == null,
        "KEEPALIVE_POLICY is set in this environment");
    assertThrows(IllegalStateException.class, KeepaliveSocketFactory::getDefault);
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, POLICY_TEXT);
    assertEquals(POLICY, ((KeepaliveSocketFactory) KeepaliveSocketFactory.getDefault()).policy());
    assertEquals(POLICY, new KeepaliveSocketFactory().policy());
    assertEquals(POLICY, new KeepaliveSocketFactory((String) null).policy());
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=99s,interval=9s,probes=9");
    assertEquals(KeepalivePolicy.ofSeconds(99, 9, 9), new KeepaliveSocketFactory().policy());
  }

  @Test
  void getDefaultFactoryPinsItsSockets() throws Exception {
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, POLICY_TEXT);
    ServerSocket server = listen(InetAddress.getLoopbackAddress());
    Socket socket = keep(KeepaliveSocketFactory.getDefault().createSocket(server.getInetAddress(),
        server.getLocalPort()), server);
    socket.setKeepAlive(false);
    assertEquals(POLICY, Keepalive.inspect(socket));
  }

  @Test
  void applyFailureClosesTheSocketAndPropagates() {
    Delegate failing = new Delegate();
    failing.failOn = ExtendedSocketOptions.TCP_KEEPCOUNT;
    KeepaliveSocketFactory factory = KeepaliveSocketFactory.of(POLICY, failing);
    SocketException e = assertThrows(SocketException.class, factory::createSocket);
    assertEquals("injected failure on TCP_KEEPCOUNT", e.getMessage());
    assertEquals(1, failing.made.size());
    assertTrue(failing.made.get(0).isClosed(), "the socket that could not be configured is closed");
  }

  @Test
  void bindFailureClosesTheSocketItMade() throws Exception {
    // The JDK's connect closes a socket whose connect failed; its bind does not, so this one is
    // the factory's to close.
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd");
    ServerSocket server = listen(InetAddress.getLoopbackAddress());
    ServerSocket busy = listen(InetAddress.getLoopbackAddress());
    KeepaliveSocketFactory factory = KeepaliveSocketFactory.of(POLICY);
    long before = openFileDescriptors();
    for (int i = 0; i < 50; i++) {
      assertThrows(java.net.BindException.class, () -> factory.createSocket(
          server.getInetAddress(), server.getLocalPort(), busy.getInetAddress(),
          busy.getLocalPort()));
    }
    // 50 sockets leaked would be 50 more descriptors; allow for the JVM opening one or two itself.
    long leaked = openFileDescriptors() - before;
    assertTrue(leaked < 5, leaked + " more descriptors: the failed sockets were not closed");
  }

  private static long openFileDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  @Test
  void overridableOfAnOverridableFactoryIsItself() {
    KeepaliveSocketFactory overridable = KeepaliveSocketFactory.of(POLICY).overridable();
    assertSame(overridable, overridable.overridable());
    assertEquals("KeepaliveSocketFactory[policy=" + POLICY_TEXT + ", overridable]",
        overridable.toString());
  }

  @Test
  void factoriesAreValuesEqualByPolicyPinningAndDelegate() {
    // Regression (issue 16, item 11): equals was identity although the factory is immutable.
    KeepaliveSocketFactory a = new KeepaliveSocketFactory(POLICY_TEXT);
    KeepaliveSocketFactory b = KeepaliveSocketFactory.of(POLICY);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals(a, KeepaliveSocketFactory.of(POLICY, SocketFactory.getDefault()));
    assertNotEquals(a, a.overridable());
    assertNotEquals(a, KeepaliveSocketFactory.of(KeepalivePolicy.ofSeconds(97, 19, 6)));
    Delegate delegate = new Delegate();
    assertNotEquals(a, KeepaliveSocketFactory.of(POLICY, delegate));
    assertEquals(KeepaliveSocketFactory.of(POLICY, delegate),
        KeepaliveSocketFactory.of(POLICY, delegate));
    assertNotEquals(a, null);
    assertNotEquals(a, "KeepaliveSocketFactory");
  }

  @Test
  void afterOffOnlySoKeepaliveIsPinnedSoATuningCallIsNeitherIgnoredNorLoggedInTheNameOfOff()
      throws Exception {
    // Regression (issue 16, item 11): after apply(pinned, off) a client's TCP_KEEPIDLE was ignored
    // and logged as "pinned to off, so TCP_KEEPIDLE stays 60".
    ServerSocket server = listen(InetAddress.getLoopbackAddress());
    Socket socket = keep(KeepaliveSocketFactory.of(POLICY).createSocket(server.getInetAddress(),
        server.getLocalPort()), server);
    Keepalive.apply(socket, KeepalivePolicy.disabled());
    long ignoredBefore = KeepaliveCounters.ignoredOverrides(KeepaliveOption.TCP_KEEPIDLE);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 77);
    assertEquals(77, socket.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
    assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(socket), "keepalive stays off");
    assertEquals(ignoredBefore, KeepaliveCounters.ignoredOverrides(KeepaliveOption.TCP_KEEPIDLE));
    assertEquals(List.of(), log.messages(Level.WARNING));
  }

  @Test
  void everyIgnoredOverrideIsCountedPerOptionThoughLoggedOnce() throws Exception {
    // A policy no other test uses: the once-per-JVM memory is keyed by it.
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(1235, 22, 5);
    ServerSocket server = listen(InetAddress.getLoopbackAddress());
    long keepalive = KeepaliveCounters.ignoredOverrides(KeepaliveOption.SO_KEEPALIVE);
    long idle = KeepaliveCounters.ignoredOverrides(KeepaliveOption.TCP_KEEPIDLE);
    long total = KeepaliveCounters.ignoredOverrides();
    for (int i = 0; i < 3; i++) {
      Socket socket = keep(KeepaliveSocketFactory.of(policy).createSocket(server.getInetAddress(),
          server.getLocalPort()), server);
      socket.setKeepAlive(false);
      socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 5);
      socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, policy.idleSeconds()); // the same: no
    }
    assertEquals(keepalive + 3, KeepaliveCounters.ignoredOverrides(KeepaliveOption.SO_KEEPALIVE));
    assertEquals(idle + 3, KeepaliveCounters.ignoredOverrides(KeepaliveOption.TCP_KEEPIDLE));
    assertEquals(total + 6, KeepaliveCounters.ignoredOverrides());
    assertEquals(2, log.messages(Level.WARNING).size(), log.messages(Level.WARNING).toString());
  }

  /** A custom delegate: its sockets are of its own class, which this library cannot subclass. */
  static final class Delegate extends SocketFactory {
    final List<Socket> made = new ArrayList<>();
    SocketOption<?> failOn;

    final class DelegateSocket extends Socket {
      @Override
      public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        if (name == failOn) {
          throw new SocketException("injected failure on " + name.name());
        }
        return super.setOption(name, value);
      }
    }

    private Socket made(Socket socket) {
      made.add(socket);
      return socket;
    }

    @Override
    public Socket createSocket() {
      return made(new DelegateSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return createSocket(InetAddress.getByName(host), port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return createSocket(InetAddress.getByName(host), port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      Socket socket = createSocket();
      socket.connect(new InetSocketAddress(host, port));
      return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
        int localPort) throws IOException {
      Socket socket = createSocket();
      socket.bind(new InetSocketAddress(localAddress, localPort));
      socket.connect(new InetSocketAddress(address, port));
      return socket;
    }
  }
}
