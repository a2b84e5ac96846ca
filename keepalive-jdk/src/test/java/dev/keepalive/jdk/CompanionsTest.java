package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.jdk.internal.Companions;
import dev.keepalive.jdk.internal.Companions.Layout;
import dev.keepalive.jdk.internal.Companions.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the doctor finds keepalive-audit, keepalive-agent and a Java 22+ from keepalive-jdk's own
 * place, in each layout, on directories made to look like a build tree, a Maven repository and
 * JDK installations.
 */
class CompanionsTest {

  private static final String POM = "<project>\n  <parent>\n  </parent>\n"
      + "  <artifactId>keepalive-parent</artifactId>\n  <version>9.8.7-SNAPSHOT</version>\n</project>\n";

  @Test
  void aBuildTreesClassesFindTheSiblingModulesJars(@TempDir Path root) throws IOException {
    Files.writeString(root.resolve("pom.xml"), POM);
    Path classes = Files.createDirectories(root.resolve("keepalive-jdk/target/classes"));
    Companions.Home home = Companions.home(classes).orElseThrow();
    assertEquals(Layout.BUILD_TREE, home.layout());
    assertEquals("9.8.7-SNAPSHOT", home.version());
    assertEquals(root.resolve("keepalive-audit/target/keepalive-audit-9.8.7-SNAPSHOT.jar"),
        home.jar("keepalive-audit"));
    // No keepalive-agent module in this tree: say so rather than print a build that cannot work.
    assertEquals("this source tree has no keepalive-agent module (no "
        + root.resolve("keepalive-agent/pom.xml") + "): update it",
        home.howToGet("keepalive-agent", null));
    Files.createDirectories(root.resolve("keepalive-audit"));
    Files.writeString(root.resolve("keepalive-audit/pom.xml"), "<project/>");
    assertEquals("build it: cd " + root + " && JAVA_HOME=/opt/jdk-25 mvn -B -q -DskipTests -pl"
        + " keepalive-audit -am package", home.howToGet("keepalive-audit", "/opt/jdk-25"));
  }

  @Test
  void aBuildTreesJarNamesItsVersion(@TempDir Path root) throws IOException {
    Files.writeString(root.resolve("pom.xml"), POM);
    Path jar = Files.createDirectories(root.resolve("keepalive-jdk/target"))
        .resolve("keepalive-jdk-1.2.3.jar");
    Files.writeString(jar, "");
    Companions.Home home = Companions.home(jar).orElseThrow();
    assertEquals(Layout.BUILD_TREE, home.layout());
    assertEquals("1.2.3", home.version());
    assertEquals(root.resolve("keepalive-agent/target/keepalive-agent-1.2.3.jar"),
        home.jar("keepalive-agent"));
  }

  @Test
  void aMavenRepositoryFindsTheSiblingArtifact(@TempDir Path repo) throws IOException {
    Path dir = Files.createDirectories(repo.resolve("dev/keepalive/keepalive-jdk/0.1.0"));
    Path jar = Files.writeString(dir.resolve("keepalive-jdk-0.1.0.jar"), "");
    Companions.Home home = Companions.home(jar).orElseThrow();
    assertEquals(Layout.MAVEN_REPOSITORY, home.layout());
    assertEquals(repo.resolve("dev/keepalive/keepalive-audit/0.1.0/keepalive-audit-0.1.0.jar"),
        home.jar("keepalive-audit"));
    assertEquals("fetch it into this Maven repository: mvn -B dependency:get"
        + " -Dartifact=dev.keepalive:keepalive-agent:0.1.0", home.howToGet("keepalive-agent", null));
  }

  @Test
  void aDirectoryOfJarsLooksBesideIt(@TempDir Path lib) throws IOException {
    Path jar = Files.writeString(lib.resolve("keepalive-jdk-0.1.0.jar"), "");
    Companions.Home home = Companions.home(jar).orElseThrow();
    assertEquals(Layout.DIRECTORY, home.layout());
    assertEquals(lib.resolve("keepalive-agent-0.1.0.jar"), home.jar("keepalive-agent"));
    assertEquals("put keepalive-agent-0.1.0.jar beside keepalive-jdk-0.1.0.jar in " + lib,
        home.howToGet("keepalive-agent", null));
  }

  @Test
  void anythingElseIsNoLayout(@TempDir Path dir) throws IOException {
    assertFalse(Companions.home(Files.writeString(dir.resolve("app.jar"), "")).isPresent());
    assertFalse(Companions.home(Files.createDirectories(dir.resolve("classes"))).isPresent());
  }

  @Test
  void thisBuildIsABuildTree() {
    Companions.Home home = Companions.location(Doctor.class).flatMap(Companions::home)
        .orElseThrow();
    assertEquals(Layout.BUILD_TREE, home.layout());
    assertTrue(Files.isRegularFile(home.jar("keepalive-jdk").getParent().getParent()
        .resolve("pom.xml")), home.jar("keepalive-jdk").toString());
  }

  private static Path jdk(Path root, String name, String version) throws IOException {
    Path home = Files.createDirectories(root.resolve(name));
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version
        + "\"\nJAVA_VERSION_DATE=\"2026-04-21\"\n");
    Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return java;
  }

  @Test
  void findsTheNewestJdkOfTheFeatureAskedForUnderTheRoots(@TempDir Path jvm) throws IOException {
    jdk(jvm, "java-17-openjdk-amd64", "17.0.21.1");
    Path jdk22 = jdk(jvm, "jdk-22", "22");
    Path jdk25 = jdk(jvm, "temurin-25-jdk-amd64", "25.0.3");
    jdk(jvm, "jdk8", "1.8.0_392");
    Files.createDirectories(jvm.resolve("not-a-jdk"));
    Companions.Java self17 = Companions.Java.of(Path.of("/usr/lib/jvm/java-17/bin/java"), "17.0.21");
    Optional<Companions.Java> found = Companions.java(22, self17, List.of(jvm));
    assertEquals(jdk25, found.orElseThrow().executable());
    assertEquals("25.0.3", found.get().version());
    assertEquals(jvm.resolve("temurin-25-jdk-amd64"), found.get().home());
    assertEquals(jdk22, Companions.java(22, self17, List.of(jvm.resolve("jdk-22")))
        .orElseThrow().executable(), "a root may be a JDK itself ($JAVA_HOME)");
    assertFalse(Companions.java(26, self17, List.of(jvm)).isPresent());
  }

  @Test
  void thisJvmServesWhenItIsNewEnough() {
    Companions.Java self = Companions.thisJvm();
    assertEquals(Runtime.version().feature(), self.feature());
    assertEquals(self, Companions.java(self.feature(), self, List.of()).orElseThrow());
  }

  @Test
  void featureReadsEveryVersionForm() {
    assertEquals(25, Companions.feature("25.0.3"));
    assertEquals(17, Companions.feature("17.0.21.1"));
    assertEquals(22, Companions.feature("22"));
    assertEquals(8, Companions.feature("1.8.0_392"));
    assertEquals(23, Companions.feature("23-ea"));
    assertEquals(0, Companions.feature("unknown"));
  }

  @Test
  void rootsAreJavaHomeUsrLibJvmAndThisJvmsParent() {
    assertEquals(List.of(Path.of("/opt/java/jdk-25"), Path.of("/opt/java"), Path.of("/usr/lib/jvm"),
        Path.of("/srv/jvms")), Companions.jdkRoots("/opt/java/jdk-25", Path.of("/srv/jvms/jdk-17")));
    assertEquals(List.of(Path.of("/usr/lib/jvm")),
        Companions.jdkRoots(null, Path.of("/usr/lib/jvm/java-17")));
  }

  @Test
  void shellQuotesOnlyWhatNeedsIt() {
    assertEquals("/usr/lib/jvm/x/bin/java", Shell.quote("/usr/lib/jvm/x/bin/java"));
    assertEquals("-javaagent:/a/b.jar=idle=60s,interval=10s,probes=3",
        Shell.quote("-javaagent:/a/b.jar=idle=60s,interval=10s,probes=3"));
    assertEquals("'/home/me/my jars/a.jar'", Shell.quote("/home/me/my jars/a.jar"));
    assertEquals("'it'\\''s'", Shell.quote("it's"));
  }
}
