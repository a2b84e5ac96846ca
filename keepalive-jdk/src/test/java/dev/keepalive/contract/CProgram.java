package dev.keepalive.contract;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * A small C program kept beside a test class as a resource, compiled with the machine's {@code cc}
 * into a temporary directory (deleted when the JVM exits): the kernel reader, and the targets the
 * audit's tests misbehave with. Bounded: the compiler gets 60 s.
 */
public final class CProgram {

  private CProgram() {}

  /**
   * Compiles {@code source}, found as a resource beside {@code anchor}.
   *
   * @param anchor the class the source lies beside
   * @param source the resource name, e.g. {@code kernel-reader.c}
   * @return the executable
   * @throws IOException if the source is missing, there is no {@code cc}, or it fails (with its
   *     output)
   */
  public static Path compile(Class<?> anchor, String source) throws IOException {
    String name = source.endsWith(".c") ? source.substring(0, source.length() - 2) : source;
    Path dir = Files.createTempDirectory(name);
    dir.toFile().deleteOnExit();
    Path c = dir.resolve(source);
    try (InputStream in = anchor.getResourceAsStream(source)) {
      if (in == null) {
        throw new IOException(source + " is not on the test class path beside "
            + anchor.getName());
      }
      Files.copy(in, c, StandardCopyOption.REPLACE_EXISTING);
    }
    Path out = dir.resolve(name);
    Process cc;
    try {
      cc = new ProcessBuilder("cc", "-O2", "-o", out.toString(), c.toString())
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("no C compiler (cc) on the PATH: " + e.getMessage(), e);
    }
    String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!cc.waitFor(60, TimeUnit.SECONDS) || cc.exitValue() != 0) {
        cc.destroyForcibly();
        throw new IOException("cc failed on " + source + ": " + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    c.toFile().deleteOnExit();
    out.toFile().deleteOnExit();
    return out;
  }
}
