package dev.keepalive.spring.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.contract.DocExamples;
import dev.keepalive.contract.DocExamples.Example;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code ```java} block of docs/spring-boot.md, compiled against this Boot line's class path
 * (the starter, Spring Boot, Micrometer, Lettuce, the HTTP clients), by {@link DocExamples}' rules.
 */
class SpringBootDocExamplesTest {

  private static List<Example> examples;
  private static Map<Example, List<String>> errors;

  @BeforeAll
  static void compile() throws Exception {
    examples = DocExamples.examples(DocExamples.root().resolve("docs/spring-boot.md"),
        DocExamples.IMPLICIT + "import dev.keepalive.spring.boot.*;\n"
            + "import dev.keepalive.micrometer.*;\n");
    errors = DocExamples.compile(examples, System.getProperty("java.class.path"));
  }

  @Test
  void theSpringBootDocHasExamplesToCompile() {
    assertTrue(examples.size() >= 3, "found only " + examples.size() + " ```java blocks");
  }

  @TestFactory
  Stream<DynamicTest> everyJavaBlockCompilesOn() {
    return examples.stream().map(e -> DynamicTest.dynamicTest(Line.NAME + " " + e.where(), () -> {
      List<String> found = errors.getOrDefault(e, List.of());
      assertTrue(found.isEmpty(), () -> String.join("\n", found) + "\n--- generated source:\n"
          + e.source());
    }));
  }
}
