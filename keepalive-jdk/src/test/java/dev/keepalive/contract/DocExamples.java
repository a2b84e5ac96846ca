package dev.keepalive.contract;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The {@code ```java} blocks of the project's Markdown, compiled the one way every docs test does
 * it (keepalive-integration-tests' DocExamplesTest for README.md and docs/, the Spring Boot test
 * modules for docs/spring-boot.md, each against its own class path). The rules, for doc writers:
 *
 * <ul>
 *   <li>A block's leading {@code import} lines are its imports; the test names further implicit
 *       imports (always {@code java.time.Duration}, {@code dev.keepalive.*}, {@code
 *       dev.keepalive.jdk.*} and {@code dev.keepalive.netty.*}).
 *   <li>After them, a block that starts with a type declaration is compiled as a compilation unit.
 *   <li>Any other block is the body of {@code void example(...) throws Exception}; the variables it
 *       uses without declaring come from an HTML comment on the line before the fence: {@code
 *       <!-- given: Socket socket, ServerBootstrap bootstrap -->}.
 *   <li>A block that must not compile uses another fence ({@code text}, {@code console}, …).
 * </ul>
 */
public final class DocExamples {

  /** The imports every block has. */
  public static final String IMPLICIT = "import java.time.Duration;\n"
      + "import dev.keepalive.*;\nimport dev.keepalive.jdk.*;\nimport dev.keepalive.netty.*;\n";

  private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?[\\w.]+(\\.\\*)?;\\s*$");
  private static final Pattern TYPE = Pattern.compile(
      "^(@\\w+.*|((public|final|abstract|sealed|static)\\s+)*(class|interface|record|enum)\\s+\\w+.*)$");
  private static final Pattern TYPE_NAME = Pattern.compile("\\b(class|interface|record|enum)\\s+(\\w+)");
  private static final Pattern GIVEN = Pattern.compile("^<!--\\s*given:\\s*(.*?)\\s*-->\\s*$");

  /** One block: where it is, and the source made of it. */
  public record Example(String where, String pkg, String fileName, String source, int firstLine,
      boolean needsAudit) {}

  private DocExamples() {}

  /** The repository's root: the working directory or its parent, whichever has README.md. */
  public static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("README.md")) ? here : here.getParent();
  }

  /**
   * The blocks of one document.
   *
   * @param doc the Markdown file, under {@link #root()}
   * @param implicit the imports every block gets
   * @return the blocks, in document order
   */
  public static List<Example> examples(Path doc, String implicit) throws IOException {
    List<String> lines = Files.readAllLines(doc);
    List<Example> found = new ArrayList<>();
    String name = root().relativize(doc.toAbsolutePath()).toString();
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
      if (end >= lines.size()) {
        throw new AssertionError(name + ":" + (i + 1) + ": unclosed ```java block");
      }
      found.add(example(name, found.size() + 1, lines.subList(start, end), start + 1, given,
          implicit));
      i = end;
    }
    return found;
  }

  static Example example(String doc, int n, List<String> block, int firstLine, String given,
      String implicit) {
    StringBuilder imports = new StringBuilder(implicit);
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

  /** Whether keepalive-audit (Java 22+) is on this class path. */
  public static boolean auditPresent() {
    try {
      Class.forName("dev.keepalive.audit.KeepaliveAudit");
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Compiles {@code examples} together against {@code classPath}.
   *
   * @param examples the blocks
   * @param classPath the class path
   * @return each block with errors, and its errors at their document lines
   */
  public static Map<Example, List<String>> compile(List<Example> examples, String classPath)
      throws IOException {
    Map<Example, List<String>> errors = new LinkedHashMap<>();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Path out = Files.createTempDirectory("doc-examples");
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
        null)) {
      Map<JavaFileObject, Example> sources = new LinkedHashMap<>();
      for (Example e : examples) {
        sources.put(new Source(e), e);
      }
      StringWriter log = new StringWriter();
      javac.getTask(log, files, diagnostics, List.of("-proc:none", "-d", out.toString(),
          "-classpath", classPath), null, sources.keySet()).call();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() != Diagnostic.Kind.ERROR) {
          continue;
        }
        Example e = sources.get(d.getSource());
        String where = e == null ? "?" : e.where().replaceAll(":\\d+$", "") + ":"
            + (e.firstLine() + d.getLineNumber() - 1);
        errors.computeIfAbsent(e, k -> new ArrayList<>()).add(where + ": "
            + d.getMessage(Locale.ROOT));
      }
    } finally {
      try (Stream<Path> walk = Files.walk(out)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return errors;
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
