package dev.keepalive.servers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from the Debian {@code postgresql} package, in a temporary directory, on
 * a free port of 127.0.0.1, with TLS (a self-signed certificate made with the openssl CLI). The
 * server refuses to run as root, so as root it runs as the {@code postgres} user through
 * {@code runuser}. Every step is bounded; {@link #close()} stops it and deletes the directory.
 * Shared by every module's tests through keepalive-jdk's test-jar.
 */
public final class PostgresServer implements AutoCloseable {

  private static final long STEP_SECONDS = 60;

  private final Path dir;
  private final Path bin;
  private final boolean root;
  private final int port;
  private boolean started;

  private PostgresServer(Path dir, Path bin, boolean root, int port) {
    this.dir = dir;
    this.bin = bin;
    this.root = root;
    this.port = port;
  }

  /**
   * Why a server cannot be started here, or empty if it can.
   */
  public static Optional<String> unavailable() {
    if (!System.getProperty("os.name").startsWith("Linux")) {
      return Optional.of("PostgreSQL tests run on Linux only");
    }
    if (binDir().isEmpty()) {
      return Optional.of("no /usr/lib/postgresql/<version>/bin/initdb: apt-get install postgresql");
    }
    if (!onPath("openssl")) {
      return Optional.of("no openssl CLI for the server's certificate: apt-get install openssl");
    }
    if (isRoot() && !onPath("runuser")) {
      return Optional.of("running as root without runuser: PostgreSQL refuses to run as root");
    }
    return Optional.empty();
  }

  public static PostgresServer start() throws IOException, InterruptedException {
    Path bin = binDir().orElseThrow();
    boolean root = isRoot();
    Path dir = Files.createTempDirectory("keepalive-pg");
    PostgresServer server = new PostgresServer(dir, bin, root, freePort());
    try {
      server.init();
      return server;
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  public int port() {
    return port;
  }

  /** A JDBC URL to the {@code postgres} database as the {@code postgres} user (trust auth). */
  public String url(String parameters) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres"
        + (parameters.isEmpty() ? "" : "&" + parameters);
  }

  private void init() throws IOException, InterruptedException {
    if (root) {
      run(List.of("chown", "postgres:postgres", dir.toString()), false);
    }
    Path data = dir.resolve("data");
    run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
        "-A", "trust", "-E", "UTF8", "--no-sync"), true);
    // The key must belong to the server's user and be 0600, or postgres refuses to start.
    run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost",
        "-keyout", data.resolve("server.key").toString(), "-out",
        data.resolve("server.crt").toString()), true);
    run(List.of("chmod", "600", data.resolve("server.key").toString()), true);
    String options = String.join(" ", "-p", String.valueOf(port),
        "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dir,
        "-c", "ssl=on", "-c", "fsync=off", "-c", "max_connections=20",
        "-c", "shared_buffers=16MB");
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
        dir.resolve("server.log").toString(), "-o", options, "-w", "-t", "60", "start"), true);
    started = true;
  }

  @Override
  public void close() throws IOException {
    try {
      if (started) {
        started = false;
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
            "-m", "immediate", "-w", "-t", "60", "stop"), true);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted stopping PostgreSQL", e);
    } finally {
      ServerProcess.deleteTree(dir);
    }
  }

  /** Runs {@code command} (as postgres if {@code asServerUser} and root), bounded; fails loudly. */
  private void run(List<String> command, boolean asServerUser)
      throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asServerUser && root) {
      full.addAll(Arrays.asList("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Path output = Files.createTempFile("keepalive-pg-step", ".log");
    try {
      Process process = new ProcessBuilder(full).redirectErrorStream(true)
          .redirectOutput(output.toFile()).directory(dir.toFile()).start();
      if (!process.waitFor(STEP_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IOException(full + " did not finish in " + STEP_SECONDS + " s:\n"
            + Files.readString(output, StandardCharsets.UTF_8) + serverLog());
      }
      if (process.exitValue() != 0) {
        throw new IOException(full + " exited with " + process.exitValue() + ":\n"
            + Files.readString(output, StandardCharsets.UTF_8) + serverLog());
      }
    } finally {
      Files.delete(output);
    }
  }

  private String serverLog() {
    Path log = dir.resolve("server.log");
    try {
      return Files.exists(log) ? "\nserver.log:\n" + Files.readString(log) : "";
    } catch (IOException e) {
      return "\n(server.log unreadable: " + e + ")";
    }
  }

  private static Optional<Path> binDir() {
    Path base = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(base)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(base)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(b -> version(b.getParent().getFileName().toString())));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int version(String name) {
    try {
      return Integer.parseInt(name);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(":")) {
      if (Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }

  static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return probe.getLocalPort();
    }
  }
}
