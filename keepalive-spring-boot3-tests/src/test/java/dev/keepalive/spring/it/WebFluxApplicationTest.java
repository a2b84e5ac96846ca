package dev.keepalive.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.contract.KernelReader;
import dev.keepalive.servers.PostgresServer;
import dev.keepalive.servers.RedisServer;
import dev.keepalive.spring.it.webflux.WebFluxApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A WebFlux application (Reactor Netty server, WebClient from Boot's builder, HikariCP on pgjdbc
 * against a real PostgreSQL, Lettuce against a real redis-server), configured
 * with {@code keepalive.policy} and nothing else: every connection of its JVM read back from the
 * kernel, every field; a per-integration policy and {@code unchanged}; the control without the
 * starter; the actuator endpoint and the meters through the real HTTP endpoints.
 */
class WebFluxApplicationTest {

  static final String POLICY = "idle=61s,interval=11s,probes=4";
  static final String FIELDS = "61/11/4";

  private static PostgresServer postgres;
  private static RedisServer redis;

  @BeforeAll
  static void servers() throws Exception {
    assumeTrue(KernelReader.unavailable().isEmpty(), () -> KernelReader.unavailable().get());
    assumeTrue(PostgresServer.unavailable().isEmpty(), () -> PostgresServer.unavailable().get());
    assumeTrue(RedisServer.unavailable().isEmpty(), () -> RedisServer.unavailable().get());
    postgres = PostgresServer.start();
    redis = RedisServer.start(300);
  }

  @AfterAll
  static void stop() throws Exception {
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private static ChildApp start(boolean starter, String... keepalive) throws Exception {
    List<String> args = new ArrayList<>(List.of(
        "--spring.datasource.url=" + postgres.url(""),
        "--spring.datasource.hikari.maximum-pool-size=2",
        "--spring.data.redis.host=127.0.0.1",
        "--spring.data.redis.port=" + redis.port(),
        "--management.endpoints.web.exposure.include=health,keepalive,metrics"));
    args.addAll(List.of(keepalive));
    return ChildApp.start(WebFluxApp.class,
        starter ? ChildApp.TOMCAT.or(ChildApp.JETTY)
            : ChildApp.TOMCAT.or(ChildApp.JETTY).or(ChildApp.STARTER),
        args.toArray(String[]::new));
  }

  /** Every endpoint once: each opens (or reuses) the connections of one integration. */
  private static void use(ChildApp app) throws Exception {
    assertThat(app.get("/hello")).isEqualTo("hello");
    assertThat(app.get("/db")).isEqualTo("db 1");
    assertThat(app.get("/redis")).isEqualTo("redis");
    assertThat(app.get("/webclient")).isEqualTo("webclient hello");
  }

  @Test
  void oneKeepalivePolicyPropertyReachesEveryConnectionOfTheApplication() throws Exception {
    try (ChildApp app = start(true, "--keepalive.policy=" + POLICY)) {
      use(app);
      Kernel kernel = Kernel.read(app.pid());
      // pgjdbc (the pool's connections), Lettuce, the connections the server accepted (from this
      // test and from WebClient) and WebClient's own.
      assertThat(kernel.to(postgres.port())).as("%s", kernel).isNotEmpty();
      assertThat(kernel.to(redis.port())).as("%s", kernel).hasSize(1);
      assertThat(kernel.acceptedOn(app.port())).as("%s", kernel).hasSizeGreaterThanOrEqualTo(2);
      assertThat(kernel.to(app.port())).as("%s", kernel).hasSizeGreaterThanOrEqualTo(1);
      assertThat(kernel.byFields()).as("every connection of the application's JVM")
          .containsOnlyKeys(FIELDS);

      Map<String, Object> report = app.json("/actuator/keepalive");
      Map<?, ?> integrations = (Map<?, ?>) report.get("integrations");
      for (String i : List.of("server", "webclient", "datasource", "redis")) {
        Map<?, ?> one = (Map<?, ?>) integrations.get(i);
        assertThat(one.get("policy")).as(i).isEqualTo(POLICY);
        assertThat(one.get("source")).as(i).isEqualTo("keepalive.policy");
        assertThat((List<?>) one.get("wired")).as(i).hasSize(1);
        assertThat((List<?>) one.get("notWired")).as(i).isEmpty();
      }
      assertThat(((List<?>) ((Map<?, ?>) integrations.get("server")).get("wired")).get(0))
          .asString().startsWith("Reactor Netty server");
      assertThat(((List<?>) ((Map<?, ?>) integrations.get("datasource")).get("wired")).get(0))
          .asString().contains("PostgreSQL JDBC")
          .contains("[socketFactory, socketFactoryArg, tcpKeepAlive]");
      assertThat(((Map<?, ?>) report.get("agent")).get("present")).isEqualTo(false);
      Meters.assertConnectionsReadBack(app, report, POLICY);

      // pgjdbc's tcpKeepAlive=true: the pin had nothing to ignore.
      assertThat(Meters.count(app, "keepalive.overrides.ignored")).isZero();
      assertThat(Meters.tags(app, "keepalive.overrides.ignored", "option")).containsExactlyInAnyOrder(
          "SO_KEEPALIVE", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_USER_TIMEOUT");
      assertThat(Meters.count(app, "keepalive.heartbeat.timeouts")).isZero();
    }
  }

  @Test
  void anIntegrationsOwnPolicyWinsAndUnchangedLeavesTheClientsDefault() throws Exception {
    try (ChildApp app = start(true, "--keepalive.policy=" + POLICY,
        "--keepalive.redis.policy=idle=62s,interval=12s,probes=5,user-timeout=20s",
        "--keepalive.datasource.policy=unchanged")) {
      use(app);
      Kernel kernel = Kernel.read(app.pid());
      // Lettuce on epoll: TCP_USER_TIMEOUT too.
      assertThat(Kernel.fields(kernel.to(redis.port()))).containsExactly("62/12/5,ut=20000");
      // pgjdbc's own default, tcpKeepAlive=false.
      assertThat(Kernel.fields(kernel.to(postgres.port()))).isNotEmpty().containsOnly("off");
      assertThat(Kernel.fields(kernel.acceptedOn(app.port()))).containsOnly(FIELDS);
      assertThat(Kernel.fields(kernel.to(app.port()))).containsOnly(FIELDS);

      Map<?, ?> datasource = (Map<?, ?>) ((Map<?, ?>) app.json("/actuator/keepalive")
          .get("integrations")).get("datasource");
      assertThat(datasource.get("policy")).isEqualTo("unchanged");
      assertThat(datasource.get("source")).isEqualTo("keepalive.datasource.policy");
      assertThat((List<?>) datasource.get("wired")).isEmpty();
    }
  }

  @Test
  void withoutTheStarterEveryClientKeepsItsOwnDefault() throws Exception {
    try (ChildApp app = start(false, "--keepalive.policy=" + POLICY)) {
      use(app);
      Kernel kernel = Kernel.read(app.pid());
      System.out.println(Line.NAME + " WebFlux control, keepalive as the clients leave it: "
          + kernel);
      assertThat(Kernel.fields(kernel.to(postgres.port()))).isNotEmpty().containsOnly("off");
      assertThat(kernel.byFields()).doesNotContainKey(FIELDS);
      assertThat(app.getResponse("/actuator/keepalive").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aPolicyTheDataSourceCannotTakeStopsTheApplicationAtStartUp() throws Exception {
    try (ChildApp app = ChildApp.launch(WebFluxApp.class, ChildApp.TOMCAT.or(ChildApp.JETTY),
        "--spring.datasource.url=" + postgres.url(""),
        "--spring.data.redis.port=" + redis.port(),
        "--keepalive.policy=" + POLICY + ",user-timeout=5s")) {
      assertThat(app.awaitExit()).isNotZero();
      assertThat(app.output()).contains("APPLICATION FAILED TO START")
          .contains("The keepalive property 'keepalive.policy' is set to '" + POLICY
              + ",user-timeout=5s', which cannot be used for the DataSource (HikariCP)")
          .contains("Set keepalive.datasource.policy=" + POLICY + " (the same policy without the"
              + " user timeout)");
    }
  }
}
