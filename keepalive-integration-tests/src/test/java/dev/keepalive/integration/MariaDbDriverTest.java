package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.jdk.KeepaliveSocketFactory;
import dev.keepalive.servers.MariaDbServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * What the tests of a JDBC driver against a real MariaDB server share: the server, started once
 * per test class (skipped with the reason where it cannot be); the socket factory's policy
 * property, restored after each test; the factory's warnings, captured during each.
 */
@Timeout(120)
abstract class MariaDbDriverTest {

  static MariaDbServer server;
  LogCapture log;
  private String savedPolicy;

  @BeforeAll
  static void startServer() throws Exception {
    Optional<String> why = MariaDbServer.unavailable();
    Assumptions.assumeTrue(why.isEmpty(), () -> why.get());
    Kernel.assumeReadable();
    server = MariaDbServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  @BeforeEach
  void saveConfiguration() {
    savedPolicy = System.getProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
    log = new LogCapture();
  }

  @AfterEach
  void restoreConfiguration() {
    log.close();
    if (savedPolicy == null) {
      System.clearProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
    } else {
      System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, savedPolicy);
    }
  }

  /** The session's TLS cipher, empty on a plain connection. */
  static String sslCipher(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'")) {
      assertTrue(rs.next());
      return rs.getString(2);
    }
  }
}
