package dev.keepalive.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * tcpdump on {@code lo} inside the scenario's namespace, for one port. It runs under {@code timeout
 * -s KILL} so that it dies even if this JVM is killed before it can stop it: a capture left
 * running would keep the namespace alive.
 */
final class Capture implements AutoCloseable {

  private static final int HARD_LIMIT_SECONDS = 45;

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final CountDownLatch listening = new CountDownLatch(1);
  private final StringBuilder diagnostics = new StringBuilder();

  private Capture(Process process) {
    this.process = process;
  }

  /** Starts capturing TCP on {@code port} and returns once tcpdump is listening (at most 10 s). */
  static Capture start(int port) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(KernelEnvironment.tool("timeout"), "-s", "KILL",
        String.valueOf(HARD_LIMIT_SECONDS), KernelEnvironment.tool("tcpdump"), "-i", "lo", "-nn",
        "-tt", "-l", "--immediate-mode", "tcp port " + port).start();
    Capture capture = new Capture(p);
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    capture.pump(p.getInputStream(), true);
    capture.pump(p.getErrorStream(), false);
    if (!capture.listening.await(10, TimeUnit.SECONDS)) {
      capture.close();
      throw new IOException("tcpdump did not start listening within 10 s: " + capture.diagnostics);
    }
    return capture;
  }

  /** Waits at most {@code millis} for a captured line matching {@code until}. */
  boolean awaitLine(Predicate<String> until, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    synchronized (lines) {
      while (lines.stream().noneMatch(until)) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return false;
        }
        lines.wait(left);
      }
      return true;
    }
  }

  /** Whether tcpdump is still running (after {@link #close()}: it should not be). */
  boolean running() {
    return process.isAlive();
  }

  /** Every line captured so far. */
  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void pump(java.io.InputStream in, boolean packets) {
    Thread t = new Thread(() -> {
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (packets) {
            synchronized (lines) {
              lines.add(line);
              lines.notifyAll();
            }
          } else {
            synchronized (diagnostics) {
              diagnostics.append(line).append('\n');
            }
            if (line.startsWith("listening on")) {
              listening.countDown();
            }
          }
        }
      } catch (IOException e) {
        // The process ended; what was read is what there is.
      }
    }, packets ? "tcpdump-out" : "tcpdump-err");
    t.setDaemon(true);
    t.start();
  }
}
