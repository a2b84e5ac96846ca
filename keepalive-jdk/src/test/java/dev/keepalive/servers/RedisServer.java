package dev.keepalive.servers;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A real redis-server from the Debian {@code redis-server} package, on a free port of 127.0.0.1,
 * without persistence, in a temporary directory, with a {@code tcp-keepalive} of its own (the far
 * end of a client's connection then has a keepalive a test can tell from a client's). Started
 * ready (it answers PING); {@link #close()} stops it and deletes the directory. Every wait is
 * bounded. Shared by every module's tests through keepalive-jdk's test-jar.
 */
public final class RedisServer implements AutoCloseable {

  private final Path dir;
  private final Process process;
  private final int port;

  private RedisServer(Path dir, Process process, int port) {
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
    return PostgresServer.onPath("redis-server") ? Optional.empty()
        : Optional.of("redis-server is not installed (Debian package redis-server)");
  }

  /**
   * Starts a server and waits until it answers PING.
   *
   * @param tcpKeepaliveSeconds redis.conf's {@code tcp-keepalive}: Redis sets it as the idle of the
   *     connections it accepts, with interval idle/3 and 3 probes
   * @return the running server
   * @throws IOException if it does not start or answer within 10 s (the message has its log)
   * @throws InterruptedException if interrupted while waiting
   */
  public static RedisServer start(int tcpKeepaliveSeconds) throws IOException, InterruptedException {
    int port = PostgresServer.freePort();
    Path dir = Files.createTempDirectory("keepalive-redis");
    Process process = new ProcessBuilder("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
        "--tcp-keepalive", Integer.toString(tcpKeepaliveSeconds))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    RedisServer server = new RedisServer(dir, process, port);
    String why = server.awaitPong(Duration.ofSeconds(10));
    if (why != null) {
      server.close();
      throw new IOException("redis-server did not start: " + why);
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
   * The server's process id, for reading its own end of a connection from the kernel.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  @Override
  public void close() throws IOException {
    ServerProcess.stop(process, 10, "redis-server", dir);
  }

  private String awaitPong(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String why = "no answer";
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        return "exited " + process.exitValue() + ", log: " + log();
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
        s.setSoTimeout(1_000);
        s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        if (readLine(s.getInputStream()).equals("+PONG")) {
          return null;
        }
      } catch (IOException e) {
        why = e.toString();
      }
      Thread.sleep(50);
    }
    return why + ", log: " + log();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed after " + line);
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }
}
