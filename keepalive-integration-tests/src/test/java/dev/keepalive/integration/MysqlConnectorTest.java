package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.jdk.KeepaliveSocketFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MySQL Connector/J against a real MariaDB server with
 * {@code socketFactory=dev.keepalive.mysql.KeepaliveMysqlSocketFactory} and the policy in
 * {@code -Dkeepalive.policy}: the connection's keepalive read back from the kernel, plain and over
 * the driver's TLS ({@code sslMode=REQUIRED}), and against the driver's {@code tcpKeepAlive=false}.
 * The control: the driver alone switches SO_KEEPALIVE on and leaves the namespace's defaults.
 */
class MysqlConnectorTest extends MariaDbDriverTest {

  private static final String FACTORY = "socketFactory=dev.keepalive.mysql.KeepaliveMysqlSocketFactory";

  @Test
  void controlTheDriverAloneLeavesTheNamespaceDefaults() throws Exception {
    try (Connection c = DriverManager.getConnection(server.url("mysql", "sslMode=DISABLED"))) {
      assertTrue(c.isValid(5));
      assertEquals(Kernel.namespaceDefaults(), Kernel.onlyConnectionTo(server.port()),
          "Connector/J's tcpKeepAlive=true switches keepalive on with the kernel's timing");
    }
  }

  @Test
  void theAdapterGivesTheConfiguredPolicy() throws Exception {
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=61s,interval=11s,probes=4");
    try (Connection c = DriverManager.getConnection(server.url("mysql",
        FACTORY + "&sslMode=DISABLED"))) {
      assertTrue(c.isValid(5));
      assertEquals("", sslCipher(c), "plain");
      assertEquals("61/11/4", Kernel.onlyConnectionTo(server.port()));
    }
    assertEquals(List.of(), log.warnings(), "tcpKeepAlive=true agrees with the policy");
  }

  @Test
  void theDriversTlsIsLayeredOverThePolicysSocket() throws Exception {
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=63s,interval=13s,probes=4");
    try (Connection c = DriverManager.getConnection(server.url("mysql",
        FACTORY + "&sslMode=REQUIRED"))) {
      assertTrue(!sslCipher(c).isEmpty(), "the connection runs TLS");
      assertEquals("63/13/4", Kernel.onlyConnectionTo(server.port()));
    }
  }

  @Test
  void tcpKeepAliveFalseIsPinnedOutAndLogged() throws Exception {
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=64s,interval=14s,probes=5");
    try (Connection c = DriverManager.getConnection(server.url("mysql",
        FACTORY + "&sslMode=DISABLED&tcpKeepAlive=false"))) {
      assertTrue(c.isValid(5));
      assertEquals("64/14/5", Kernel.onlyConnectionTo(server.port()));
    }
    List<String> warnings = log.warnings();
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).startsWith("Ignored SO_KEEPALIVE=false set by"
        + " com.mysql.cj.protocol.StandardSocketFactory.configureSocket"), warnings.get(0));
  }

  @Test
  void controlTcpKeepAliveFalseWithoutTheAdapterSwitchesKeepaliveOff() throws Exception {
    try (Connection c = DriverManager.getConnection(server.url("mysql",
        "sslMode=DISABLED&tcpKeepAlive=false"))) {
      assertTrue(c.isValid(5));
      assertEquals("off", Kernel.onlyConnectionTo(server.port()));
    }
  }
}
