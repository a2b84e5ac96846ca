package dev.keepalive.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.servers.PostgresServer;
import dev.keepalive.servers.RedisServer;
import dev.keepalive.spring.it.webflux.WebFluxApp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the starter costs the WebFlux application (every integration active: server, WebClient,
 * HikariCP, Lettuce, the endpoint and the meters): no thread of its own, always checked; and, when
 * asked with {@code -Dkeepalive.startup.rounds=N}, the start-up time with the starter over without
 * it, the two alternating in one run, median of N each (a measurement printed for
 * docs/spring-boot.md, not a timed assertion).
 */
class StartupCostTest {

  private static PostgresServer postgres;
  private static RedisServer redis;

  @BeforeAll
  static void servers() throws Exception {
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

  private static ChildApp start(boolean starter) throws Exception {
    Predicate<String> leaveOut = ChildApp.TOMCAT.or(ChildApp.JETTY);
    return ChildApp.start(WebFluxApp.class, starter ? leaveOut : leaveOut.or(ChildApp.STARTER),
        "--spring.datasource.url=" + postgres.url(""),
        "--spring.datasource.hikari.maximum-pool-size=2",
        "--spring.data.redis.port=" + redis.port(),
        "--management.endpoints.web.exposure.include=health,keepalive,metrics",
        "--keepalive.policy=" + Contexts.POLICY);
  }

  private static List<String> threads(ChildApp app) throws Exception {
    app.get("/hello");
    app.get("/db");
    app.get("/redis");
    app.get("/webclient");
    TreeSet<String> names = new TreeSet<>();
    for (String name : app.get("/threads").replaceAll("[\\[\\]\"]", "").split(",")) {
      names.add(name.replaceAll("\\d+", "#"));
    }
    return new ArrayList<>(names);
  }

  @Test
  void theStarterStartsNoThreadOfItsOwn() throws Exception {
    List<String> with;
    List<String> without;
    try (ChildApp app = start(true)) {
      with = threads(app);
    }
    try (ChildApp app = start(false)) {
      without = threads(app);
    }
    assertThat(with).isEqualTo(without);
  }

  @Test
  void startUpWithTheStarterOverWithout() throws Exception {
    int rounds = Integer.getInteger("keepalive.startup.rounds", 0);
    assumeTrue(rounds > 0, "a measurement: run with -Dkeepalive.startup.rounds=7");
    List<Long> with = new ArrayList<>();
    List<Long> without = new ArrayList<>();
    List<Long> cpuWith = new ArrayList<>();
    List<Long> cpuWithout = new ArrayList<>();
    start(true).close();
    start(false).close();
    for (int i = 0; i < rounds; i++) {
      for (boolean starter : i % 2 == 0 ? new boolean[] {true, false}
          : new boolean[] {false, true}) {
        try (ChildApp app = start(starter)) {
          (starter ? with : without).add(app.readyMillis());
          (starter ? cpuWith : cpuWithout).add(app.readyCpuMillis());
        }
      }
    }
    long medianWith = median(with);
    long medianWithout = median(without);
    // Also the median of each round's own ratio: the two starts of a round ran seconds apart, so
    // a machine that slows down for a while (other VMs on the host) moves both alike.
    System.out.println(String.format(Locale.ROOT, "%s on Java %d, WebFlux start-up (JVM start to"
            + " ready, %d rounds alternating): with the starter median %d ms %s, without %d ms %s,"
            + " ratio %.3f (median of the rounds' ratios %.3f); CPU time to ready: with %d ms %s,"
            + " without %d ms %s, ratio %.3f (median of the rounds' ratios %.3f)",
        Line.NAME, Runtime.version().feature(), rounds, medianWith, with, medianWithout, without,
        (double) medianWith / medianWithout, pairedRatio(with, without), median(cpuWith), cpuWith,
        median(cpuWithout), cpuWithout, (double) median(cpuWith) / median(cpuWithout),
        pairedRatio(cpuWith, cpuWithout)));
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double pairedRatio(List<Long> with, List<Long> without) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < with.size(); i++) {
      ratios.add((double) with.get(i) / without.get(i));
    }
    Collections.sort(ratios);
    int n = ratios.size();
    return n % 2 == 1 ? ratios.get(n / 2) : (ratios.get(n / 2 - 1) + ratios.get(n / 2)) / 2;
  }
}
