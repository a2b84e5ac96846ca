package dev.keepalive.contract;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * For a module whose tests use keepalive-audit (Java 22+, java.lang.foreign): on a JDK older than
 * 22 the pom's testExcludes leave those sources out, and each module's {@code
 * LeftOutBeforeJava22Test} turns every one of them into a counted JUnit skip with the reason and how
 * to run it, rather than a test that silently does not exist.
 */
public final class LeftOutBeforeJava22 {

  private LeftOutBeforeJava22() {}

  /**
   * The module's test sources a glob of its pom's testExcludes matches.
   *
   * @param glob e.g. {@code glob:**}{@code /AuditProof*Test.java}
   * @return their paths below {@code src/test/java}, sorted
   * @throws IOException if the sources cannot be listed
   */
  public static List<String> sources(String glob) throws IOException {
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher(glob);
    Path sources = Path.of("src", "test", "java");
    try (Stream<Path> all = Files.walk(sources)) {
      List<String> found = all.filter(p -> matcher.matches(sources.relativize(p)))
          .map(p -> sources.relativize(p).toString()).sorted().collect(Collectors.toList());
      assertFalse(found.isEmpty(), "no test source matches " + glob + " in " + sources
          .toAbsolutePath() + ": update the module's LeftOutBeforeJava22Test and its pom's"
          + " testExcludes");
      return found;
    }
  }

  /**
   * Skips, with the reason, unless this JVM is Java 22+.
   *
   * @param source the left-out test source
   */
  public static void requireJava22(String source) {
    assumeTrue(Runtime.version().feature() >= 22, () -> source + " uses keepalive-audit, which"
        + " needs Java 22+; this build runs on Java " + Runtime.version() + ": build with a JDK"
        + " 22+ (JAVA_HOME=/path/to/jdk-22+ mvn -B verify) to run it");
  }
}
