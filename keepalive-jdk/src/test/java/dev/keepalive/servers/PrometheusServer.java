package dev.keepalive.servers;

import dev.keepalive.contract.MiniJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A real Prometheus server from the Debian {@code prometheus} package, on a free port of
 * 127.0.0.1, with a temporary storage directory, scraping one target every second. Started ready
 * ({@code /-/ready} answers 200); {@link #query} runs PromQL through its HTTP API; {@link #close()}
 * stops it and deletes the directory. Every wait is bounded. Shared by every module's tests
 * through keepalive-jdk's test-jar.
 */
public final class PrometheusServer implements AutoCloseable {

  private final Path dir;
  private final Process process;
  private final int port;

  private PrometheusServer(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  /**
   * Why a server cannot be started here, or empty if it can.
   *
   * @return the reason, for a JUnit assumption
   */
  public static Optional<String> unavailable() {
    return PostgresServer.onPath("prometheus") ? Optional.empty()
        : Optional.of("prometheus is not installed (Debian package prometheus)");
  }

  /**
   * Starts a server that scrapes {@code target}'s {@code /metrics} every second, and waits until it
   * is ready.
   *
   * @param target the exporter, {@code host:port}
   * @return the running server
   * @throws IOException if it does not start or get ready within 30 s (the message has its log)
   * @throws InterruptedException if interrupted while waiting
   */
  public static PrometheusServer start(String target) throws IOException, InterruptedException {
    int port = PostgresServer.freePort();
    Path dir = Files.createTempDirectory("keepalive-prometheus");
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 1s",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        "  - job_name: keepalive",
        "    static_configs:",
        "      - targets: ['" + target + "']",
        ""));
    Process process = new ProcessBuilder("prometheus", "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--web.console.templates=" + dir, "--web.console.libraries=" + dir)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile())
        .start();
    PrometheusServer server = new PrometheusServer(dir, process, port);
    String why = server.awaitReady(Duration.ofSeconds(30));
    if (why != null) {
      server.close();
      throw new IOException("prometheus did not start: " + why);
    }
    return server;
  }

  /**
   * The port it listens on, on 127.0.0.1.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * Runs an instant PromQL query.
   *
   * @param promql the query
   * @return each series' labels and value, in the order Prometheus gives them
   * @throws IOException if the query fails (the message has Prometheus's answer)
   * @throws InterruptedException if interrupted
   */
  @SuppressWarnings("unchecked")
  public List<Map<String, Object>> query(String promql) throws IOException, InterruptedException {
    String[] response = get("/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (!response[0].equals("200")) {
      throw new IOException("query " + promql + ": HTTP " + response[0] + " " + response[1]);
    }
    Map<String, Object> doc = (Map<String, Object>) MiniJson.parse(response[1]);
    if (!"success".equals(doc.get("status"))) {
      throw new IOException("query " + promql + ": " + response[1]);
    }
    Map<String, Object> data = (Map<String, Object>) doc.get("data");
    return (List<Map<String, Object>>) data.get("result");
  }

  /**
   * The value of a query that gives one series, once it gives {@code expected}, within {@code
   * limit}.
   *
   * @param promql a query giving one series
   * @param expected the value to wait for
   * @param limit how long to wait
   * @return the last value seen: {@code expected}, or what it was when the time ran out (empty if
   *     the query never gave one series)
   * @throws IOException if a query fails
   * @throws InterruptedException if interrupted
   */
  @SuppressWarnings("unchecked")
  public OptionalDouble await(String promql, double expected, Duration limit)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    OptionalDouble last = OptionalDouble.empty();
    while (true) {
      List<Map<String, Object>> result = query(promql);
      if (result.size() == 1) {
        List<Object> value = (List<Object>) result.get(0).get("value");
        last = OptionalDouble.of(Double.parseDouble((String) value.get(1)));
        if (last.getAsDouble() == expected) {
          return last;
        }
      }
      if (System.nanoTime() - deadline > 0) {
        return last;
      }
      Thread.sleep(250);
    }
  }

  /**
   * The server's log, for a failure's message.
   *
   * @return what it printed so far
   */
  public String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public void close() throws IOException {
    ServerProcess.stop(process, 20, "prometheus", dir);
  }

  /** The status code and body of a GET, bounded by 10 s. */
  private String[] get(String path) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path)
        .toURL().openConnection();
    c.setConnectTimeout(5_000);
    c.setReadTimeout(10_000);
    try {
      int status = c.getResponseCode();
      try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return new String[] {Integer.toString(status), body};
      }
    } finally {
      c.disconnect();
    }
  }

  private String awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String why = "no answer";
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        return "exited " + process.exitValue() + ", log: " + log();
      }
      try {
        String[] r = get("/-/ready");
        if (r[0].equals("200")) {
          return null;
        }
        why = "HTTP " + r[0] + " " + r[1];
      } catch (IOException e) {
        why = e.toString();
      }
      Thread.sleep(100);
    }
    return why + ", log: " + log();
  }
}
