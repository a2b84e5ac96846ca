package dev.keepalive.benchmarks;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On a JDK older than 22 this module does not compile the tests that use keepalive-audit (Java 22+,
 * java.lang.foreign): the pom's testExcludes leave out the sources {@link #LEFT_OUT} matches. Each
 * of them is a counted JUnit skip here, with the reason and how to run it, rather than a test that
 * silently does not exist. Compiled only before Java 22: the jdk22-audit profile compiles the tests themselves and
 * leaves this one out.
 */
class LeftOutBeforeJava22Test {

  /** The pattern of the pom's testExcludes, matched against this module's test sources. */
  private static final String LEFT_OUT = "glob:**/AuditScale*Test.java";

  static List<String> leftOut() throws IOException {
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher(LEFT_OUT);
    Path sources = Path.of("src", "test", "java");
    try (Stream<Path> all = Files.walk(sources)) {
      List<String> found = all.filter(p -> matcher.matches(sources.relativize(p)))
          .map(p -> sources.relativize(p).toString()).sorted().collect(Collectors.toList());
      assertFalse(found.isEmpty(), "no test source matches " + LEFT_OUT + " in " + sources
          .toAbsolutePath() + ": update this class and the pom's testExcludes");
      return found;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("leftOut")
  void needsJava22(String source) {
    assumeTrue(Runtime.version().feature() >= 22, () -> source + " uses keepalive-audit, which"
        + " needs Java 22+; this build runs on Java " + Runtime.version() + ": build with a JDK"
        + " 22+ (JAVA_HOME=/path/to/jdk-22+ mvn -B verify) to run it");
  }
}
