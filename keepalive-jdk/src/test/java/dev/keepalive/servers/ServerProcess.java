package dev.keepalive.servers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the servers here share: stopping a server's process and deleting its directory. */
final class ServerProcess {

  private ServerProcess() {}

  /**
   * SIGTERM, up to {@code graceSeconds} for a clean exit, then SIGKILL and up to 10 s more; the
   * directory is deleted whatever happened.
   *
   * @param name the server, for the message if the wait is interrupted
   */
  static void stop(Process process, int graceSeconds, String name, Path dir) throws IOException {
    try {
      process.destroy();
      if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted stopping " + name, e);
    } finally {
      deleteTree(dir);
    }
  }

  /** Deletes {@code dir} and everything in it. */
  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
