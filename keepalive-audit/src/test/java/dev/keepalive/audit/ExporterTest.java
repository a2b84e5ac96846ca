package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.servers.PrometheusServer;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exporter ({@code --serve}): OpenMetrics on {@code /metrics} with the names and labels issue
 * 18 fixes, every state exported (0 included), audited afresh on every scrape; and scraped by a
 * real Prometheus server, whose query follows an {@code --apply}.
 */
class ExporterTest {

  private static Child child;

  @BeforeAll
  static void open() throws Exception {
    assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
        "Linux only");
    child = Child.start(0);
  }

  @AfterAll
  static void close() throws IOException {
    if (child != null) {
      child.close();
    }
  }

  private static HttpResponse<String> scrape(int port, boolean openMetrics) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/metrics")).timeout(Duration.ofSeconds(30));
    if (openMetrics) {
      // What Prometheus asks for.
      request.header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5");
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyStateOfEveryProcessIsExportedWithBoundedLabelsAsOpenMetrics() throws Exception {
    KeepalivePolicy expect = Fixture.CUSTOM; // the child's 61/11/4 sockets carry it
    try (HTTPServer server = Exporter.start(new InetSocketAddress(
        InetAddress.getByName("127.0.0.1"), 0), child.pid(), expect)) {
      HttpResponse<String> r = scrape(server.getPort(), true);
      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("Content-Type").orElse("")
          .startsWith("application/openmetrics-text"), r.headers().toString());
      String body = r.body();
      String labels = "pid=\"" + child.pid() + "\",process=\"AuditTarget\"";
      // 9 off (2 clients, 7 accepted ends), 2 on the kernel's defaults, 3 with 61/11/4 (the
      // Netty one's user timeout is not compared: --expect names none), and mismatch 0, exported.
      assertTrue(body.contains("keepalive_connections{" + labels + ",state=\"off\"} 9.0\n"), body);
      assertTrue(body.contains("keepalive_connections{" + labels
          + ",state=\"kernel_default\"} 2.0\n"), body);
      assertTrue(body.contains("keepalive_connections{" + labels + ",state=\"policy\"} 3.0\n"),
          body);
      assertTrue(body.contains("keepalive_connections{" + labels + ",state=\"mismatch\"} 0.0\n"),
          body);
      assertTrue(body.contains("keepalive_detection_deadline_seconds{" + labels + "} +Inf\n"),
          body);
      assertTrue(body.contains("keepalive_probes_unanswered{" + labels + "} 0.0\n"), body);
      assertTrue(body.matches("(?s).*\nkeepalive_audit_duration_seconds \\d+\\.\\d+(E-\\d+)?\n.*"),
          body);
      assertTrue(body.endsWith("# EOF\n"), body);
      // Labels per process and state only: never a port, a descriptor or an address.
      for (String line : body.split("\n")) {
        if (line.startsWith("keepalive_") && line.contains("{")) {
          String names = line.substring(line.indexOf('{') + 1, line.indexOf('}'))
              .replaceAll("=\"[^\"]*\"", "");
          assertTrue(List.of("pid,process,state", "pid,process", "result").contains(names),
              line);
        }
      }

      // Afresh on every scrape: a mismatch as soon as the expectation differs.
      try (HTTPServer other = Exporter.start(new InetSocketAddress(
          InetAddress.getByName("127.0.0.1"), 0), child.pid(), Fixture.CUSTOM.withProbes(5))) {
        String differs = scrape(other.getPort(), false).body();
        assertTrue(differs.contains("keepalive_connections{" + labels
            + ",state=\"mismatch\"} 3.0\n"), differs);
        assertTrue(differs.contains("keepalive_connections{" + labels
            + ",state=\"policy\"} 0.0\n"), differs);
      }
    }
  }

  @Test
  void withoutExpectThereIsNoMismatchStateAndAllListsEveryProcess() throws Exception {
    try (HTTPServer server = Exporter.start(new InetSocketAddress(
        InetAddress.getByName("127.0.0.1"), 0), -1, null)) {
      String body = scrape(server.getPort(), false).body();
      assertFalse(body.contains("state=\"mismatch\""), body);
      assertTrue(body.contains("keepalive_connections{pid=\"" + child.pid()
          + "\",process=\"AuditTarget\",state=\"off\"} 9.0\n"), body);
      assertTrue(body.contains("keepalive_audit_processes{result=\"unfinished\"} 0.0\n"), body);
    }
  }

  @Test
  void aRealPrometheusSeesTheConnectionsWithKeepaliveOffAndTheirFixByApply() throws Exception {
    assumeTrue(PrometheusServer.unavailable().isEmpty(),
        () -> PrometheusServer.unavailable().orElseThrow());
    try (CTarget pool = CTarget.start("sockets", "7")) {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      // The command as a user runs it: its own JVM, serving until stopped.
      Process exporter = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
          "-cp", System.getProperty("java.class.path"), Audit.class.getName(), "--pid",
          Long.toString(pool.pid()), "--serve", "127.0.0.1:0").start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(exporter.getInputStream(),
            StandardCharsets.UTF_8));
        String line = out.readLine();
        assertTrue(line != null && line.contains("http://127.0.0.1:"), String.valueOf(line));
        String target = line.substring(line.indexOf("http://") + 7, line.indexOf("/metrics"));
        try (PrometheusServer prometheus = PrometheusServer.start(target)) {
          String off = "keepalive_connections{state=\"off\",pid=\"" + pool.pid() + "\"}";
          String set = "keepalive_connections{state=\"policy\",pid=\"" + pool.pid() + "\"}";
          // 7 connections with both ends in the target: 14 with keepalive off.
          OptionalDouble before = prometheus.await(off, 14, Duration.ofSeconds(30));
          assertEquals(OptionalDouble.of(14), before, prometheus.log());
          assertEquals(OptionalDouble.of(0), prometheus.await(set, 0, Duration.ofSeconds(5)));

          AuditCliTest.Run apply = AuditCliTest.run("--pid", Long.toString(pool.pid()),
              "--apply", "idle=61s,interval=11s,probes=4");
          assertEquals(0, apply.exit(), apply.out());
          assertEquals(OptionalDouble.of(0), prometheus.await(off, 0, Duration.ofSeconds(30)),
              prometheus.log());
          assertEquals(OptionalDouble.of(14), prometheus.await(set, 14, Duration.ofSeconds(10)));
          // 61 + 11 × 4 s.
          assertEquals(OptionalDouble.of(105), prometheus.await(
              "keepalive_detection_deadline_seconds{pid=\"" + pool.pid() + "\"}", 105,
              Duration.ofSeconds(10)));
        }
      } finally {
        exporter.destroy();
        assertTrue(exporter.waitFor(20, TimeUnit.SECONDS));
      }
    }
  }
}
