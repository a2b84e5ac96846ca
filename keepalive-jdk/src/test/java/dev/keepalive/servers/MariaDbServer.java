package dev.keepalive.servers;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real MariaDB server ({@code mariadbd} from the Debian {@code mariadb-server} package) on a
 * free port of 127.0.0.1, in a temporary data directory, with TLS (a self-signed certificate made
 * with the openssl CLI), for MySQL Connector/J and MariaDB Connector/J alike.
 *
 * <p>No {@code mariadb-install-db}: the server starts on an empty data directory with
 * {@code --skip-grant-tables}, so any user connects without a password and no system tables are
 * needed (about a second instead of several). {@code --no-defaults} keeps {@code /etc/mysql} out of
 * it; as root it runs with {@code --user=root}. Started ready (it sends its handshake greeting);
 * {@link #close()} stops it and deletes the directory. Every wait is bounded. Shared by every
 * module's tests through keepalive-jdk's test-jar.
 */
public final class MariaDbServer implements AutoCloseable {

  private static final Path MARIADBD = Path.of("/usr/sbin/mariadbd");

  private final Path dir;
  private final Process process;
  private final int port;

  private MariaDbServer(Path dir, Process process, int port) {
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
    if (!System.getProperty("os.name").startsWith("Linux")) {
      return Optional.of("MariaDB tests run on Linux only");
    }
    if (mariadbd().isEmpty()) {
      return Optional.of("mariadbd is not installed (Debian package mariadb-server)");
    }
    if (!PostgresServer.onPath("openssl")) {
      return Optional.of("no openssl CLI for the server's certificate: apt-get install openssl");
    }
    return Optional.empty();
  }

  /**
   * Starts a server with TLS available (clients choose it) and waits for its greeting.
   *
   * @return the running server
   * @throws IOException if it does not start or greet within 60 s (the message has its log)
   * @throws InterruptedException if interrupted while waiting
   */
  public static MariaDbServer start() throws IOException, InterruptedException {
    Path binary = mariadbd().orElseThrow(() -> new IOException(unavailable().orElseThrow()));
    Path dir = Files.createTempDirectory("keepalive-mariadb");
    try {
      Files.createDirectory(dir.resolve("data"));
      certificate(dir);
      int port = PostgresServer.freePort();
      List<String> command = new ArrayList<>(List.of(binary.toString(), "--no-defaults",
          "--datadir=" + dir.resolve("data"), "--socket=" + dir.resolve("mariadb.sock"),
          "--pid-file=" + dir.resolve("mariadb.pid"), "--log-error=" + dir.resolve("error.log"),
          "--port=" + port, "--bind-address=127.0.0.1", "--skip-name-resolve",
          "--skip-grant-tables", "--skip-log-bin", "--innodb-buffer-pool-size=16M",
          "--max-connections=30", "--ssl-cert=" + dir.resolve("cert.pem"),
          "--ssl-key=" + dir.resolve("key.pem")));
      if (PostgresServer.isRoot()) {
        command.add(2, "--user=root");
      }
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("console.log").toFile()).start();
      MariaDbServer server = new MariaDbServer(dir, process, port);
      String why;
      try {
        why = server.awaitGreeting(Duration.ofSeconds(60));
      } catch (InterruptedException e) {
        server.close();
        throw e;
      }
      if (why != null) {
        server.close();
        throw new IOException("mariadbd did not start: " + why);
      }
      return server;
    } catch (IOException | RuntimeException e) {
      if (Files.exists(dir)) {
        ServerProcess.deleteTree(dir);
      }
      throw e;
    }
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
   * The server's process id, for reading its own end of a connection from the kernel.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  /**
   * A JDBC URL as user {@code root} (any user works: no grant tables), e.g.
   * {@code url("mysql", "sslMode=DISABLED")}.
   *
   * @param subprotocol {@code mysql} (Connector/J) or {@code mariadb} (MariaDB Connector/J)
   * @param parameters the URL's parameters without the leading {@code &}, or empty
   * @return the URL
   */
  public String url(String subprotocol, String parameters) {
    return "jdbc:" + subprotocol + "://127.0.0.1:" + port + "/?user=root"
        + (parameters.isEmpty() ? "" : "&" + parameters);
  }

  @Override
  public void close() throws IOException {
    // SIGTERM: mariadbd shuts down cleanly; an empty throwaway data directory has nothing to keep.
    ServerProcess.stop(process, 20, "mariadbd", dir);
  }

  private static void certificate(Path dir) throws IOException, InterruptedException {
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
    if (!openssl.waitFor(60, TimeUnit.SECONDS)) {
      openssl.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new IOException("openssl req did not finish in 60 s");
    }
    if (openssl.exitValue() != 0) {
      throw new IOException("openssl req exited " + openssl.exitValue() + ": "
          + Files.readString(dir.resolve("openssl.log")));
    }
  }

  /** Null once the server sent a protocol-10 greeting, else why not by the deadline. */
  private String awaitGreeting(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String why = "no answer";
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        return "exited " + process.exitValue() + ", log: " + log();
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
        s.setSoTimeout(5_000);
        InputStream in = s.getInputStream();
        // A packet: 3-byte length, sequence id 0, then the protocol version (10).
        byte[] header = in.readNBytes(5);
        if (header.length == 5 && header[3] == 0 && header[4] == 10) {
          return null;
        }
        why = "unexpected greeting " + java.util.Arrays.toString(header);
      } catch (IOException e) {
        why = e.toString();
      }
      Thread.sleep(100);
    }
    return why + ", log: " + log();
  }

  private String log() {
    StringBuilder b = new StringBuilder();
    for (String name : List.of("console.log", "error.log")) {
      Path file = dir.resolve(name);
      try {
        if (Files.exists(file)) {
          b.append('\n').append(name).append(":\n")
              .append(Files.readString(file, StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        b.append('\n').append(name).append(" unreadable: ").append(e);
      }
    }
    return b.toString();
  }

  private static Optional<Path> mariadbd() {
    return Files.isExecutable(MARIADBD) ? Optional.of(MARIADBD) : Optional.empty();
  }

}
