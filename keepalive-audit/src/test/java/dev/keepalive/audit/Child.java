package dev.keepalive.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** A JVM running {@link AuditTarget}: what it printed, and a way to send it commands. */
final class Child implements AutoCloseable {

  final Process process;
  final Map<String, Integer> sockets = new HashMap<>();
  /** The peer's port of each of {@link #sockets}. */
  final Map<String, Integer> peers = new HashMap<>();
  final Map<String, Integer> listeners = new HashMap<>();
  int lonely;
  int closable = -1;
  private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(100);
  private final Writer stdin;
  private final Path stderr;

  private Child(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.offer(line);
        }
      } catch (IOException e) {
        lines.offer("reader failed: " + e);
      }
    }, "child-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the target, connecting its closable connection to {@code peerPort} (0: none). */
  static Child start(int peerPort) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path stderr = Files.createTempFile("audit-target", ".err");
    Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx64m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), AuditTarget.class.getName(),
        Integer.toString(peerPort)))
        .redirectError(stderr.toFile()).start();
    Child child = new Child(p, stderr);
    int n = 0;
    for (String line; !(line = child.expectLine()).equals("ready"); ) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case "socket" -> {
          child.sockets.put(f[1], Integer.parseInt(f[2]));
          child.peers.put(f[1], Integer.parseInt(f[3]));
        }
        case "listener" -> child.listeners.put("listener" + n++, Integer.parseInt(f[1]));
        case "lonely" -> child.lonely = Integer.parseInt(f[1]);
        case "closable" -> child.closable = Integer.parseInt(f[1]);
        default -> throw new AssertionError("unexpected line from the child: " + line
            + child.diagnostics());
      }
    }
    return child;
  }

  long pid() {
    return process.pid();
  }

  void send(String command) throws IOException {
    stdin.write(command + "\n");
    stdin.flush();
  }

  /** The next line the child printed; fails after 30 s. */
  String expectLine() throws InterruptedException, IOException {
    String line = lines.poll(30, TimeUnit.SECONDS);
    if (line == null) {
      throw new AssertionError("the child printed nothing for 30 s" + diagnostics());
    }
    return line;
  }

  String diagnostics() throws IOException {
    return "\n--- child stderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8);
  }

  String stderr() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    try {
      stdin.close();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted while waiting for the child to end", e);
    } finally {
      Files.deleteIfExists(stderr);
    }
  }
}
