package dev.keepalive.agenttests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.KernelDefaults;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Each real client in an application started without the agent (the control run: the client's own
 * default) and in the same application started with {@code -javaagent:keepalive-agent.jar=POLICY}
 * and nothing else changed; both read back from the kernel, every field. One child JVM per run
 * holds every client's connection, each to its own server, so one read per client and run tells
 * them apart. Subclasses name the JDK.
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
  /** {@link #POLICY}, every field. */
  static final String WITH_POLICY = "on 61/11/4 ut=0";

  private Servers servers;
  private ClientApp control;
  private ClientApp agent;

  abstract Jdk jdk();

  @BeforeAll
  void startServersAndApplications() throws Exception {
    Optional<String> noJdk = jdk().unavailable();
    assumeTrue(noJdk.isEmpty(), noJdk::get);
    Optional<String> noReader = Readback.unavailable();
    assumeTrue(noReader.isEmpty(), noReader::get);
    servers = Servers.start();
    // The two applications start side by side: most of a child's time is class loading.
    ExecutorService starter = Executors.newFixedThreadPool(2);
    try {
      Future<ClientApp> withAgent = starter.submit(
          () -> openEveryClient(ChildJvm.on(jdk()).agent(POLICY.toString())));
      Future<ClientApp> without = starter.submit(() -> openEveryClient(ChildJvm.on(jdk())));
      try {
        control = without.get(ChildJvm.STEP.toSeconds() * 3, TimeUnit.SECONDS);
      } finally {
        agent = withAgent.get(ChildJvm.STEP.toSeconds() * 3, TimeUnit.SECONDS);
      }
    } finally {
      starter.shutdownNow();
    }
  }

  private ClientApp openEveryClient(ChildJvm.Spec spec) throws Exception {
    ClientApp app = new ClientApp(spec.start());
    try {
      app.open("httpclient", servers.httpPort())
          .openSilent("kafka")
          .openSilent("zookeeper")
          .openSilent("mongo")
          .openSilent("mssql")
          .serve("grpc")
          .serve("plain-server")
          .serve("netty-epoll-server");
      if (servers.postgres().isPresent()) {
        app.open("jdbc", servers.postgres().get().url(""));
      }
      if (servers.redis().isPresent()) {
        app.open("jedis", servers.redis().get().port());
      }
      if (servers.mariaDb().isPresent()) {
        app.open("jdbc", servers.mariaDb().get().url("mysql", ""));
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
      if (agent != null) {
        agent.close();
      }
    } finally {
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
  }

  /** One connection, read the same way in each application. */
  @FunctionalInterface
  interface Read {
    String from(ClientApp app) throws Exception;
  }

  /**
   * The control run shows the client's own default; under the agent the same connection carries
   * the policy, every field.
   */
  private void proves(String clientDefault, Read read) throws Exception {
    assertEquals(clientDefault, read.from(control), () -> "the client's own default (control run)"
        + control.diagnostics());
    assertEquals(WITH_POLICY, read.from(agent), () -> "under the agent" + agent.diagnostics());
  }

  @Test
  void jdkHttpClientToTheJdkHttpServer() throws Exception {
    proves(OFF, app -> app.connectionTo(servers.httpPort()));
  }

  @Test
  void kafkaAdminClientAgainstASilentListener() throws Exception {
    proves(KERNEL_ON, app -> app.silentPeer("kafka", true));
  }

  @Test
  void zooKeeperClientAgainstASilentListener() throws Exception {
    proves(OFF, app -> app.silentPeer("zookeeper", true));
  }

  /** Its 120/10/9, set after the agent's policy, is an override the agent pins out. */
  @Test
  void mongoSyncDriverAgainstASilentListener() throws Exception {
    proves("on 120/10/9 ut=0", app -> app.silentPeer("mongo", true));
  }

  /** Its 30/1/9, set after connect, is an override the agent pins out. */
  @Test
  void mssqlJdbcAgainstASilentListener() throws Exception {
    proves("on 30/1/9 ut=0", app -> app.silentPeer("mssql", true));
  }

  /** Its default {@code tcpKeepAlive=true} switches SO_KEEPALIVE on before connect. */
  @Test
  void mysqlConnectorJAgainstMariaDb() throws Exception {
    Optional<String> missing = servers.mariaDbMissing();
    assumeTrue(missing.isEmpty(), missing::get);
    int port = servers.mariaDb().orElseThrow().port();
    proves(KERNEL_ON, app -> app.connectionTo(port));
  }

  /** Its default {@code tcpKeepAlive=false} (a setKeepAlive(false) after connect) is pinned out. */
  @Test
  void pgjdbcWithItsDefaultTcpKeepAliveAgainstPostgresql() throws Exception {
    Optional<String> missing = servers.postgresMissing();
    assumeTrue(missing.isEmpty(), missing::get);
    int port = servers.postgres().orElseThrow().port();
    proves(OFF, app -> app.connectionTo(port));
  }

  @Test
  void jedisAgainstRedisServer() throws Exception {
    Optional<String> missing = servers.redisMissing();
    assumeTrue(missing.isEmpty(), missing::get);
    int port = servers.redis().orElseThrow().port();
    proves(KERNEL_ON, app -> app.connectionTo(port));
  }

  /** gRPC's client sets SO_KEEPALIVE on its channels; both ends are Netty epoll channels. */
  @Test
  void grpcClientOnEpollToAGrpcServer() throws Exception {
    assertEquals("true", control.served("grpc").get("epoll"), "gRPC runs on epoll here");
    assertEquals("true", agent.served("grpc").get("epoll"), "gRPC runs on epoll here");
    proves(KERNEL_ON, app -> app.connectionToChild("grpc"));
  }

  @Test
  void grpcServerOnEpollAcceptingAGrpcClient() throws Exception {
    proves(KERNEL_ON, app -> app.acceptedInChild("grpc"));
  }

  @Test
  void plainServerSocketAcceptedConnections() throws Exception {
    proves(OFF, app -> app.acceptedBy("plain-server"));
  }

  @Test
  void nettyEpollServerAcceptedConnections() throws Exception {
    proves(OFF, app -> app.acceptedBy("netty-epoll-server"));
  }

  /** Once the clients that connect in the background have set up their sockets. */
  private static void settled(ClientApp app) throws Exception {
    for (String client : List.of("kafka", "zookeeper", "mongo", "mssql")) {
      app.silentPeer(client, true);
    }
  }

  @Test
  void theControlApplicationWritesNothingOnStandardError() throws Exception {
    settled(control);
    assertEquals(List.of(), control.child.stderrLines(), control::diagnostics);
  }

  /**
   * The agent's standard error: its one INFO line, then one WARNING per distinct override it
   * ignored (Mongo's 120/10/9, mssql-jdbc's 30/1/9, pgjdbc's SO_KEEPALIVE=false; a count of 9 is
   * one override, named by whichever client made it first), and nothing else: no JVM warning, no
   * line for a client's SO_KEEPALIVE=true (Kafka, Jedis, Connector/J, gRPC), which is the policy's.
   */
  @Test
  void theAgentSaysItsPolicyOnceAndEachIgnoredOverrideOnce() throws Exception {
    settled(agent);
    List<String> lines = agent.child.stderrLines();
    assertTrue(!lines.isEmpty() && lines.get(0).startsWith("keepalive-agent ")
        && lines.get(0).contains(" INFO: started in ")
        && lines.get(0).endsWith(": policy " + POLICY + " (agent argument); rules: none;"
            + " mode lenient; pinned (clients' later keepalive calls are ignored)"),
        agent::diagnostics);

    Map<String, List<String>> madeBy = new TreeMap<>();
    madeBy.put("TCP_KEEPIDLE=120", List.of("com.mongodb."));
    madeBy.put("TCP_KEEPINTVL=10", List.of("com.mongodb."));
    madeBy.put("TCP_KEEPIDLE=30", List.of("com.microsoft.sqlserver."));
    madeBy.put("TCP_KEEPINTVL=1", List.of("com.microsoft.sqlserver."));
    madeBy.put("TCP_KEEPCNT=9", List.of("com.mongodb.", "com.microsoft.sqlserver."));
    if (servers.postgres().isPresent()) {
      madeBy.put("SO_KEEPALIVE=false", List.of("org.postgresql."));
    }
    Pattern ignored = Pattern.compile("WARNING dev\\.keepalive\\.agent: Ignored (\\S+) set by"
        + " (\\S+)[ ,].* Logged once per JVM for this override\\.");
    Map<String, String> seen = new TreeMap<>();
    for (String line : lines.subList(1, lines.size())) {
      Matcher m = ignored.matcher(line);
      assertTrue(m.matches(), () -> "an unexpected line: " + line + agent.diagnostics());
      assertNull(seen.put(m.group(1), m.group(2)), () -> "twice: " + line + agent.diagnostics());
    }
    assertEquals(madeBy.keySet(), seen.keySet(), agent::diagnostics);
    seen.forEach((override, caller) -> assertTrue(
        madeBy.get(override).stream().anyMatch(caller::startsWith),
        () -> override + " by " + caller + agent.diagnostics()));
  }

  private static String kernelDefaults() {
    KeepalivePolicy p = KernelDefaults.current().policy().orElseThrow(
        () -> new IllegalStateException("the kernel's keepalive defaults are unknown here: "
            + KernelDefaults.current()));
    return p.idleSeconds() + "/" + p.intervalSeconds() + "/" + p.probes();
  }
}
