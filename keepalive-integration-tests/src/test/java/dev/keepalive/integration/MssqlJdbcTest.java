package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Microsoft's mssql-jdbc with {@code socketFactoryClass=dev.keepalive.jdk.KeepaliveSocketFactory}
 * and the policy as {@code socketFactoryConstructorArg}: the driver sets its own keepalive (30 s
 * idle, 1 s interval; the count stays the kernel's) on the socket after it connects, and the pin
 * keeps the policy.
 * No SQL Server in Debian: the server is a {@link SilentListener}, and the connection is read from
 * the kernel once the driver sent its PRELOGIN request (its socket set up, options included).
 */
@Timeout(120)
class MssqlJdbcTest {

  private SilentListener server;
  private LogCapture log;

  @BeforeEach
  void listen() throws Exception {
    Kernel.assumeReadable();
    server = new SilentListener();
    log = new LogCapture();
  }

  @AfterEach
  void close() throws Exception {
    if (log != null) {
      log.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** Connects in the background, reads the connection from the kernel, then ends the attempt. */
  private String keepaliveOfALogin(Properties properties) throws Exception {
    String url = "jdbc:sqlserver://127.0.0.1:" + server.port() + ";encrypt=false;loginTimeout=60";
    properties.setProperty("user", "sa");
    properties.setProperty("password", "unused");
    CompletableFuture<Throwable> login = CompletableFuture.supplyAsync(() -> {
      try {
        DriverManager.getConnection(url, properties).close();
        return null;
      } catch (SQLException e) {
        return e;
      }
    });
    try {
      assertTrue(server.awaitRequest(), "the driver sent its PRELOGIN request");
      return Kernel.onlyConnectionTo(server.port());
    } finally {
      server.close();
      assertInstanceOf(SQLException.class, login.get(60, TimeUnit.SECONDS),
          "the login fails once the silent server hangs up");
    }
  }

  @Test
  void controlTheDriverSetsItsOwn30SecondIdle() throws Exception {
    assertEquals("30/1/" + Kernel.namespaceDefaults().split("/")[2],
        keepaliveOfALogin(new Properties()));
  }

  @Test
  void theFactoryPinsThePolicyAgainstTheDriversOwn() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("socketFactoryClass", "dev.keepalive.jdk.KeepaliveSocketFactory");
    properties.setProperty("socketFactoryConstructorArg", "idle=68s,interval=18s,probes=4");
    assertEquals("68/18/4", keepaliveOfALogin(properties));
    List<String> warnings = log.warnings();
    // The driver sets idle and interval; the count it leaves to the kernel (9 in the control).
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).startsWith("Ignored TCP_KEEPIDLE=30 set by"
        + " com.microsoft.sqlserver.jdbc."), warnings.get(0));
  }
}
