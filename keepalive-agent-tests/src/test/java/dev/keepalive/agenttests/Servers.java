package dev.keepalive.agenttests;

import com.sun.net.httpserver.HttpServer;
import dev.keepalive.servers.MariaDbServer;
import dev.keepalive.servers.PostgresServer;
import dev.keepalive.servers.RedisServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The real servers the children's clients talk to, in the test's JVM (never under the agent), on
 * free ports of 127.0.0.1: the JDK's HTTP server; PostgreSQL, redis-server and MariaDB from Debian
 * (each absent, with the reason, where the machine lacks it). Silent listeners are per child
 * ({@link SilentListener}).
 */
final class Servers implements AutoCloseable {

  private final HttpServer http;
  private final PostgresServer postgres;
  private final String postgresMissing;
  private final RedisServer redis;
  private final String redisMissing;
  private final MariaDbServer mariaDb;
  private final String mariaDbMissing;

  private Servers(HttpServer http, PostgresServer postgres, String postgresMissing,
      RedisServer redis, String redisMissing, MariaDbServer mariaDb, String mariaDbMissing) {
    this.http = http;
    this.postgres = postgres;
    this.postgresMissing = postgresMissing;
    this.redis = redis;
    this.redisMissing = redisMissing;
    this.mariaDb = mariaDb;
    this.mariaDbMissing = mariaDbMissing;
  }

  static Servers start() throws IOException, InterruptedException {
    HttpServer http = okServer();
    PostgresServer postgres = null;
    RedisServer redis = null;
    MariaDbServer mariaDb = null;
    try {
      Optional<String> noPostgres = PostgresServer.unavailable();
      if (noPostgres.isEmpty()) {
        postgres = PostgresServer.start();
      }
      Optional<String> noRedis = RedisServer.unavailable();
      if (noRedis.isEmpty()) {
        // The server's own tcp-keepalive, for its end of each connection; the clients' ends are
        // what is read.
        redis = RedisServer.start(300);
      }
      Optional<String> noMariaDb = MariaDbServer.unavailable();
      if (noMariaDb.isEmpty()) {
        mariaDb = MariaDbServer.start();
      }
      return new Servers(http, postgres, noPostgres.orElse(null), redis, noRedis.orElse(null),
          mariaDb, noMariaDb.orElse(null));
    } catch (IOException | InterruptedException | RuntimeException e) {
      new Servers(http, postgres, null, redis, null, mariaDb, null).close();
      throw e;
    }
  }

  /** The JDK's HTTP server, answering {@code ok} to any request. */
  static HttpServer okServer() throws IOException {
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext("/", exchange -> {
      byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return server;
  }

  int httpPort() {
    return http.getAddress().getPort();
  }

  Optional<PostgresServer> postgres() {
    return Optional.ofNullable(postgres);
  }

  /** Why there is no PostgreSQL here (for an assumption), or empty. */
  Optional<String> postgresMissing() {
    return Optional.ofNullable(postgresMissing);
  }

  Optional<RedisServer> redis() {
    return Optional.ofNullable(redis);
  }

  Optional<String> redisMissing() {
    return Optional.ofNullable(redisMissing);
  }

  Optional<MariaDbServer> mariaDb() {
    return Optional.ofNullable(mariaDb);
  }

  Optional<String> mariaDbMissing() {
    return Optional.ofNullable(mariaDbMissing);
  }

  @Override
  public void close() throws IOException {
    http.stop(0);
    IOException failed = null;
    for (AutoCloseable server : new AutoCloseable[] {mariaDb, redis, postgres}) {
      try {
        if (server != null) {
          server.close();
        }
      } catch (Exception e) {
        if (failed == null) {
          failed = new IOException("cannot stop every server", e);
        } else {
          failed.addSuppressed(e);
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
  }
}
