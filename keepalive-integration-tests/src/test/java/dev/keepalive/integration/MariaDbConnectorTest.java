package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.jdk.KeepaliveSocketFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MariaDB Connector/J against a real MariaDB server with one URL parameter,
 * {@code socketFactory=dev.keepalive.jdk.KeepaliveSocketFactory}, and the policy in
 * {@code -Dkeepalive.policy}: read back from the kernel, plain and over TLS, and against the
 * driver's own {@code tcpKeepIdle}/{@code tcpKeepInterval}/{@code tcpKeepCount}, which the pin
 * keeps out. The control: the driver alone switches SO_KEEPALIVE on with the namespace's defaults.
 * Plain connections say {@code sslMode=disable}: 4.0 requires a verified certificate by default.
 */
class MariaDbConnectorTest extends MariaDbDriverTest {

  private static final String FACTORY = "socketFactory=dev.keepalive.jdk.KeepaliveSocketFactory";

  @Test
  void controlTheDriverAloneLeavesTheNamespaceDefaults() throws Exception {
    try (Connection c = DriverManager.getConnection(server.url("mariadb", "sslMode=disable"))) {
      assertTrue(c.isValid(5));
      assertEquals(Kernel.namespaceDefaults(), Kernel.onlyConnectionTo(server.port()));
    }
  }

  @Test
  void oneUrlParameterGivesTheConfiguredPolicy() throws Exception {
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=65s,interval=15s,probes=4");
    try (Connection c = DriverManager.getConnection(server.url("mariadb",
        FACTORY + "&sslMode=disable"))) {
      assertTrue(c.isValid(5));
      assertEquals("", sslCipher(c), "plain");
      assertEquals("65/15/4", Kernel.onlyConnectionTo(server.port()));
    }
    assertEquals(List.of(), log.warnings());
  }

  @Test
  void theDriversTlsIsLayeredOverThePolicysSocket() throws Exception {
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=66s,interval=16s,probes=4");
    try (Connection c = DriverManager.getConnection(server.url("mariadb",
        FACTORY + "&sslMode=trust"))) {
      assertTrue(!sslCipher(c).isEmpty(), "the connection runs TLS");
      assertEquals("66/16/4", Kernel.onlyConnectionTo(server.port()));
    }
  }

  @Test
  void theDriversOwnKeepaliveOptionsArePinnedOut() throws Exception {
    // Control first: the driver's options alone do take effect.
    try (Connection c = DriverManager.getConnection(server.url("mariadb",
        "sslMode=disable&tcpKeepIdle=30&tcpKeepInterval=3&tcpKeepCount=7"))) {
      assertTrue(c.isValid(5));
      assertEquals("30/3/7", Kernel.onlyConnectionTo(server.port()));
    }
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=67s,interval=17s,probes=4");
    try (Connection c = DriverManager.getConnection(server.url("mariadb",
        FACTORY + "&sslMode=disable&tcpKeepIdle=30&tcpKeepInterval=3&tcpKeepCount=7"))) {
      assertTrue(c.isValid(5));
      assertEquals("67/17/4", Kernel.onlyConnectionTo(server.port()));
    }
    List<String> warnings = log.warnings();
    assertEquals(3, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).startsWith("Ignored TCP_KEEPIDLE=30 set by org.mariadb.jdbc."),
        warnings.get(0));
  }
}
