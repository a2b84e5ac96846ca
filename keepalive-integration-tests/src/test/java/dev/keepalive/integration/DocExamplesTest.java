package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.contract.DocExamples;
import dev.keepalive.contract.DocExamples.Example;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code ```java} block of README.md and docs/*.md, compiled against this module's test class
 * path, which has every adapter and every client library the docs show; the rules are {@link
 * DocExamples}'s. docs/spring-boot.md is compiled by the Spring Boot test modules instead, against
 * each Boot line's class path.
 *
 * <p>Blocks that use {@code dev.keepalive.audit} compile only where that module is on the class
 * path (JDK 22+); elsewhere their test is skipped with the reason. What an example claims to print
 * is checked by the modules' own example tests; this test keeps every example compiling.
 */
class DocExamplesTest {

  /** Compiled elsewhere, against their own class paths. */
  private static final Set<String> ELSEWHERE = Set.of("spring-boot.md");

  private static final List<Example> EXAMPLES = new ArrayList<>();
  private static Map<Example, List<String>> errors;
  private static boolean auditPresent;

  static List<Path> documents() throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(DocExamples.root().resolve("README.md"));
    try (Stream<Path> s = Files.list(DocExamples.root().resolve("docs"))) {
      docs.addAll(s.filter(p -> p.toString().endsWith(".md"))
          .filter(p -> !ELSEWHERE.contains(p.getFileName().toString()))
          .sorted().collect(Collectors.toList()));
    }
    return docs;
  }

  @BeforeAll
  static void compileEveryExample() throws IOException {
    for (Path doc : documents()) {
      EXAMPLES.addAll(DocExamples.examples(doc, DocExamples.IMPLICIT));
    }
    auditPresent = DocExamples.auditPresent();
    errors = DocExamples.compile(EXAMPLES.stream().filter(e -> auditPresent || !e.needsAudit())
        .collect(Collectors.toList()), System.getProperty("java.class.path"));
  }

  @Test
  void theDocsHaveExamplesToCompile() {
    assertTrue(EXAMPLES.size() >= 10, "found only " + EXAMPLES.size() + " ```java blocks");
  }

  @TestFactory
  Stream<DynamicTest> everyJavaBlockCompiles() {
    return EXAMPLES.stream().map(e -> DynamicTest.dynamicTest(e.where(), () -> {
      Assumptions.assumeTrue(auditPresent || !e.needsAudit(), e.where()
          + " uses keepalive-audit, which needs Java 22+: compiled in the JDK 25 pass");
      List<String> found = errors.getOrDefault(e, List.of());
      assertTrue(found.isEmpty(), () -> String.join("\n", found) + "\n--- generated source:\n"
          + e.source());
    }));
  }
}
