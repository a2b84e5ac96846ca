package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.KernelDefaults;
import dev.keepalive.audit.KeepaliveAudit;
import dev.keepalive.audit.SocketKeepalive;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import dev.keepalive.servers.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connections the clients open and hide, read back from the kernel by keepalive-audit (Java
 * 22+; compiled only in that build): no recording factory, no test hook. pgjdbc gets the factory by
 * its real class name with its default {@code tcpKeepAlive=false}, HttpClient 5 keeps its default
 * {@code SocketConfig} (5/5/3); every field of the client's connection must be the policy. The
 * PostgreSQL backend's end, in another process, is audited too: the server's own keepalive.
 */
@Timeout(180)
class AuditedClientsTest {

  private static List<SocketKeepalive> connectionsTo(int port) throws Exception {
    return KeepaliveAudit.thisProcess().stream().filter(s -> s.isConnectionTo(port))
        .collect(Collectors.toList());
  }

  private static void assertCarries(KeepalivePolicy policy, SocketKeepalive connection) {
    assertEquals(policy, connection.policy(), connection::toString);
    assertEquals(Duration.ZERO, connection.userTimeout(), connection::toString);
    assertEquals("ESTABLISHED", connection.tcpState(), connection::toString);
    assertEquals(0, connection.probesSent(), connection::toString);
  }

  @Test
  void pgjdbcByClassNameWithItsDefaultTcpKeepAliveCarriesThePolicyOnBothCounts() throws Exception {
    Optional<String> why = PostgresServer.unavailable();
    Assumptions.assumeTrue(why.isEmpty(), () -> why.get());
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(67, 13, 4);
    try (PostgresServer server = PostgresServer.start();
        Connection c = DriverManager.getConnection(server.url("socketFactory="
            + KeepaliveSocketFactory.class.getName() + "&socketFactoryArg=" + policy
            + "&sslmode=disable"))) {
      int backend;
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
        assertTrue(rs.next());
        backend = rs.getInt(1);
      }
      int port = Integer.parseInt(server.url("").replaceAll("^.*:(\\d+)/.*$", "$1"));
      List<SocketKeepalive> clients = connectionsTo(port);
      assertEquals(1, clients.size(), clients.toString());
      assertCarries(policy, clients.get(0));

      // The backend's end: PostgreSQL switches SO_KEEPALIVE on and, with tcp_keepalives_* at 0,
      // leaves the network namespace's defaults.
      int clientPort = clients.get(0).local().getPort();
      List<SocketKeepalive> backendEnd = KeepaliveAudit.process(backend).stream()
          .filter(s -> s.isConnectionTo(clientPort)).collect(Collectors.toList());
      assertEquals(1, backendEnd.size(), backendEnd.toString());
      assertEquals(KernelDefaults.current().policy().orElseThrow(), backendEnd.get(0).policy(),
          backendEnd.get(0)::toString);
    }
  }

  @Test
  void httpClientWithItsDefaultSocketConfigCarriesThePolicy() throws Exception {
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(68, 14, 4);
    HttpServer server = HttpClient5SocketFactoryTest.okServer();
    int port = server.getAddress().getPort();
    try (CloseableHttpClient client = HttpClient5SocketFactoryTest.client(
            KeepaliveSocketFactory.of(policy), SocketConfig.DEFAULT)) {
      assertEquals("ok", client.execute(new HttpGet("http://127.0.0.1:" + port + "/"),
          response -> EntityUtils.toString(response.getEntity())));
      List<SocketKeepalive> pooled = connectionsTo(port);
      assertEquals(1, pooled.size(), pooled.toString());
      assertCarries(policy, pooled.get(0));
    } finally {
      server.stop(0);
    }
  }
}
