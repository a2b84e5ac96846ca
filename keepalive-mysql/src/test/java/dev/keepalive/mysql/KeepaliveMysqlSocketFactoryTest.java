package dev.keepalive.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mysql.cj.conf.DefaultPropertySet;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.protocol.StandardSocketFactory;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.jdk.Keepalive;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link KeepaliveMysqlSocketFactory} with the real Connector/J classes on real loopback
 * connections: the driver's own connect path makes pinned sockets carrying the configured policy,
 * the driver takes the class name, and a missing or bad policy fails before any socket exists. The
 * MariaDB-server-backed proof (plain and TLS, read back from the kernel) is in
 * keepalive-integration-tests' MysqlConnectorTest.
 */
@Timeout(60)
class KeepaliveMysqlSocketFactoryTest {

  /** Every field differs from Linux's defaults (7200/75/9) and from Connector/J's (none of its own). */
  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(67, 17, 5);
  static final String POLICY_TEXT = "idle=67s,interval=17s,probes=5";
  private static final int TIMEOUT_MILLIS = 5000;

  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<LogRecord> warnings = new ArrayList<>();
  private Logger factoryLogger;
  private Handler capture;
  private String savedProperty;

  @BeforeEach
  void configureAndCapture() {
    savedProperty = System.getProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, POLICY_TEXT);
    // The pinned sockets log an ignored override through System.Logger (JUL here): captured, so
    // the tests can assert it and a passing build prints nothing.
    factoryLogger = Logger.getLogger("dev.keepalive.jdk.KeepaliveSocketFactory");
    capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        synchronized (warnings) {
          warnings.add(record);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    factoryLogger.setUseParentHandlers(false);
    factoryLogger.addHandler(capture);
  }

  @AfterEach
  void closeAndRestore() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    factoryLogger.removeHandler(capture);
    factoryLogger.setUseParentHandlers(true);
    if (savedProperty == null) {
      System.clearProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
    } else {
      System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, savedProperty);
    }
    Recording.made.clear();
  }

  private ServerSocket listen() throws IOException {
    ServerSocket server = new ServerSocket();
    open.add(server);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setSoTimeout(TIMEOUT_MILLIS);
    return server;
  }

  private static PropertySet properties(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    DefaultPropertySet set = new DefaultPropertySet();
    set.initializeProperties(p);
    return set;
  }

  /** Connects through the driver's SocketFactory contract, as NativeSocketConnection does. */
  private Socket connect(StandardSocketFactory factory, ServerSocket server, PropertySet props)
      throws IOException {
    Socket socket = factory.connect(server.getInetAddress().getHostAddress(),
        server.getLocalPort(), props, 0);
    open.add(socket);
    open.add(server.accept());
    return socket;
  }

  private static String keepalive(Socket socket) throws IOException {
    return socket.getKeepAlive() + " " + socket.getOption(ExtendedSocketOptions.TCP_KEEPIDLE) + "/"
        + socket.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL) + "/"
        + socket.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT);
  }

  @Test
  void theDriversConnectPathGivesThePinnedConfiguredPolicy() throws Exception {
    ServerSocket server = listen();
    // Control: the driver's own factory switches SO_KEEPALIVE on and leaves the kernel's timing.
    Socket standard = connect(new StandardSocketFactory(), server, properties());
    assertTrue(standard.getKeepAlive(), "Connector/J's tcpKeepAlive defaults to true");
    assertNotEquals(67, standard.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));

    KeepaliveMysqlSocketFactory factory = new KeepaliveMysqlSocketFactory();
    assertEquals(POLICY, factory.policy());
    assertTrue(factory.sockets().isPinned());
    Socket socket = connect(factory, server, properties());
    assertEquals("true 67/17/5", keepalive(socket));
    assertEquals(POLICY, Keepalive.inspect(socket));
    assertEquals(List.of(), warnings, "tcpKeepAlive=true agrees with the policy: nothing logged");
  }

  @Test
  void theDriversOtherSocketSettingsStillTakeEffect() throws Exception {
    Socket socket = connect(new KeepaliveMysqlSocketFactory(), listen(),
        properties("tcpNoDelay", "false", "tcpRcvBuf", "65536"));
    assertFalse(socket.getTcpNoDelay());
    assertEquals(POLICY, Keepalive.inspect(socket));
  }

  @Test
  void tcpKeepAliveFalseIsIgnoredAndLogged() throws Exception {
    ServerSocket server = listen();
    Socket standard = connect(new StandardSocketFactory(), server,
        properties("tcpKeepAlive", "false"));
    assertFalse(standard.getKeepAlive(), "control: the driver switches keepalive off");

    // A policy no other test uses: the once-per-JVM memory of overrides is keyed by it.
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=71s,interval=19s,probes=6");
    Socket socket = connect(new KeepaliveMysqlSocketFactory(), server,
        properties("tcpKeepAlive", "false"));
    assertEquals("true 71/19/6", keepalive(socket));
    assertEquals(1, warnings.size(), warnings.toString());
    assertEquals(Level.WARNING, warnings.get(0).getLevel());
    assertTrue(warnings.get(0).getMessage().startsWith("Ignored SO_KEEPALIVE=false set by"
        + " com.mysql.cj.protocol.StandardSocketFactory.configureSocket on a socket from"
        + " KeepaliveSocketFactory: its keepalive is pinned to idle=71s,interval=19s,probes=6"),
        warnings.get(0).getMessage());
  }

  @Test
  void anOverridableSubclassLetsTheDriverWin() throws Exception {
    Socket socket = connect(new Overridable(), listen(), properties("tcpKeepAlive", "false"));
    assertFalse(socket.getKeepAlive());
    assertEquals(List.of(), warnings);
  }

  /** A subclass with the policy in code, letting the driver's settings win. */
  public static final class Overridable extends KeepaliveMysqlSocketFactory {
    public Overridable() {
      super(KeepaliveSocketFactory.of(POLICY).overridable());
    }
  }

  @Test
  void theDriverTakesTheClassNameAndConnectsThroughIt() throws Exception {
    ServerSocket server = listen();
    String url = "jdbc:mysql://127.0.0.1:" + server.getLocalPort() + "/?connectTimeout=5000"
        + "&socketTimeout=10000&socketFactory=" + Recording.class.getName();
    // The server never greets: the driver connects, then waits for the handshake.
    CompletableFuture<Throwable> attempt = CompletableFuture.supplyAsync(() -> {
      try {
        DriverManager.getConnection(url, "root", "").close();
        return null;
      } catch (SQLException e) {
        return e;
      }
    });
    try (Socket accepted = server.accept()) {
      Socket socket = Recording.made.get(0);
      // accept() can return before the driver's thread sees its connect() return.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!socket.isConnected() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(accepted.getPort(), socket.getLocalPort(), "the driver's connection");
      assertEquals(POLICY, Keepalive.inspect(socket));
    }
    Throwable failure = attempt.get(30, TimeUnit.SECONDS);
    assertTrue(failure instanceof SQLException, String.valueOf(failure));
  }

  /** Records the sockets the driver's instances make (it makes one factory per connection). */
  public static final class Recording extends KeepaliveMysqlSocketFactory {
    static final List<Socket> made = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    protected Socket createSocket(PropertySet props) {
      Socket socket = super.createSocket(props);
      made.add(socket);
      return socket;
    }
  }

  @Test
  void controlNamingTheJavaxNetFactoryFailsInTheDriver() {
    // Issue 16 item 14: what a user tries first, and why this module exists.
    SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(
        "jdbc:mysql://127.0.0.1:1/?socketFactory=" + KeepaliveSocketFactory.class.getName(),
        "root", ""));
    assertTrue(causes(e).anyMatch(t -> String.valueOf(t.getMessage()).contains(
        "does not implement the interface")), () -> describe(e));
  }

  @Test
  void noPolicyConfiguredFailsTheConnectionNamingBothPlaces() {
    Assumptions.assumeTrue(System.getenv(KeepaliveSocketFactory.POLICY_ENVIRONMENT_VARIABLE) == null,
        "KEEPALIVE_POLICY is set in this environment");
    System.clearProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
    String expected = "no keepalive policy configured for KeepaliveMysqlSocketFactory: set the"
        + " system property keepalive.policy or the environment variable KEEPALIVE_POLICY (e.g."
        + " idle=60s,interval=10s,probes=3), or subclass it with a policy in code";
    assertEquals(expected,
        assertThrows(IllegalStateException.class, KeepaliveMysqlSocketFactory::new).getMessage());
    // Through the driver: the SQLException carries the message, and no socket was made.
    SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(
        "jdbc:mysql://127.0.0.1:1/?socketFactory=" + Recording.class.getName(), "root", ""));
    assertTrue(causes(e).anyMatch(t -> expected.equals(t.getMessage())), () -> describe(e));
    assertEquals(List.of(), Recording.made);
  }

  @Test
  void unparsableConfigurationNamesThePropertyAndTheValue() {
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=60s");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        KeepaliveMysqlSocketFactory::new);
    assertEquals("the system property keepalive.policy (\"idle=60s\"; it takes precedence over the"
        + " environment variable KEEPALIVE_POLICY) is not a keepalive policy: cannot parse keepalive"
        + " policy at index 8: expected interval, intvl or net.ipv4.tcp_keepalive_intvl, found no"
        + " interval given", e.getMessage());
  }

  @Test
  void aUserTimeoutIsRefusedBeforeAnySocketExists() {
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, POLICY_TEXT + ",user-timeout=120s");
    UnsupportedKeepaliveOptionException e = assertThrows(UnsupportedKeepaliveOptionException.class,
        KeepaliveMysqlSocketFactory::new);
    assertTrue(e.getMessage().startsWith("TCP_USER_TIMEOUT (userTimeout) cannot be set on"),
        e.getMessage());
    assertThrows(UnsupportedKeepaliveOptionException.class,
        () -> KeepaliveSocketFactory.of(POLICY.withUserTimeout(Duration.ofSeconds(120))));
  }

  @Test
  void theConfigurationIsReadForEveryConnection() {
    assertEquals(POLICY, new KeepaliveMysqlSocketFactory().policy());
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=99s,interval=9s,probes=9");
    assertEquals(KeepalivePolicy.ofSeconds(99, 9, 9), new KeepaliveMysqlSocketFactory().policy());
  }

  @Test
  void theEnvironmentVariableIsReadWhenThePropertyIsNotSet() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp",
        System.getProperty("java.class.path"), PrintPolicy.class.getName());
    builder.environment().put(KeepaliveSocketFactory.POLICY_ENVIRONMENT_VARIABLE,
        "idle=73s,interval=23s,probes=7");
    Process p = builder.redirectErrorStream(true).start();
    String output;
    try (InputStream in = p.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child JVM finished");
    assertEquals("idle=73s,interval=23s,probes=7 pinned\n", output);
  }

  /** Run in a child JVM by {@link #theEnvironmentVariableIsReadWhenThePropertyIsNotSet()}. */
  public static final class PrintPolicy {
    public static void main(String[] args) {
      KeepaliveMysqlSocketFactory factory = new KeepaliveMysqlSocketFactory();
      System.out.print(factory.policy() + (factory.sockets().isPinned() ? " pinned" : "") + "\n");
    }
  }

  @Test
  void aSocketThatCannotBeMadeFailsConnectWithItsIOException() {
    SocketException failure = new SocketException("injected: too many open files");
    KeepaliveMysqlSocketFactory factory = new KeepaliveMysqlSocketFactory(
        new KeepaliveSocketFactory(POLICY_TEXT) {
          @Override
          public Socket createSocket() throws IOException {
            throw failure;
          }
        }) {};
    SocketException e = assertThrows(SocketException.class,
        () -> factory.connect("127.0.0.1", 1, properties(), 0));
    assertSame(failure, e);
  }

  @Test
  void aFailedBindDoesNotLeakTheSocket() throws Exception {
    // Regression guard: the driver drops a socket whose bind failed without closing it, and ours
    // has a descriptor from the start (the policy is applied before connect).
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd");
    ServerSocket server = listen();
    // 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface here: bind fails, nothing is sent.
    PropertySet props = properties("localSocketAddress", "192.0.2.1");
    long before = openFileDescriptors();
    for (int i = 0; i < 50; i++) {
      assertThrows(SocketException.class, () -> new KeepaliveMysqlSocketFactory().connect(
          server.getInetAddress().getHostAddress(), server.getLocalPort(), props, 0));
    }
    long leaked = openFileDescriptors() - before;
    assertTrue(leaked < 5, leaked + " more descriptors: the failed sockets were not closed");
  }

  @Test
  void toStringNamesThePolicyAndThePinning() {
    assertEquals("KeepaliveMysqlSocketFactory[KeepaliveSocketFactory[policy=" + POLICY_TEXT
        + ", pinned]]", new KeepaliveMysqlSocketFactory().toString());
  }

  @Test
  void aNullSocketFactoryIsRefused() {
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> new KeepaliveMysqlSocketFactory(null) {});
    assertEquals("sockets must not be null", e.getMessage());
  }

  private static long openFileDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  private static Stream<Throwable> causes(Throwable t) {
    return Stream.iterate(t, c -> c != null, Throwable::getCause);
  }

  private static String describe(Throwable t) {
    StringBuilder b = new StringBuilder();
    causes(t).forEach(c -> b.append(c).append(" <- "));
    return b.toString();
  }
}
