package dev.keepalive.agenttests;

import dev.keepalive.agenttests.child.ClientsMain;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A child JVM running {@link ClientsMain}: an application that opens the real clients it is told
 * to over its standard input ({@code open NAME ARGS}) and holds their connections until it is told
 * to stop. Started with the agent or without it (the control run), on a given {@link Jdk}, with the
 * test class path less every keepalive module: the application has nothing of ours but the agent.
 * Every wait is bounded, and {@link #close()} always ends the process.
 */
final class ChildJvm implements AutoCloseable {

  /** How long a child may take to start, or to open one client. */
  static final Duration STEP = Duration.ofSeconds(60);

  private static final String END = "\u0000end";

  private final String name;
  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
  private final List<String> transcript = new ArrayList<>();
  private final Path stderr;
  private final long started = System.nanoTime();

  private ChildJvm(String name, Process process, Path stderr) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          stdout.add(line);
        }
      } catch (IOException e) {
        stdout.add("(stdout unreadable: " + e + ")");
      } finally {
        stdout.add(END);
      }
    }, name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** How to start a child. */
  static final class Spec {
    private final Jdk jdk;
    private final List<String> jvmArgs = new ArrayList<>();
    private boolean applicationFlags = true;
    private String label;

    private Spec(Jdk jdk) {
      this.jdk = jdk;
      this.label = "control on " + jdk;
    }

    /** With {@code -javaagent:<agent.jar>=options} (no {@code =} when options is empty). */
    Spec agent(String options) {
      jvmArgs.add("-javaagent:" + agentJar() + (options.isEmpty() ? "" : "=" + options));
      label = "agent(" + options + ") on " + jdk;
      return this;
    }

    Spec jvmArgs(String... args) {
      jvmArgs.addAll(Arrays.asList(args));
      return this;
    }

    /**
     * Without {@link Jdk#applicationFlags()}: for an application of the JDK's own clients alone,
     * which needs none, so any JVM warning is the agent's.
     */
    Spec withoutApplicationFlags() {
      applicationFlags = false;
      return this;
    }

    Spec label(String label) {
      this.label = label;
      return this;
    }

    /** Starts the child and waits for its {@code ready}. */
    ChildJvm start() throws IOException {
      List<String> command = new ArrayList<>();
      command.add(jdk.java().toString());
      if (applicationFlags) {
        command.addAll(jdk.applicationFlags());
      }
      command.addAll(jvmArgs);
      command.add("-Djava.util.logging.config.file=" + testResource("child-logging.properties"));
      command.add("-cp");
      command.add(classPath());
      command.add(ClientsMain.class.getName());
      Path err = Files.createTempFile("keepalive-child", ".stderr");
      Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
      ChildJvm child = new ChildJvm(label, p, err);
      try {
        child.await("ready", STEP);
      } catch (RuntimeException | Error e) {
        child.close();
        throw e;
      }
      return child;
    }
  }

  static Spec on(Jdk jdk) {
    return new Spec(jdk);
  }

  /** The agent's jar, built by the reactor before this module (its path is a surefire property). */
  static Path agentJar() {
    String path = System.getProperty("agent.jar");
    if (path == null) {
      throw new IllegalStateException("the system property agent.jar (the agent's jar) is not set:"
          + " run the tests through Maven");
    }
    Path jar = Path.of(path).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no agent jar at " + jar
          + ": build keepalive-agent first (mvn -pl keepalive-agent-tests -am verify)");
    }
    return jar;
  }

  /**
   * This JVM's class path less the keepalive modules (the reactor's own directories and any
   * {@code dev/keepalive} jar), but with this module's test classes: the clients, their
   * dependencies and {@link ClientsMain}.
   */
  static String classPath() {
    Path root = Path.of(System.getProperty("reactor.root", ".")).toAbsolutePath().normalize();
    Path own = Path.of(ClientsMain.class.getProtectionDomain().getCodeSource().getLocation()
        .getPath()).toAbsolutePath().normalize();
    List<String> kept = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry).toAbsolutePath().normalize();
      boolean ours = (p.startsWith(root) && !p.equals(own))
          || p.toString().contains(File.separator + "dev" + File.separator + "keepalive"
              + File.separator);
      if (!ours) {
        kept.add(p.toString());
      }
    }
    return String.join(File.pathSeparator, kept);
  }

  private static String testResource(String name) {
    try {
      return Path.of(ChildJvm.class.getResource("/" + name).toURI()).toString();
    } catch (java.net.URISyntaxException | NullPointerException e) {
      throw new IllegalStateException(name + " is not on the test class path", e);
    }
  }

  long pid() {
    return process.pid();
  }

  /**
   * Tells the child to open a client and waits for it to say so: {@code opened NAME k=v ...}, the
   * values returned (a port, which transport). A client that fails to open fails the test with
   * the child's reason and its standard error.
   */
  Map<String, String> open(String client, Object... args) {
    StringBuilder line = new StringBuilder("open ").append(client);
    for (Object a : args) {
      line.append(' ').append(a);
    }
    send(line.toString());
    String reply = await("opened " + client, STEP);
    Map<String, String> values = new LinkedHashMap<>();
    for (String pair : reply.substring(("opened " + client).length()).trim().split(" ")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        values.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return values;
  }

  private synchronized void send(String line) {
    try {
      stdin.write(line + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + this + ": " + e + diagnostics(), e);
    }
    note("> " + line);
  }

  /** The next stdout line starting with {@code prefix}; a {@code failed} line or an exit fails. */
  private String await(String prefix, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        String line = left > 0 ? stdout.poll(left, TimeUnit.NANOSECONDS) : null;
        if (line == null) {
          throw new AssertionError(this + ": no '" + prefix + "' within " + timeout.toSeconds()
              + " s" + diagnostics());
        }
        if (line.equals(END)) {
          stdout.add(END);
          process.waitFor(5, TimeUnit.SECONDS);
          throw new AssertionError(this + " ended before '" + prefix + "'"
              + (process.isAlive() ? "" : " (exit " + process.exitValue() + ")") + diagnostics());
        }
        note("< " + line);
        if (line.startsWith(prefix)) {
          return line;
        }
        if (line.startsWith("failed ")) {
          throw new AssertionError(this + ": " + line + diagnostics());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + this, e);
    }
  }

  /** Adds a line to the transcript, with the milliseconds since this child was started. */
  private synchronized void note(String line) {
    transcript.add(String.format(Locale.ROOT, "%6d ms %s",
        (System.nanoTime() - started) / 1_000_000, line));
  }

  /** Everything the child wrote to its standard error so far. */
  List<String> stderrLines() {
    try {
      return Files.readAllLines(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The conversation and the child's standard error, for a failure message. */
  String diagnostics() {
    String err;
    try {
      err = Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
          .map(l -> "  ! " + l).collect(Collectors.joining("\n"));
    } catch (IOException e) {
      err = "  (stderr unreadable: " + e + ")";
    }
    synchronized (this) {
      return "\n" + this + " (pid " + process.pid() + ") said:\n  "
          + String.join("\n  ", transcript) + "\nand on its standard error:\n" + err;
    }
  }

  @Override
  public void close() {
    try {
      try {
        send("stop");
      } catch (UncheckedIOException alreadyGone) {
        // It exited by itself: nothing to tell it.
      }
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      try {
        Files.deleteIfExists(stderr);
      } catch (IOException e) {
        // A temp file left behind is not worth failing a test over.
      }
    }
  }

  @Override
  public String toString() {
    return "child JVM [" + name + "]";
  }
}
