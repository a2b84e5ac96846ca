package dev.keepalive.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link ScenarioMain} as {@code unshare -n -- java ...}: unshare execs the JVM, so the
 * process we hold is the child JVM itself, and destroying it ends the namespace with it.
 */
final class ChildJvm {

  /** The child's own watchdog fires first; this is for a child that cannot even do that. */
  static final long LIMIT_SECONDS = ScenarioMain.WATCHDOG.toSeconds() + 20;

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  private ChildJvm() {}

  /** What a child left: its result fields (empty if it printed none), output and exit code. */
  record Finished(Run run, Map<String, String> fields, String stdout, String stderr, int exit,
      double wallSeconds) {

    String status() {
      return fields.getOrDefault("status", "no result line");
    }

    String field(String key) {
      String value = fields.get(key);
      if (value == null) {
        throw new AssertionError(run.name() + ": no '" + key + "' in the child's result"
            + diagnostics());
      }
      return value;
    }

    double millis(String key) {
      return Double.parseDouble(field(key));
    }

    String diagnostics() {
      return "\n--- result: " + fields + "\n--- exit " + exit + "\n--- stdout:\n" + stdout
          + "\n--- stderr:\n" + stderr;
    }
  }

  static Finished run(Run run, String parentNamespace, Path logs)
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(KernelEnvironment.tool("unshare"), "-n", "--",
        java.toString(), "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        // A namespace with only lo has no hardware address for Netty to derive its machine id
        // from; without one it logs a warning in every Netty child.
        "-Dio.netty.machineId=02:00:00:00:00:01"));
    if (Runtime.version().feature() >= 22) {
      // Netty's epoll and io_uring load JNI libraries; JDK 22+ warns about that unless allowed.
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        ScenarioMain.class.getName(), run.scenario().name(), run.adapter().name(),
        run.family().name(), parentNamespace));
    Files.createDirectories(logs);
    Path out = logs.resolve(run.name() + ".out");
    Path err = logs.resolve(run.name() + ".err");
    long start = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    LIVE.add(p);
    int exit;
    try {
      if (p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
        exit = p.exitValue();
      } else {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        exit = -1;
      }
    } finally {
      LIVE.remove(p);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    Map<String, String> fields = ResultLine.parse(stdout).orElse(Map.of());
    if (exit == -1) {
      stderr += "\n(killed after " + LIMIT_SECONDS + " s)";
    }
    return new Finished(run, fields, stdout, stderr, exit, wall);
  }

  /** Ends every child still running (the test run is being torn down). */
  static void destroyAll() {
    for (Process p : LIVE) {
      p.destroyForcibly();
    }
  }
}
