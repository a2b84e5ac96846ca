package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.Keepalive;
import dev.keepalive.servers.PostgresServer;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL JDBC (pgjdbc) against a real PostgreSQL server, with
 * {@code socketFactory=dev.keepalive.jdk.KeepaliveSocketFactory&socketFactoryArg=<policy>}: the
 * connection's keepalive, read back from the kernel, is the policy with the driver's default
 * {@code tcpKeepAlive=false} (which calls {@code setKeepAlive(false)} after the factory returned
 * the socket), with {@code tcpKeepAlive=true}, plain and over TLS ({@code sslmode=require}). One
 * server for the class; every policy here is used by one test only, so each test's log lines are
 * its own (the factory logs an override once per JVM). HikariCP's pool over the same factory is
 * {@code dev.keepalive.frameworks.HikariPoolTest}, run on HikariCP 7 here and 6 (Spring Boot 3.5's)
 * in keepalive-netty41-tests.
 */
@Timeout(180)
class PostgresSocketFactoryTest {

  private static final String RECORDING = RecordingSocketFactory.class.getName();

  private static PostgresServer server;
  /** Why PostgreSQL cannot run here; each test is then a JUnit skip with it (counted, unlike an
   * assumption in {@code @BeforeAll}, which Surefire reports as "Tests run: 0"). */
  private static Optional<String> unavailable;
  private LogCapture log;

  @BeforeAll
  static void startServer() throws Exception {
    unavailable = PostgresServer.unavailable();
    if (unavailable.isEmpty()) {
      server = PostgresServer.start();
    }
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void clearRecorded() {
    Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.get());
    RecordingSocketFactory.clear();
    log = new LogCapture();
  }

  @AfterEach
  void closeLog() {
    if (log != null) {
      log.close();
    }
  }

  private static String factory(String factoryClass, String arg) {
    return "socketFactory=" + factoryClass + "&socketFactoryArg=" + arg;
  }

  /** The one socket pgjdbc made through the recording factory for {@code connection}. */
  private static Socket onlySocket() {
    List<Socket> sockets = RecordingSocketFactory.created();
    assertEquals(1, sockets.size(), "one connection, one socket: " + sockets);
    return sockets.get(0);
  }

  private static boolean ssl(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("select ssl from pg_stat_ssl where pid = pg_backend_pid()")) {
      assertTrue(rs.next());
      return rs.getBoolean(1);
    }
  }

  private static int clientPort(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("select inet_client_port()")) {
      assertTrue(rs.next());
      return rs.getInt(1);
    }
  }

  @Test
  void withoutThePinTheDriversDefaultSwitchesKeepaliveOff() throws Exception {
    // The control: the pitfall is real, so the tests below can fail.
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(61, 11, 3);
    try (Connection c = DriverManager.getConnection(server.url(factory(RECORDING,
        "overridable:" + policy)))) {
      assertTrue(c.isValid(5));
      assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(onlySocket()));
    }
  }

  @Test
  void defaultTcpKeepAliveKeepsThePolicy() throws Exception {
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(62, 12, 3);
    try (Connection c = DriverManager.getConnection(server.url(factory(RECORDING,
        policy.toString()) + "&sslmode=disable"))) {
      assertEquals(policy, Keepalive.inspect(onlySocket()));
      assertFalse(ssl(c));
    }
    List<String> warnings = log.warnings();
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).startsWith("Ignored SO_KEEPALIVE=false set by"
        + " org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect on a socket from"
        + " KeepaliveSocketFactory: its keepalive is pinned to " + policy + ", so SO_KEEPALIVE"
        + " stays true."), warnings.get(0));
  }

  @Test
  void tcpKeepAliveTrueKeepsThePolicySilently() throws Exception {
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(63, 13, 3);
    try (Connection c = DriverManager.getConnection(server.url(factory(RECORDING,
        policy.toString()) + "&tcpKeepAlive=true&sslmode=disable"))) {
      assertFalse(ssl(c));
      assertEquals(policy, Keepalive.inspect(onlySocket()));
    }
    assertEquals(List.of(), log.warnings());
  }

  @Test
  void tlsDefaultTcpKeepAliveKeepsThePolicy() throws Exception {
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(64, 14, 4);
    try (Connection c = DriverManager.getConnection(server.url(factory(RECORDING,
        policy.toString()) + "&sslmode=require"))) {
      assertTrue(ssl(c), "the connection runs TLS");
      // pgjdbc layers TLS over the factory's plain socket; the TLS socket forwards to it.
      assertEquals(policy, Keepalive.inspect(onlySocket()));
    }
  }

  @Test
  void tlsTcpKeepAliveTrueKeepsThePolicy() throws Exception {
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(65, 15, 4);
    try (Connection c = DriverManager.getConnection(server.url(factory(RECORDING,
        policy.toString()) + "&sslmode=require&tcpKeepAlive=true"))) {
      assertTrue(ssl(c), "the connection runs TLS");
      assertEquals(policy, Keepalive.inspect(onlySocket()));
    }
  }

  @Test
  void theRealFactoryClassByNameAsSsSeesIt() throws Exception {
    Assumptions.assumeTrue(Ss.available(), "no ss (iproute2) to read the connection from outside");
    // Idle below a minute, so ss prints seconds; the timer counts down from it.
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(47, 16, 5);
    try (Connection c = DriverManager.getConnection(server.url(factory(
        "dev.keepalive.jdk.KeepaliveSocketFactory", policy.toString()) + "&sslmode=require"))) {
      long left = Ss.keepaliveTimerSeconds(clientPort(c));
      assertTrue(left > 30 && left <= 47, "keepalive timer " + left + " s, policy idle 47 s;"
          + " without the factory pgjdbc's default leaves no keepalive timer at all");
    }
  }
}
