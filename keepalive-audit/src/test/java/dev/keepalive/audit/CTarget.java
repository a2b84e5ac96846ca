package dev.keepalive.audit;

import dev.keepalive.contract.CProgram;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A process of {@code target.c} (beside this class), compiled once with the machine's {@code cc}:
 * the adversarial targets of the audit's tests (descriptors flipping between sockets and a file,
 * thousands of sockets, raw and MPTCP sockets, a zombie, a namespace's defaults). C, so that what
 * the target does between two system calls of the audit is exactly what the test says.
 */
final class CTarget implements AutoCloseable {

  private static Path binary;

  final Process process;
  /** The numbers after "ready". */
  final long[] ready;
  /** The line the target printed instead of "ready", if any (e.g. "unavailable 93"). */
  final String other;

  private CTarget(Process process, long[] ready, String other) {
    this.process = process;
    this.ready = ready;
    this.other = other;
  }

  /** Why targets cannot run here, or empty if they can. */
  static Optional<String> unavailable() {
    try {
      compiled();
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot compile the test target (target.c): " + e.getMessage());
    }
  }

  static Path binary() throws IOException {
    return compiled();
  }

  /** Starts {@code prefix} (e.g. unshare) + target + {@code args}; waits for its first line. */
  static CTarget start(List<String> prefix, String... args) throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.add(compiled().toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    return started(p, command);
  }

  private static CTarget started(Process p, List<String> command) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.US_ASCII));
    String line;
    try {
      line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          return null;
        }
      }).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException("the target " + command + " said nothing within 30 s", e);
    }
    if (line == null) {
      p.destroyForcibly();
      throw new IOException("the target " + command + " exited without a word");
    }
    if (!line.startsWith("ready")) {
      return new CTarget(p, new long[0], line);
    }
    String[] f = line.trim().split(" ");
    long[] numbers = new long[f.length - 1];
    for (int i = 1; i < f.length; i++) {
      numbers[i - 1] = Long.parseLong(f[i]);
    }
    return new CTarget(p, numbers, null);
  }

  static CTarget start(String... args) throws IOException {
    return start(List.of(), args);
  }

  /**
   * Starts any program that speaks the same way (a first line {@code ready N N ...}): a Python
   * script, a Java program run from source.
   */
  static CTarget program(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    return started(p, command);
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs {@code target trylock FILE}: 0 it took the lock, 1 another process holds one. */
  static int tryLock(Path file) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(compiled().toString(), "trylock", file.toString())
        .redirectErrorStream(true).start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("trylock did not finish");
    }
    return p.exitValue();
  }

  private static synchronized Path compiled() throws IOException {
    if (binary == null) {
      binary = CProgram.compile(CTarget.class, "target.c");
    }
    return binary;
  }
}
