package dev.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The BOM lists every published module, at the build's version, and nothing else: also the
 * modules that only a JDK 22+ build makes (keepalive-audit, listed in a profile's modules), and
 * keepalive-agent, a published jar without a module descriptor (a -javaagent is always loaded from
 * the class path). A module is published unless its POM skips deployment (the test and benchmark
 * modules).
 */
class BomTest {

  @Test
  void bomListsEveryLibraryModuleAtTheBuildVersion() throws Exception {
    Path root = Path.of("").toAbsolutePath().getParent();
    String parent = Files.readString(root.resolve("pom.xml"));
    String bom = Files.readString(root.resolve("keepalive-bom/pom.xml"));
    Set<String> libraries = new TreeSet<>();
    Matcher m = Pattern.compile("<module>(keepalive-[a-z]+)</module>").matcher(parent);
    while (m.find()) {
      String pom = Files.readString(root.resolve(m.group(1)).resolve("pom.xml"));
      if (!m.group(1).equals("keepalive-bom")
          && !pom.contains("<maven.deploy.skip>true</maven.deploy.skip>")) {
        libraries.add(m.group(1));
      }
    }
    Set<String> listed = new TreeSet<>();
    Matcher a = Pattern.compile("<artifactId>(keepalive-[a-z]+)</artifactId>").matcher(bom);
    while (a.find()) {
      listed.add(a.group(1));
    }
    listed.remove("keepalive-bom");
    assertTrue(libraries.contains("keepalive-api"), libraries.toString());
    assertTrue(listed.containsAll(libraries), "BOM " + listed + " lacks one of " + libraries);
    Matcher v = Pattern.compile("<artifactId>keepalive-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(parent);
    assertTrue(v.find());
    assertTrue(bom.contains("<artifactId>keepalive-bom</artifactId>\n  <version>" + v.group(1)
        + "</version>"), "BOM version differs from " + v.group(1));
    assertTrue(libraries.contains("keepalive-audit"), libraries.toString());
    assertTrue(libraries.contains("keepalive-agent"), libraries.toString());
    assertEquals(libraries, listed, "BOM lists a module the build does not publish");
  }
}
