package dev.keepalive.agenttests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.KernelDefaults;
import dev.keepalive.servers.PostgresServer;
import dev.keepalive.servers.RedisServer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Each real client in an application started without the agent (the control run: the client's own
 * default) and, in another, with it; both read back from the kernel, every field. One child JVM per
 * run holds every client's connection, each to its own server, so one read per client and run
 * tells them apart. Subclasses name the JDK.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
abstract class ClientsTestBase {

  /** Differs in every field from every client's default and from the kernel's. */
  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(61, 11, 4);

  static final String KERNEL = kernelDefaults();
  /** SO_KEEPALIVE off; the idle, interval and count the socket would use are the kernel's. */
  static final String OFF = "off " + KERNEL + " ut=0";
  /** SO_KEEPALIVE on with the kernel's idle, interval and count. */
  static final String KERNEL_ON = "on " + KERNEL + " ut=0";
  static final String WITH_POLICY = "on 61/11/4 ut=0";

  private Servers servers;
  private ClientApp control;

  abstract Jdk jdk();

  @BeforeAll
  void startServersAndApplications() throws Exception {
    Optional<String> noJdk = jdk().unavailable();
    assumeTrue(noJdk.isEmpty(), noJdk::get);
    Optional<String> noReader = Readback.unavailable();
    assumeTrue(noReader.isEmpty(), noReader::get);
    servers = Servers.start();
    control = openEveryClient(ChildJvm.on(jdk()).start());
  }

  private ClientApp openEveryClient(ChildJvm child) throws Exception {
    ClientApp app = new ClientApp(child);
    try {
      app.open("httpclient", servers.httpPort())
          .openSilent("kafka")
          .openSilent("zookeeper")
          .openSilent("mongo")
          .openSilent("mssql")
          .openSilent("mysql-silent")
          .serve("grpc")
          .serve("plain-server")
          .serve("netty-epoll-server");
      if (servers.postgres().isPresent()) {
        app.open("jdbc", servers.postgres().get().url(""));
      }
      if (servers.redis().isPresent()) {
        app.open("jedis", servers.redis().get().port());
      }
      return app;
    } catch (Exception | Error e) {
      app.close();
      throw e;
    }
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (control != null) {
        control.close();
      }
    } finally {
      if (servers != null) {
        servers.close();
      }
    }
  }

  @Test
  void jdkHttpClientToTheJdkHttpServer() {
    assertEquals(OFF, control.connectionTo(servers.httpPort()), control::diagnostics);
  }

  @Test
  void kafkaAdminClientAgainstASilentListener() throws Exception {
    assertEquals(KERNEL_ON, control.silentPeer("kafka", true), control::diagnostics);
  }

  @Test
  void zooKeeperClientAgainstASilentListener() throws Exception {
    assertEquals(OFF, control.silentPeer("zookeeper", true), control::diagnostics);
  }

  @Test
  void mongoSyncDriverAgainstASilentListener() throws Exception {
    assertEquals("on 120/10/9 ut=0", control.silentPeer("mongo", true), control::diagnostics);
  }

  @Test
  void mssqlJdbcAgainstASilentListener() throws Exception {
    assertEquals("on 30/1/9 ut=0", control.silentPeer("mssql", true), control::diagnostics);
  }

  @Test
  void mysqlConnectorJAgainstASilentListener() throws Exception {
    assertEquals(KERNEL_ON, control.silentPeer("mysql-silent", false), control::diagnostics);
  }

  @Test
  void pgjdbcWithItsDefaultTcpKeepAliveAgainstPostgresql() {
    Optional<String> missing = servers.postgresMissing();
    assumeTrue(missing.isEmpty(), missing::get);
    PostgresServer pg = servers.postgres().orElseThrow();
    assertEquals(OFF, control.connectionTo(pg.port()), control::diagnostics);
  }

  @Test
  void jedisAgainstRedisServer() {
    Optional<String> missing = servers.redisMissing();
    assumeTrue(missing.isEmpty(), missing::get);
    RedisServer redis = servers.redis().orElseThrow();
    assertEquals(KERNEL_ON, control.connectionTo(redis.port()), control::diagnostics);
  }

  @Test
  void grpcClientAndServerOnEpoll() {
    assertEquals("true", control.served("grpc").get("epoll"), "gRPC runs on epoll here");
    assertEquals(KERNEL_ON, control.connectionToChild("grpc"), control::diagnostics);
    assertEquals(KERNEL_ON, control.acceptedInChild("grpc"), control::diagnostics);
  }

  @Test
  void plainServerSocketAcceptedConnections() throws Exception {
    assertEquals(OFF, control.acceptedBy("plain-server"), control::diagnostics);
  }

  @Test
  void nettyEpollServerAcceptedConnections() throws Exception {
    assertEquals(OFF, control.acceptedBy("netty-epoll-server"), control::diagnostics);
  }

  @Test
  void theControlApplicationWritesNothingOnStandardError() {
    assertEquals(List.of(), control.child.stderrLines(), control::diagnostics);
  }

  private static String kernelDefaults() {
    KeepalivePolicy p = KernelDefaults.current().policy().orElseThrow(
        () -> new IllegalStateException("the kernel's keepalive defaults are unknown here: "
            + KernelDefaults.current()));
    return p.idleSeconds() + "/" + p.intervalSeconds() + "/" + p.probes();
  }
}
