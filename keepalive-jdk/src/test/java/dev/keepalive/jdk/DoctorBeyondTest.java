package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.contract.MiniJson;
import dev.keepalive.jdk.internal.Companions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The doctor names the real path of keepalive-audit and keepalive-agent and the Java the audit
 * needs, with the command that works here, or says what is missing: in this build tree, and in a
 * Maven repository made for the test with a JDK 25 beside {@code $JAVA_HOME}.
 */
@Timeout(60)
class DoctorBeyondTest {

  private static final String VERSION = "7.7.7-TEST";

  @Test
  void inThisBuildTreeTheCommandsNameTheJarsAndTheirState() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Doctor.run(new String[] {"--json"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    Map<String, Object> doc = DoctorTest.object(MiniJson.parse(out.toString(StandardCharsets.UTF_8)));
    Companions.Home home = Companions.location(Doctor.class).flatMap(Companions::home)
        .orElseThrow();
    Map<String, Object> audit = DoctorTest.object(doc.get("audit"));
    Path auditJar = home.jar("keepalive-audit");
    assertEquals(auditJar.toString(), audit.get("jar"));
    assertEquals(Files.isRegularFile(auditJar), audit.get("built"));
    var java22 = Companions.java(22, Companions.thisJvm(), Companions.jdkRoots(
        System.getenv("JAVA_HOME"), Paths.get(System.getProperty("java.home"))));
    if (java22.isEmpty()) {
      assertTrue(audit.get("problem").toString().startsWith("no Java 22 or newer here"),
          audit.toString());
    } else if (!Files.isRegularFile(auditJar)) {
      assertNull(audit.get("command"));
      assertTrue(audit.get("problem").toString().startsWith("keepalive-audit is not built here ("
          + auditJar + " is missing): build it: cd "), audit.toString());
    } else {
      assertEquals(java22.get().executable() + " -jar " + auditJar + " --pid PID [--expect POLICY]",
          audit.get("command"));
      assertNull(audit.get("problem"));
    }
    Map<String, Object> agent = DoctorTest.object(doc.get("agent"));
    Path agentJar = home.jar("keepalive-agent");
    assertEquals(agentJar.toString(), agent.get("jar"));
    assertEquals(Files.isRegularFile(agentJar), agent.get("built"));
    if (Files.isRegularFile(agentJar)) {
      assertEquals("java -javaagent:" + agentJar + "=POLICY -jar app.jar", agent.get("command"));
    } else {
      assertTrue(agent.get("problem").toString().startsWith("keepalive-agent is not built here ("
          + agentJar + " is missing): "), agent.toString());
    }
  }

  /**
   * keepalive-jdk from a Maven repository: the audit and the agent are their sibling artifacts; the
   * audit runs on the class path with keepalive-api from the same repository, on this JVM if it is
   * 22 or newer, else on the JDK 25 found beside {@code $JAVA_HOME}.
   */
  @Test
  void fromAMavenRepositoryItNamesTheSiblingArtifactsAndTheJdkFound(@TempDir Path dir)
      throws Exception {
    Path repo = dir.resolve("repository/dev/keepalive");
    Path api = artifact(repo, "keepalive-api");
    Path jdk = artifact(repo, "keepalive-jdk");
    copyOrJar(location(KeepalivePolicy.class), api);
    copyOrJar(location(Doctor.class), jdk);
    Path audit = Files.writeString(artifact(repo, "keepalive-audit"), "");
    Path agent = Files.writeString(artifact(repo, "keepalive-agent"), "");
    Path jvms = Files.createDirectories(dir.resolve("jvms"));
    Path java25 = fakeJdk(jvms.resolve("jdk-25"), "25.0.3");
    Path javaHome17 = Files.createDirectories(jvms.resolve("jdk-17"));
    boolean thisIs22 = Runtime.version().feature() >= 22;
    Path expectedJava = thisIs22 ? Paths.get(System.getProperty("java.home"), "bin", "java")
        : java25;

    String policy = "idle=61s,interval=11s,probes=4";
    Map<String, Object> doc = childDoctor(api, jdk, javaHome17, "--json", "--policy", policy);
    Map<String, Object> auditSection = DoctorTest.object(doc.get("audit"));
    assertEquals(audit.toString(), auditSection.get("jar"));
    assertEquals(expectedJava + " --enable-native-access=ALL-UNNAMED -cp " + audit + ":" + api
        + " dev.keepalive.audit.Audit --pid PID --expect " + policy, auditSection.get("command"));
    assertNull(auditSection.get("problem"));
    Map<String, Object> agentSection = DoctorTest.object(doc.get("agent"));
    assertEquals("java -javaagent:" + agent + "=" + policy + " -jar app.jar",
        agentSection.get("command"));

    Files.delete(agent);
    Map<String, Object> without = DoctorTest.object(childDoctor(api, jdk, javaHome17, "--json")
        .get("agent"));
    assertNull(without.get("command"));
    assertEquals("keepalive-agent is not built here (" + agent + " is missing): fetch it into this"
        + " Maven repository: mvn -B dependency:get -Dartifact=dev.keepalive:keepalive-agent:"
        + VERSION, without.get("problem"));
  }

  private static Path artifact(Path repo, String artifactId) throws IOException {
    return Files.createDirectories(repo.resolve(artifactId).resolve(VERSION))
        .resolve(artifactId + "-" + VERSION + ".jar");
  }

  private static Path fakeJdk(Path home, String version) throws IOException {
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return java;
  }

  private static Path location(Class<?> type) throws Exception {
    return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** The reactor hands tests either a module's jar or its class directory. */
  private static void copyOrJar(Path from, Path to) throws IOException {
    if (Files.isRegularFile(from)) {
      Files.copy(from, to);
      return;
    }
    try (OutputStream file = Files.newOutputStream(to);
        JarOutputStream jar = new JarOutputStream(file);
        Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        jar.putNextEntry(new ZipEntry(from.relativize(p).toString().replace('\\', '/')));
        Files.copy(p, jar);
        jar.closeEntry();
      }
    }
  }

  private static Map<String, Object> childDoctor(Path api, Path jdk, Path javaHome,
      String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", api + java.io.File.pathSeparator + jdk, Doctor.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("JAVA_HOME", javaHome.toString());
    Process p = builder.start();
    p.getOutputStream().close();
    String out;
    String err;
    try (InputStream o = p.getInputStream(); InputStream e = p.getErrorStream()) {
      out = new String(o.readAllBytes(), StandardCharsets.UTF_8);
      err = new String(e.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the doctor finished");
    assertEquals("", err);
    return DoctorTest.object(MiniJson.parse(out));
  }
}
