package dev.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelDefaultsTest {

  @TempDir Path dir;

  private void write(String time, String intvl, String probes) throws IOException {
    Files.write(dir.resolve("tcp_keepalive_time"), time.getBytes(StandardCharsets.US_ASCII));
    Files.write(dir.resolve("tcp_keepalive_intvl"), intvl.getBytes(StandardCharsets.US_ASCII));
    Files.write(dir.resolve("tcp_keepalive_probes"), probes.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void readsLinuxSysctlFiles() throws IOException {
    write("90\n", "15\n", "2\n");
    KernelDefaults d = KernelDefaults.linux(dir);
    assertTrue(d.known());
    assertEquals(Platform.LINUX, d.platform());
    assertEquals(KeepalivePolicy.ofSeconds(90, 15, 2), d.policy().orElseThrow());
    assertTrue(d.source().startsWith(dir.toAbsolutePath().toString()), d.source());
  }

  @Test
  void malformedFileIsAClearError() throws IOException {
    write("7200\n", "seventy-five\n", "9\n");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> KernelDefaults.linux(dir));
    assertEquals("expected a whole non-negative number in " + dir.resolve("tcp_keepalive_intvl")
        + ", found \"seventy-five\"", e.getMessage());
  }

  @Test
  void missingFileIsAClearError() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> KernelDefaults.linux(dir));
    assertTrue(e.getMessage().startsWith("cannot read kernel keepalive default "
        + dir.resolve("tcp_keepalive_time")), e.getMessage());
  }

  @Test
  void zeroIsNotAValidDefault() throws IOException {
    write("0\n", "75\n", "9\n");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> KernelDefaults.linux(dir));
    assertTrue(e.getMessage().endsWith("are not a valid policy: idle must be at least 1 second, "
        + "was PT0S"), e.getMessage());
  }

  @Test
  void currentReadsThisNamespaceOnLinux() throws IOException {
    assumeTrue(Platform.current() == Platform.LINUX, "reads /proc/sys/net/ipv4: Linux only");
    KernelDefaults d = KernelDefaults.current();
    // Compared with cat's reading: Files.readString returns only the first digit of a sysctl file
    // ("7" for 7200), the bug this guards against.
    KeepalivePolicy p = d.policy().orElseThrow();
    assertEquals(cat("tcp_keepalive_time"), p.idleSeconds());
    assertEquals(cat("tcp_keepalive_intvl"), p.intervalSeconds());
    assertEquals(cat("tcp_keepalive_probes"), p.probes());
    assertTrue(d.source().endsWith("(this network namespace)"), d.source());
  }

  private static long cat(String name) throws IOException {
    Process cat = new ProcessBuilder("cat", KernelDefaults.LINUX_PROC_DIR.resolve(name).toString())
        .start();
    try (InputStream in = cat.getInputStream()) {
      return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII)
          .trim());
    }
  }
}
