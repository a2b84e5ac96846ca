package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar keepalive-audit-<version>.jar} as a user runs it after {@code mvn package}:
 * keepalive-api found through the manifest's Class-Path, and native access enabled by its
 * Enable-Native-Access entry, so the JDK prints no restricted-method warning.
 */
class AuditJarIT {

  record Run(int exit, String out, String err) {}

  private static Run java(String... args) throws Exception {
    Path jar = Path.of(System.getProperty("audit.jar"));
    assertTrue(Files.isRegularFile(jar), jar + " missing: run after mvn package");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-jar",
        jar.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new Run(p.exitValue(), out, err);
  }

  @Test
  void runsAsAJarWithoutTheRestrictedMethodWarning() throws Exception {
    Run r = java();
    assertEquals(0, r.exit(), r.out() + r.err());
    assertEquals("", r.err(), "no WARNING: A restricted method ... line");
    assertTrue(r.out().startsWith("keepalive audit of process "), r.out());
  }

  @Test
  void auditsAnotherProcessFromTheJar() throws Exception {
    try (Child child = Child.start(0)) {
      Run r = java("--pid", Long.toString(child.pid()), "--port",
          Integer.toString(child.sockets.get("v4-custom")), "--json");
      assertEquals(0, r.exit(), r.out() + r.err());
      assertEquals("", r.err());
      assertTrue(r.out().contains("\"policy\":\"idle=61s,interval=11s,probes=4\""), r.out());
    }
  }

  @Test
  void badUsageIsOneLineAndExitTwo() throws Exception {
    Run r = java("--nonsense");
    assertEquals(2, r.exit());
    assertEquals("keepalive-audit: unknown argument '--nonsense' (try --help)\n", r.err());
  }
}
