package dev.keepalive.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.contract.KernelReader;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import dev.keepalive.servers.PostgresServer;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HikariCP with pgjdbc against a real PostgreSQL server, the factory passed as data source
 * properties as docs/socket-factory.md shows: every pooled connection carries the policy, read
 * back from the kernel, with the driver's default {@code tcpKeepAlive=false} (pinned out). The
 * control: the same pool without the factory has keepalive off. Run on HikariCP 7.1 in
 * keepalive-integration-tests and on 6.3.3 (Spring Boot 3.5's) in keepalive-netty41-tests.
 */
@Timeout(180)
class HikariPoolTest {

  private static PostgresServer server;

  @BeforeAll
  static void startServer() throws Exception {
    Optional<String> why = PostgresServer.unavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    Optional<String> reader = KernelReader.unavailable();
    assumeTrue(reader.isEmpty(), () -> reader.get());
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** Three pooled connections held at once; the keepalive of each, from the kernel. */
  private static List<String> pooled(KeepalivePolicy policy) throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.url("sslmode=disable"));
    if (policy != null) {
      config.addDataSourceProperty("socketFactory", KeepaliveSocketFactory.class.getName());
      config.addDataSourceProperty("socketFactoryArg", policy.toString());
    }
    config.setMaximumPoolSize(3);
    config.setMinimumIdle(3);
    config.setConnectionTimeout(30_000);
    config.setPoolName("keepalive-test");
    List<Connection> borrowed = new ArrayList<>();
    try (HikariDataSource pool = new HikariDataSource(config)) {
      for (int i = 0; i < 3; i++) {
        borrowed.add(pool.getConnection());
      }
      List<String> fields = KernelReader.connectionsTo(ProcessHandle.current().pid(),
          server.port()).stream().map(KernelReader.Socket::keepaliveFields).sorted()
          .collect(Collectors.toList());
      for (Connection c : borrowed) {
        c.close();
      }
      return fields;
    }
  }

  @Test
  void controlThePoolAloneHasKeepaliveOff() throws Exception {
    assertEquals(List.of("off", "off", "off"), pooled(null));
  }

  @Test
  void everyPooledConnectionCarriesThePolicy() throws Exception {
    java.util.logging.Logger factoryLog =
        java.util.logging.Logger.getLogger("dev.keepalive.jdk.KeepaliveSocketFactory");
    try (CapturedLog pinned = CapturedLog.of(factoryLog.getName())) {
      assertEquals(List.of("66/16/5", "66/16/5", "66/16/5"),
          pooled(KeepalivePolicy.ofSeconds(66, 16, 5)));
      // pgjdbc's setKeepAlive(false), ignored: logged once for the three connections.
      assertEquals(1, pinned.matching(java.util.logging.Level.WARNING, "Ignored SO_KEEPALIVE=false")
          .size(), () -> String.valueOf(pinned.records()));
    }
  }
}
