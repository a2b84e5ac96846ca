package dev.keepalive.audit;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.audit.AuditException.Reason;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The caller's side of {@link AuditHelper}: starts the helper JVM on first use, keeps it while it
 * is used (it leaves by itself after {@link AuditHelper#IDLE_MILLIS} without a request), sends one
 * request at a time and reads the answer, every wait bounded. The helper runs this JVM's own
 * {@code java}, with keepalive-audit and keepalive-api as its class path and none of the
 * application's JVM options or agents.
 */
final class Helper {

  /** How long the helper JVM may take to start. */
  static final long START_SECONDS = 30;
  /** How long one answer may take (an audit of 10 000 sockets takes about 0.2 s). */
  static final long ANSWER_SECONDS = 60;

  private static Helper running;

  private final Process process;
  private final OutputStream in;
  private final BufferedReader out;
  private final AtomicLong request = new AtomicLong();

  private Helper(Process process) {
    this.process = process;
    this.in = process.getOutputStream();
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8), 1 << 16);
  }

  /** Every socket of {@code pid}, read by the helper. */
  static List<SocketKeepalive> process(int pid) throws IOException {
    List<SocketKeepalive> sockets = new ArrayList<>();
    for (String line : call("process " + pid)) {
      sockets.add(Wire.socket(line));
    }
    return sockets;
  }

  /** Every process, read by the helper (which leaves itself out). */
  static List<ProcessKeepalive> all() throws IOException {
    List<ProcessKeepalive> processes = new ArrayList<>();
    long pid = -1;
    String name = null;
    List<SocketKeepalive> sockets = null;
    for (String line : call("all")) {
      if (line.startsWith("s ")) {
        sockets.add(Wire.socket(line));
        continue;
      }
      if (sockets != null) {
        processes.add(new ProcessKeepalive(pid, name, sockets, null));
        sockets = null;
      }
      String[] f = line.split(" ", 3);
      if (f[0].equals("p")) {
        pid = Long.parseLong(f[1]);
        name = Wire.unescape(f[2]);
        sockets = new ArrayList<>();
      } else if (f[0].equals("x")) {
        String[] rest = f[2].split(" ", 2);
        int tab = rest[1].indexOf('\t');
        processes.add(new ProcessKeepalive(Long.parseLong(f[1]),
            Wire.unescape(rest[1].substring(0, tab)), List.of(), new AuditException(
                Reason.valueOf(rest[0]), Wire.unescape(rest[1].substring(tab + 1)))));
      } else {
        throw new IOException("unexpected line from the audit helper: " + line);
      }
    }
    if (sockets != null) {
      processes.add(new ProcessKeepalive(pid, name, sockets, null));
    }
    return processes;
  }

  /** The apply, done by the helper. */
  static List<Reader.Outcome> apply(int pid, KeepalivePolicy policy, List<Reader.Target> targets,
      boolean listeners) throws IOException {
    StringBuilder request = new StringBuilder(32 + targets.size() * 16).append("apply ")
        .append(pid).append(' ').append(listeners ? 1 : 0).append(' ').append(policy).append(' ');
    for (int i = 0; i < targets.size(); i++) {
      request.append(i == 0 ? "" : ",").append(targets.get(i).fd()).append(':')
          .append(targets.get(i).inode());
    }
    List<String> lines = call(request.toString());
    List<Reader.Outcome> outcomes = new ArrayList<>(targets.size());
    for (int i = 0; i < lines.size(); i++) {
      String[] f = lines.get(i).split(" ", 5);
      if (!f[0].equals("o")) {
        throw new IOException("unexpected line from the audit helper: " + lines.get(i));
      }
      int fd = Integer.parseInt(f[1]);
      long inode = Long.parseLong(f[2]);
      if (f[3].equals("gone")) {
        outcomes.add(new Reader.Outcome(fd, inode, null, null, null));
        continue;
      }
      String refusal = f[3].equals("ok") ? null : Wire.unescape(f[4]);
      outcomes.add(new Reader.Outcome(fd, inode, Wire.socket(lines.get(i + 1)),
          Wire.socket(lines.get(i + 2)), refusal));
      i += 2;
    }
    return outcomes;
  }

  /**
   * Sends {@code request} and returns the answer's lines before {@code end}. A helper that said
   * {@code bye} (it left, idle, without reading the request) is replaced once and asked again.
   */
  private static synchronized List<String> call(String request) throws IOException {
    for (int attempt = 0; ; attempt++) {
      if (running == null || !running.process.isAlive()) {
        running = start();
      }
      List<String> answer = running.exchange(request);
      if (answer != null) {
        return answer;
      }
      running.stop();
      running = null;
      if (attempt > 0) {
        throw new AuditException(Reason.HELPER_FAILED, "the audit's helper JVM left twice"
            + " without answering");
      }
    }
  }

  /** The answer, or null if the helper said bye instead. */
  private List<String> exchange(String request) throws IOException {
    long id = request.hashCode() ^ System.nanoTime();
    this.request.set(id);
    watch(id, ANSWER_SECONDS, "answer");
    try {
      try {
        in.write((request + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
      } catch (IOException e) {
        return null; // it left (idle) just before: nothing was read
      }
      List<String> lines = new ArrayList<>();
      for (String line; (line = out.readLine()) != null; ) {
        if (line.equals("end")) {
          return lines;
        }
        if (line.equals("bye") && lines.isEmpty()) {
          return null;
        }
        if (line.startsWith("error ")) {
          throw Wire.error(line);
        }
        lines.add(line);
      }
      throw died("answering");
    } catch (IOException e) {
      if (e instanceof AuditException || process.isAlive()) {
        throw e;
      }
      throw died("answering");
    } finally {
      this.request.compareAndSet(id, 0);
    }
  }

  /** What the helper did not do in time, once it was stopped for it. */
  private volatile String timedOut;

  /** Stops the helper if request {@code id} is still waiting after {@code seconds}. */
  private void watch(long id, long seconds, String what) {
    CompletableFuture.delayedExecutor(seconds, TimeUnit.SECONDS).execute(() -> {
      if (request.get() == id) {
        timedOut = what;
        process.destroyForcibly();
      }
    });
  }

  private AuditException died(String doing) {
    String stderr = "";
    try {
      if (process.waitFor(5, TimeUnit.SECONDS)) {
        stderr = stderr();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (timedOut != null) {
      return new AuditException(Reason.HELPER_FAILED, "the audit's helper JVM did not "
          + timedOut + " within " + (timedOut.equals("start") ? START_SECONDS : ANSWER_SECONDS)
          + " s and was stopped" + stderr);
    }
    return new AuditException(Reason.HELPER_FAILED, "the audit's helper JVM exited while "
        + doing + (process.isAlive() ? "" : " (status " + process.exitValue() + ")") + stderr);
  }

  private String stderr() {
    try (InputStream err = process.getErrorStream()) {
      String text = new String(err.readNBytes(4096), StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "" : ": " + text;
    } catch (IOException e) {
      return "";
    }
  }

  private void stop() {
    try {
      in.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static Helper start() throws IOException {
    List<String> command = command();
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    // None of the application's JVM options or agents: the helper runs the audit and nothing else.
    env.remove("JAVA_TOOL_OPTIONS");
    env.remove("_JAVA_OPTIONS");
    env.remove("JDK_JAVA_OPTIONS");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new AuditException(Reason.HELPER_FAILED, "cannot start the audit's helper JVM ("
          + command.get(0) + "): " + e.getMessage());
    }
    Helper helper = new Helper(process);
    long id = System.nanoTime();
    helper.request.set(id);
    helper.watch(id, START_SECONDS, "start");
    try {
      String ready = helper.out.readLine();
      if (!"ready".equals(ready)) {
        throw helper.died("starting" + (ready == null ? "" : " (it said '" + ready + "')"));
      }
    } catch (IOException e) {
      if (e instanceof AuditException) {
        throw e;
      }
      throw helper.died("starting");
    } finally {
      helper.request.compareAndSet(id, 0);
    }
    return helper;
  }

  /** The helper's command line: this JVM's java, keepalive-audit and keepalive-api. */
  static List<String> command() throws AuditException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    if (!Files.isExecutable(java)) {
      String command = ProcessHandle.current().info().command().orElse("");
      if (!command.endsWith("/java")) {
        throw new AuditException(Reason.HELPER_FAILED, "the audit runs in a helper JVM, and this"
            + " runtime has no bin/java in java.home (" + System.getProperty("java.home") + ")");
      }
      java = Path.of(command);
    }
    Set<String> classPath = new LinkedHashSet<>();
    classPath.add(location(KeepaliveAudit.class));
    classPath.add(location(KeepalivePolicy.class));
    return List.of(java.toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-Xmx128m", "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED",
        "-cp", String.join(File.pathSeparator, classPath),
        AuditHelper.class.getName());
  }

  private static String location(Class<?> type) throws AuditException {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    try {
      if (source != null && source.getLocation() != null) {
        return Path.of(source.getLocation().toURI()).toString();
      }
    } catch (URISyntaxException | IllegalArgumentException e) {
      // not a file: the message below
    }
    throw new AuditException(Reason.HELPER_FAILED, "the audit runs in a helper JVM, which needs"
        + " the jar or directory of " + type.getName() + " as a file, and its code source is "
        + (source == null ? "unknown" : source.getLocation()));
  }
}
