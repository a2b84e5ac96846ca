package dev.keepalive.kernel;

import dev.keepalive.contract.LeftOutBeforeJava22;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On a JDK older than 22 this module does not compile the tests that use keepalive-audit (Java 22+,
 * java.lang.foreign): the pom's testExcludes leave out the sources the pattern below matches. Each
 * of them is a counted JUnit skip here, with the reason and how to run it, rather than a test that
 * silently does not exist. Compiled only before Java 22: the jdk22-audit profile compiles the tests themselves and
 * leaves this one out.
 */
class LeftOutBeforeJava22Test {

  static List<String> leftOut() throws IOException {
    // The pattern of the pom's testExcludes.
    return LeftOutBeforeJava22.sources("glob:**/AuditProof*Test.java");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("leftOut")
  void needsJava22(String source) {
    LeftOutBeforeJava22.requireJava22(source);
  }
}
