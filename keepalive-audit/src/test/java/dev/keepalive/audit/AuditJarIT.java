package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar keepalive-audit-<version>.jar} as a user runs it after {@code mvn package}:
 * keepalive-api and the Prometheus client found through the manifest's Class-Path, native access
 * enabled by its Enable-Native-Access entry, so the JDK prints no restricted-method warning; and on
 * a Java older than 22, one line that says so.
 */
class AuditJarIT {

  record Run(int exit, String out, String err) {}

  private static Run java(String... args) throws Exception {
    return java(Path.of(System.getProperty("java.home"), "bin", "java"), args);
  }

  private static Run java(Path java, String... args) throws Exception {
    Path jar = Path.of(System.getProperty("audit.jar"));
    assertTrue(Files.isRegularFile(jar), jar + " missing: run after mvn package");
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
  void onJava17ItSaysWhatItNeedsInOneLineAndExitsTwo() throws Exception {
    Path java17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
    assumeTrue(Files.isExecutable(java17), "no Java 17 at " + java17);
    Process version = new ProcessBuilder(java17.toString(), "-XshowSettings:properties",
        "-version").redirectErrorStream(true).start();
    String settings = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(version.waitFor(30, TimeUnit.SECONDS));
    String javaVersion = settings.lines().filter(l -> l.trim().startsWith("java.version = "))
        .findFirst().orElseThrow().trim().substring("java.version = ".length());
    Run r = java(java17, "--all");
    assertEquals(2, r.exit(), r.out() + r.err());
    assertEquals("", r.out());
    assertEquals("keepalive-audit needs Java 22+, this is Java " + javaVersion + "\n", r.err());
  }

  @Test
  void theExporterFindsThePrometheusClientBesideTheJar() throws Exception {
    try (Child child = Child.start(0)) {
      Path jar = Path.of(System.getProperty("audit.jar"));
      Path javaCommand = Path.of(System.getProperty("java.home"), "bin", "java");
      Process p = new ProcessBuilder(javaCommand.toString(), "-jar", jar.toString(), "--pid",
          Long.toString(child.pid()), "--serve", "127.0.0.1:0").start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
            StandardCharsets.UTF_8));
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("keepalive-audit: serving OpenMetrics on"
            + " http://127.0.0.1:"), line);
        String url = line.substring(line.indexOf("http://"), line.indexOf("/metrics") + 8);
        HttpResponse<String> scrape = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scrape.statusCode());
        // Labels in name order, as the client writes them. The child's 9 connections with
        // keepalive off: 2 of its clients, and the accepted ends of its 7 connections.
        assertTrue(scrape.body().contains("keepalive_connections{pid=\"" + child.pid()
            + "\",process=\"AuditTarget\",state=\"off\"} 9.0\n"), scrape.body());
      } finally {
        p.destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void badUsageIsOneLineAndExitTwo() throws Exception {
    Run r = java("--nonsense");
    assertEquals(2, r.exit());
    assertEquals("keepalive-audit: unknown argument '--nonsense' (try --help)\n", r.err());
  }
}
