package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code ```java} block of README.md and docs/*.md, compiled against this module's test class
 * path, which has every adapter and every client library the docs show. The rules, for doc writers:
 *
 * <ul>
 *   <li>A block's leading {@code import} lines are its imports; {@code java.time.Duration}, {@code
 *       dev.keepalive.*}, {@code dev.keepalive.jdk.*} and {@code dev.keepalive.netty.*} are always
 *       imported.
 *   <li>After them, a block that starts with a type declaration is compiled as a compilation unit.
 *   <li>Any other block is the body of {@code void example(...) throws Exception}; the variables it
 *       uses without declaring come from an HTML comment on the line before the fence: {@code
 *       <!-- given: Socket socket, ServerBootstrap bootstrap -->}.
 *   <li>A block that must not compile uses another fence ({@code text}, {@code console}, …).
 * </ul>
 *
 * <p>Blocks that use {@code dev.keepalive.audit} compile only where that module is on the class
 * path (JDK 22+); elsewhere their test is skipped with the reason. What an example claims to print
 * is checked by the modules' own example tests; this test keeps every example compiling.
 */
class DocExamplesTest {

  private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?[\\w.]+(\\.\\*)?;\\s*$");
  private static final Pattern TYPE = Pattern.compile(
      "^(@\\w+.*|((public|final|abstract|sealed|static)\\s+)*(class|interface|record|enum)\\s+\\w+.*)$");
  private static final Pattern TYPE_NAME = Pattern.compile("\\b(class|interface|record|enum)\\s+(\\w+)");
  private static final Pattern GIVEN = Pattern.compile("^<!--\\s*given:\\s*(.*?)\\s*-->\\s*$");
  private static final String IMPLICIT = "import java.time.Duration;\n"
      + "import dev.keepalive.*;\nimport dev.keepalive.jdk.*;\nimport dev.keepalive.netty.*;\n";

  /** One block: where it is, and the source made of it. */
  record Example(String where, String pkg, String fileName, String source, int firstLine,
      boolean needsAudit) {}

  private static final List<Example> EXAMPLES = new ArrayList<>();
  private static final Map<Example, List<String>> ERRORS = new LinkedHashMap<>();
  private static boolean auditPresent;

  static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("README.md")) ? here : here.getParent();
  }

  static List<Path> documents() throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(root().resolve("README.md"));
    try (Stream<Path> s = Files.list(root().resolve("docs"))) {
      docs.addAll(s.filter(p -> p.toString().endsWith(".md")).sorted().collect(Collectors.toList()));
    }
    return docs;
  }

  static List<Example> examples(Path doc) throws IOException {
    List<String> lines = Files.readAllLines(doc);
    List<Example> found = new ArrayList<>();
    String name = root().relativize(doc).toString();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).trim().equals("```java")) {
        continue;
      }
      String given = "";
      if (i > 0) {
        Matcher g = GIVEN.matcher(lines.get(i - 1).trim());
        if (g.matches()) {
          given = g.group(1);
        }
      }
      int start = i + 1;
      int end = start;
      while (end < lines.size() && !lines.get(end).trim().equals("```")) {
        end++;
      }
      assertTrue(end < lines.size(), name + ":" + (i + 1) + ": unclosed ```java block");
      found.add(example(name, found.size() + 1, lines.subList(start, end), start + 1, given));
      i = end;
    }
    return found;
  }

  static Example example(String doc, int n, List<String> block, int firstLine, String given) {
    StringBuilder imports = new StringBuilder(IMPLICIT);
    int body = 0;
    while (body < block.size() && (block.get(body).isBlank()
        || IMPORT.matcher(block.get(body).trim()).matches())) {
      imports.append(block.get(body)).append('\n');
      body++;
    }
    List<String> code = block.subList(body, block.size());
    String first = code.stream().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("//"))
        .findFirst().orElse("");
    String pkg = "docs." + doc.replaceAll("[^A-Za-z0-9]", "_").toLowerCase(Locale.ROOT) + ".ex" + n;
    String text = String.join("\n", code);
    boolean audit = (imports + text).contains("dev.keepalive.audit");
    // Each block's first line sits at a known line of the generated file, so javac's line numbers
    // map back to the document.
    String header = "package " + pkg + ";\n" + imports;
    if (TYPE.matcher(first).matches()) {
      Matcher t = TYPE_NAME.matcher(text);
      String type = t.find() ? t.group(2) : "Example";
      return new Example(doc + ":" + firstLine, pkg, type, header + text + "\n",
          firstLine - body - lines(header) + 1, audit);
    }
    String open = "class Example {\n  void example(" + given + ") throws Exception {\n";
    return new Example(doc + ":" + firstLine, pkg, "Example",
        header + open + text + "\n  }\n}\n", firstLine - body - lines(header + open) + 1, audit);
  }

  private static int lines(String s) {
    return (int) s.chars().filter(c -> c == '\n').count() + 1;
  }

  @BeforeAll
  static void compileEveryExample() throws IOException {
    for (Path doc : documents()) {
      EXAMPLES.addAll(examples(doc));
    }
    try {
      Class.forName("dev.keepalive.audit.KeepaliveAudit");
      auditPresent = true;
    } catch (ClassNotFoundException e) {
      auditPresent = false;
    }
    List<Example> compiled = EXAMPLES.stream().filter(e -> auditPresent || !e.needsAudit())
        .collect(Collectors.toList());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Path out = Files.createTempDirectory("doc-examples");
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
        null)) {
      Map<JavaFileObject, Example> sources = new LinkedHashMap<>();
      for (Example e : compiled) {
        sources.put(new Source(e), e);
      }
      StringWriter log = new StringWriter();
      javac.getTask(log, files, diagnostics, List.of("-proc:none", "-d", out.toString(),
          "-classpath", System.getProperty("java.class.path")), null, sources.keySet()).call();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() != Diagnostic.Kind.ERROR) {
          continue;
        }
        Example e = sources.get(d.getSource());
        String where = e == null ? "?" : e.where().replaceAll(":\\d+$", "") + ":"
            + (e.firstLine() + d.getLineNumber() - 1);
        ERRORS.computeIfAbsent(e, k -> new ArrayList<>()).add(where + ": "
            + d.getMessage(Locale.ROOT));
      }
    } finally {
      try (Stream<Path> walk = Files.walk(out)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
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
      List<String> errors = ERRORS.getOrDefault(e, List.of());
      assertTrue(errors.isEmpty(), () -> String.join("\n", errors) + "\n--- generated source:\n"
          + e.source());
    }));
  }

  /** An example's generated source, in memory. */
  private static final class Source extends SimpleJavaFileObject {
    private final Example example;

    Source(Example example) {
      super(URI.create("string:///" + example.pkg().replace('.', '/') + "/" + example.fileName()
          + ".java"), Kind.SOURCE);
      this.example = example;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return example.source();
    }
  }
}
