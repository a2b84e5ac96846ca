package dev.keepalive.agentit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A child JVM running {@link Scenario} on one {@link Jdk}, with or without the agent: one command
 * a line on its stdin, one answer a line on its stdout. Every wait is bounded; {@link #close()}
 * always ends the process.
 */
final class Child implements AutoCloseable {

  /** The agent jar the build made (failsafe passes it). */
  static final Path AGENT = Path.of(System.getProperty("agent.jar", "target/agent.jar"));

  final Process process;
  final Jdk jdk;
  private final Path stderr;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private Child(Process process, Jdk jdk, Path stderr) {
    this.process = process;
    this.jdk = jdk;
    this.stderr = stderr;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("error reader failed: " + e);
      }
    }, "child-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** {@code -javaagent:AGENT=argument}, or no agent when {@code argument} is null. */
  static List<String> agent(String argument) {
    return argument == null ? List.of()
        : List.of("-javaagent:" + AGENT + (argument.isEmpty() ? "" : "=" + argument));
  }

  /** Starts {@link Scenario} (or {@code main}) and waits for its "ready". */
  static Child start(Jdk jdk, List<String> jvmOptions) throws IOException {
    return start(jdk, jvmOptions, Map.of(), Scenario.class.getName());
  }

  static Child start(Jdk jdk, List<String> jvmOptions, Map<String, String> environment,
      String main, String... args) throws IOException {
    return startOn(classPath(), jdk, jvmOptions, environment, main, args);
  }

  /** As {@link #start(Jdk, List)}, with its own class path. */
  static Child startOn(String classPath, Jdk jdk, List<String> jvmOptions,
      Map<String, String> environment, String main, String... args) throws IOException {
    Child child = launchOn(classPath, jdk, jvmOptions, environment, main, args);
    String first = child.line(30);
    if (!"ready".equals(first)) {
      String diagnostics = child.diagnostics();
      child.close();
      throw new AssertionError("the child did not start: " + first + diagnostics);
    }
    return child;
  }

  /** Starts a JVM and returns at once: for runs that are to fail before main. */
  static Child launch(Jdk jdk, List<String> jvmOptions, Map<String, String> environment,
      String main, String... args) throws IOException {
    return launchOn(classPath(), jdk, jvmOptions, environment, main, args);
  }

  static Child launchOn(String classPath, Jdk jdk, List<String> jvmOptions,
      Map<String, String> environment, String main, String... args) throws IOException {
    Path stderr = Files.createTempFile("agent-child", ".err");
    List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-Xmx64m",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classPath, main));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(stderr.toFile());
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().remove("KEEPALIVE_POLICY");
    pb.environment().putAll(environment);
    return new Child(pb.start(), jdk, stderr);
  }

  /**
   * The test class path without the agent's own classes and ASM: the child must run the shaded
   * jar's classes, as a user's JVM does, beside the application's own keepalive-api and
   * keepalive-jdk (which the agent's relocated copies must not clash with).
   */
  static String classPath() {
    Path classes = AGENT.toAbsolutePath().getParent().resolve("classes");
    return List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
        .filter(e -> !Path.of(e).toAbsolutePath().equals(classes))
        .filter(e -> !e.contains("/org/ow2/asm/"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  long pid() {
    return process.pid();
  }

  /** Sends a command; its answer, which must start with "ok". */
  String ok(String command) throws IOException {
    String answer = send(command);
    assertTrue(answer.startsWith("ok"), () -> command + " answered " + answer + diagnostics());
    return answer.length() > 3 ? answer.substring(3) : "";
  }

  String send(String command) throws IOException {
    stdin.write(command + "\n");
    stdin.flush();
    return line(30);
  }

  private String line(int seconds) {
    try {
      String line = lines.poll(seconds, TimeUnit.SECONDS);
      return line == null ? "nothing in " + seconds + " s" : line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Waits for the process to end (bounded) and returns its exit status. */
  int exitStatus() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the child did not end in 60 s" + diagnostics());
    }
    return process.exitValue();
  }

  /** What the child printed on stderr so far. */
  String stderr() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  /** Its stderr lines but the agent's start-up INFO line. */
  List<String> stderrBesidesInfo() throws IOException {
    return stderr().lines().filter(l -> !l.matches("keepalive-agent \\S+ INFO: .*"))
        .collect(Collectors.toList());
  }

  String diagnostics() {
    try {
      return "\n--- child stderr ---\n" + stderr();
    } catch (IOException e) {
      return "\n(stderr unreadable: " + e + ")";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (process.isAlive()) {
        try {
          stdin.write("quit\n");
          stdin.flush();
        } catch (IOException e) {
          // Already gone.
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      Files.deleteIfExists(stderr);
    }
  }
}
