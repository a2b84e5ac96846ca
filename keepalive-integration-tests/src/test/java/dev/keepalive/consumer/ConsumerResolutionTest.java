package dev.keepalive.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The application's Netty wins: adding keepalive-netty to a build adds no Netty jar and changes no
 * Netty version, whether the build gets Netty 4.1 or 4.2, through a framework (Reactor Netty,
 * Lettuce) or declared directly, with or without a netty-bom, keepalive-netty declared first or
 * last. And the application's Spring Boot wins: adding keepalive-spring-boot-starter to a Spring
 * Boot 3.5 or 4.0 application (WebFlux, Tomcat, HikariCP, drivers, Lettuce, actuator, HttpClient 5)
 * adds keepalive's own jars and nothing else, every other artifact at the same version and scope.
 *
 * <p>The built keepalive artifacts (parent pom and every library module the consumers use) are
 * staged into a file:// repository under target/, under a version of this run's own, so nothing
 * this test resolves can be mistaken for the project's snapshots in the shared local repository;
 * the version is deleted from it afterwards. Each consumer is generated twice, without and with
 * keepalive-netty, as modules of one aggregator, and one {@code mvn dependency:list} resolves them
 * all (Maven Central is reachable in CI). A control consumer resolves a copy of keepalive-netty
 * whose Netty is compile-scoped, as it was before, and must show the difference: the test can fail.
 */
class ConsumerResolutionTest {

  private static final String NETTY_42 = "4.2.17.Final";
  private static final String NETTY_41 = "4.1.137.Final";
  private static final String DEPENDENCY_PLUGIN = "3.8.1";
  private static final long TIMEOUT_MINUTES = 8;

  /** Consumer name to its dependencies ("g:a:v[:classifier]", "KEEPALIVE" marks where it goes). */
  private static final Map<String, Consumer> CONSUMERS = new LinkedHashMap<>();

  private record Consumer(String bom, String keepalive, List<String> dependencies) {}

  private static void consumer(String name, String bom, String... dependencies) {
    CONSUMERS.put(name, new Consumer(bom, "keepalive-netty", List.of(dependencies)));
  }

  /** A Spring Boot application, with keepalive-spring-boot-starter where KEEPALIVE stands. */
  private static void bootConsumer(String name, String bootVersion, String... dependencies) {
    CONSUMERS.put(name, new Consumer("org.springframework.boot:spring-boot-dependencies:"
        + bootVersion, "keepalive-spring-boot-starter", List.of(dependencies)));
  }

  /** The modules staged for the consumers. */
  private static final List<String> STAGED = List.of("keepalive-api", "keepalive-jdk",
      "keepalive-netty", "keepalive-micrometer", "keepalive-mysql",
      "keepalive-spring-boot-autoconfigure", "keepalive-spring-boot3", "keepalive-spring-boot4",
      "keepalive-spring-boot-starter");

  static {
    String epoll = "io.netty:netty-transport-native-epoll:%s:linux-x86_64";
    consumer("netty42-direct-first", null, "KEEPALIVE", "io.netty:netty-transport:" + NETTY_42,
        String.format(Locale.ROOT, epoll, NETTY_42));
    consumer("netty42-direct-last", null, "io.netty:netty-transport:" + NETTY_42,
        String.format(Locale.ROOT, epoll, NETTY_42), "KEEPALIVE");
    consumer("netty41-direct-first", null, "KEEPALIVE", "io.netty:netty-transport:" + NETTY_41,
        String.format(Locale.ROOT, epoll, NETTY_41));
    consumer("netty42-bom", "io.netty:netty-bom:" + NETTY_42, "KEEPALIVE",
        "io.netty:netty-transport", "io.netty:netty-transport-classes-epoll",
        "io.netty:netty-transport-native-epoll::linux-x86_64");
    consumer("netty41-bom", "io.netty:netty-bom:" + NETTY_41, "io.netty:netty-transport",
        "io.netty:netty-transport-native-epoll::linux-x86_64", "KEEPALIVE");
    consumer("reactor-netty-1.3-first", null, "KEEPALIVE",
        "io.projectreactor.netty:reactor-netty-http:1.3.7");
    consumer("reactor-netty-1.2-last", null, "io.projectreactor.netty:reactor-netty-http:1.2.16",
        "KEEPALIVE");
    consumer("lettuce-first", null, "KEEPALIVE", "io.lettuce:lettuce-core:7.7.0.RELEASE");
    bootConsumer("boot35-webflux-data", "3.5.7", "KEEPALIVE",
        "org.springframework.boot:spring-boot-starter-webflux",
        "org.springframework.boot:spring-boot-starter-jdbc", "org.postgresql:postgresql",
        "com.mysql:mysql-connector-j", "org.springframework.boot:spring-boot-starter-data-redis",
        "org.springframework.boot:spring-boot-starter-actuator");
    bootConsumer("boot35-mvc-last", "3.5.7", "org.springframework.boot:spring-boot-starter-web",
        "org.apache.httpcomponents.client5:httpclient5",
        "org.springframework.boot:spring-boot-starter-actuator", "KEEPALIVE");
    bootConsumer("boot40-webflux-data", "4.0.7", "KEEPALIVE",
        "org.springframework.boot:spring-boot-starter-webflux",
        "org.springframework.boot:spring-boot-starter-webclient",
        "org.springframework.boot:spring-boot-starter-jdbc", "org.postgresql:postgresql",
        "org.mariadb.jdbc:mariadb-java-client",
        "org.springframework.boot:spring-boot-starter-data-redis",
        "org.springframework.boot:spring-boot-starter-actuator");
    bootConsumer("boot40-mvc-last", "4.0.7", "org.springframework.boot:spring-boot-starter-web",
        "org.springframework.boot:spring-boot-starter-restclient",
        "org.apache.httpcomponents.client5:httpclient5",
        "org.springframework.boot:spring-boot-starter-actuator", "KEEPALIVE");
  }

  private static final String CONTROL = "control-compile-scoped-netty";

  private static Path root;
  private static Path work;
  private static String version;
  private static String controlVersion;
  private static Map<String, List<String>> resolved;

  /** A module of the reactor has not been built: the tests cannot run, and skip saying so. */
  private static final class NotBuilt extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotBuilt(String message) {
      super(message);
    }
  }

  /** Set when the tests cannot run here: each is then a counted skip with it (see below). */
  private static String unavailable;

  @BeforeAll
  static void stageAndResolve() throws Exception {
    root = Path.of("").toAbsolutePath().getParent();
    if (!Files.isRegularFile(root.resolve("keepalive-netty/pom.xml"))) {
      // An assumption here would make Surefire report "Tests run: 0"; skipEachTest counts them.
      unavailable = "not run from the keepalive source tree (" + root + ")";
      return;
    }
    String projectVersion = projectVersion(Files.readString(root.resolve("pom.xml")));
    String run = UUID.randomUUID().toString().substring(0, 8);
    version = "0.0.0-consumertest-" + run;
    controlVersion = "0.0.0-consumertest-" + run + "-control";
    work = Files.createDirectories(Path.of("target", "consumer-resolution").toAbsolutePath());
    deleteTree(work);
    Path repo = Files.createDirectories(work.resolve("repository"));
    try {
      stage(repo, projectVersion, version, false);
      stage(repo, projectVersion, controlVersion, true);
    } catch (NotBuilt e) {
      unavailable = e.getMessage();
      return;
    }

    Path projects = Files.createDirectories(work.resolve("projects"));
    List<String> modules = new ArrayList<>();
    for (Map.Entry<String, Consumer> c : CONSUMERS.entrySet()) {
      for (String variant : List.of("without", "with")) {
        String name = c.getKey() + "-" + variant;
        writeConsumer(projects.resolve(name), name, c.getValue(), variant.equals("with") ? version
            : null, repo);
        modules.add(name);
      }
    }
    Consumer reactor = CONSUMERS.get("reactor-netty-1.3-first");
    writeConsumer(projects.resolve(CONTROL), CONTROL, reactor, controlVersion, repo);
    modules.add(CONTROL);
    Files.writeString(projects.resolve("pom.xml"), aggregator(modules));

    Path log = work.resolve("mvn.log");
    Process mvn = new ProcessBuilder(mavenCommand(), "-B", "-q", "-fae",
        "org.apache.maven.plugins:maven-dependency-plugin:" + DEPENDENCY_PLUGIN + ":list")
        .directory(projects.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(nullDevice())).start();
    if (!mvn.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      mvn.descendants().forEach(ProcessHandle::destroyForcibly);
      mvn.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError("mvn dependency:list did not finish within " + TIMEOUT_MINUTES
          + " min; see " + log);
    }
    assertEquals(0, mvn.exitValue(), () -> "mvn dependency:list failed:\n" + tail(log));

    resolved = new LinkedHashMap<>();
    for (String m : modules) {
      resolved.put(m, artifacts(projects.resolve(m).resolve("target/dependencies.txt")));
    }
  }

  @BeforeEach
  void skipEachTest() {
    assumeTrue(unavailable == null, () -> unavailable);
  }

  @AfterAll
  static void forgetTheStagedVersions() throws IOException {
    if (version == null) {
      return;
    }
    // dependency:list copied the staged artifacts into the local repository: they go again.
    Path local = localRepository().resolve("dev/keepalive");
    if (Files.isDirectory(local)) {
      try (Stream<Path> artifacts = Files.list(local)) {
        for (Path artifact : artifacts.toList()) {
          deleteTree(artifact.resolve(version));
          deleteTree(artifact.resolve(controlVersion));
          deleteIfEmpty(artifact);
        }
      }
      deleteIfEmpty(local);
    }
  }

  @Test
  void keepaliveNettyAddsNoNettyJarAndChangesNoNettyVersion() {
    List<String> differing = new ArrayList<>();
    for (String c : nettyConsumers()) {
      List<String> without = netty(resolved.get(c + "-without"));
      List<String> with = netty(resolved.get(c + "-with"));
      assertFalse(without.isEmpty(), () -> c + " resolves no Netty at all: " + resolved.get(c
          + "-without"));
      assertTrue(resolved.get(c + "-with").stream()
          .anyMatch(a -> a.startsWith("dev.keepalive:keepalive-netty:jar:" + version + ":")),
          () -> c + " did not resolve the staged keepalive-netty: " + resolved.get(c + "-with"));
      if (!without.equals(with)) {
        differing.add(c + ":\n  without " + without + "\n  with    " + with);
      }
    }
    assertEquals(List.of(), differing, "Netty artifacts (version and scope) changed by adding "
        + "keepalive-netty");
  }

  @Test
  void aNetty41ConsumerGetsNoNetty42Jar() {
    for (String c : List.of("netty41-direct-first", "netty41-bom", "reactor-netty-1.2-last")) {
      List<String> with = netty(resolved.get(c + "-with"));
      assertEquals(List.of(), with.stream().filter(a -> a.contains(":4.2.")).toList(), c);
      assertTrue(with.stream().anyMatch(a -> a.contains(":4.1.")), () -> c + ": " + with);
    }
  }

  @Test
  void withNettyBom42TheNativeEpollJarIsRuntimeScoped() {
    // netty-bom 4.2 manages the classified native jars with <scope>runtime</scope>: code that names
    // EpollSocketChannel needs netty-transport-classes-epoll declared for compiling.
    assertTrue(netty(resolved.get("netty42-bom-with")).contains(
        "io.netty:netty-transport-native-epoll:jar:linux-x86_64:" + NETTY_42 + ":runtime"),
        () -> netty(resolved.get("netty42-bom-with")).toString());
  }

  @Test
  void theControlWithCompileScopedNettyIsCaught() {
    // keepalive-netty as it was (Netty compile-scoped): the Reactor Netty 1.3 consumer then gets
    // keepalive's Netty version for the jars keepalive-netty names, beside Reactor's own.
    List<String> without = netty(resolved.get("reactor-netty-1.3-first-without"));
    List<String> control = netty(resolved.get(CONTROL));
    assertNotEquals(without, control, "the comparison cannot see a compile-scoped Netty");
  }

  @Test
  void theSpringBootStarterAddsKeepalivesJarsAndChangesNothingElse() {
    List<String> differing = new ArrayList<>();
    for (Map.Entry<String, Consumer> c : CONSUMERS.entrySet()) {
      if (!c.getValue().keepalive().equals("keepalive-spring-boot-starter")) {
        continue;
      }
      List<String> without = resolved.get(c.getKey() + "-without");
      List<String> with = resolved.get(c.getKey() + "-with");
      assertTrue(without.stream().anyMatch(a -> a.startsWith("io.netty:"))
          || without.stream().anyMatch(a -> a.startsWith("org.apache.tomcat.embed:")),
          () -> c.getKey() + " resolves no server at all: " + without);
      List<String> keepalive = with.stream().filter(a -> a.startsWith("dev.keepalive:"))
          .map(a -> a.split(":")[1]).sorted().toList();
      assertEquals(List.of("keepalive-api", "keepalive-jdk", "keepalive-micrometer",
          "keepalive-mysql", "keepalive-netty", "keepalive-spring-boot-autoconfigure",
          "keepalive-spring-boot-starter", "keepalive-spring-boot3", "keepalive-spring-boot4"),
          keepalive, c.getKey());
      List<String> others = with.stream().filter(a -> !a.startsWith("dev.keepalive:")).sorted()
          .toList();
      List<String> before = without.stream().sorted().toList();
      if (!others.equals(before)) {
        List<String> added = new ArrayList<>(others);
        added.removeAll(before);
        List<String> gone = new ArrayList<>(before);
        gone.removeAll(others);
        differing.add(c.getKey() + ": added " + added + ", gone " + gone);
      }
    }
    assertEquals(List.of(), differing, "artifacts (version and scope) changed by adding"
        + " keepalive-spring-boot-starter");
  }

  private static List<String> nettyConsumers() {
    return CONSUMERS.entrySet().stream()
        .filter(e -> e.getValue().keepalive().equals("keepalive-netty"))
        .map(Map.Entry::getKey).toList();
  }

  private static List<String> netty(List<String> artifacts) {
    return artifacts.stream().filter(a -> a.startsWith("io.netty")).sorted().toList();
  }

  /** "g:a:type[:classifier]:version:scope" per resolved artifact, as dependency:list writes it. */
  private static List<String> artifacts(Path listing) throws IOException {
    assertTrue(Files.isRegularFile(listing), () -> "no dependency listing at " + listing);
    return Files.readAllLines(listing).stream().map(String::strip)
        .filter(l -> l.matches("[\\w.\\-]+:[\\w.\\-]+:.*"))
        .map(l -> l.split("\\s+")[0]).collect(Collectors.toList());
  }

  private static String projectVersion(String rootPom) {
    Matcher m = Pattern.compile("<artifactId>keepalive-parent</artifactId>\\s*<version>([^<]+)"
        + "</version>").matcher(rootPom);
    assertTrue(m.find(), "no keepalive-parent version in the root pom");
    return m.group(1);
  }

  /**
   * The parent pom and each module's pom and jar under {@code stagedVersion}. A module that was
   * compiled but not packaged (a {@code mvn test} run) is staged as a jar of its classes: only the
   * pom matters for what resolves.
   */
  private static void stage(Path repo, String projectVersion, String stagedVersion,
      boolean compileScopedNetty) throws IOException {
    stagePom(repo, "keepalive-parent", stagedVersion,
        Files.readString(root.resolve("pom.xml")).replace(projectVersion, stagedVersion));
    for (String module : STAGED) {
      String pom = Files.readString(root.resolve(module).resolve("pom.xml"))
          .replace(projectVersion, stagedVersion);
      if (compileScopedNetty && module.equals("keepalive-netty")) {
        pom = pom.replace("<scope>provided</scope>", "");
      }
      Path dir = stagePom(repo, module, stagedVersion, pom);
      Path target = root.resolve(module).resolve("target");
      Path jar = target.resolve(module + "-" + projectVersion + ".jar");
      Path staged = dir.resolve(module + "-" + stagedVersion + ".jar");
      if (Files.isRegularFile(jar)) {
        Files.copy(jar, staged);
      } else {
        if (!Files.isDirectory(target.resolve("classes"))) {
          throw new NotBuilt(module + " is not built: run the reactor (mvn verify) first");
        }
        jar(target.resolve("classes"), staged);
      }
    }
  }

  private static Path stagePom(Path repo, String artifactId, String stagedVersion, String pom)
      throws IOException {
    Path dir = Files.createDirectories(repo.resolve("dev/keepalive").resolve(artifactId)
        .resolve(stagedVersion));
    Files.writeString(dir.resolve(artifactId + "-" + stagedVersion + ".pom"), pom);
    return dir;
  }

  private static void jar(Path classes, Path jar) throws IOException {
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream zip = new JarOutputStream(out);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        zip.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, zip);
        zip.closeEntry();
      }
    }
  }

  private static void writeConsumer(Path dir, String name, Consumer consumer, String keepalive,
      Path repo) throws IOException {
    StringBuilder deps = new StringBuilder();
    for (String d : consumer.dependencies()) {
      if (d.equals("KEEPALIVE")) {
        if (keepalive != null) {
          deps.append(dependency("dev.keepalive", consumer.keepalive(), keepalive, null));
        }
        continue;
      }
      String[] p = d.split(":", -1);
      deps.append(dependency(p[0], p[1], p.length > 2 && !p[2].isEmpty() ? p[2] : null,
          p.length > 3 ? p[3] : null));
    }
    String management = "";
    if (consumer.bom() != null) {
      String[] b = consumer.bom().split(":");
      management = "  <dependencyManagement>\n    <dependencies>\n      <dependency>\n"
          + "        <groupId>" + b[0] + "</groupId>\n        <artifactId>" + b[1]
          + "</artifactId>\n        <version>" + b[2] + "</version>\n        <type>pom</type>\n"
          + "        <scope>import</scope>\n      </dependency>\n    </dependencies>\n"
          + "  </dependencyManagement>\n";
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("pom.xml"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
        + "  <modelVersion>4.0.0</modelVersion>\n"
        + "  <groupId>consumer.test</groupId>\n"
        + "  <artifactId>" + name + "</artifactId>\n"
        + "  <version>1</version>\n"
        + "  <repositories>\n    <repository>\n      <id>keepalive-staged</id>\n"
        + "      <url>" + repo.toUri() + "</url>\n"
        + "      <releases><checksumPolicy>ignore</checksumPolicy></releases>\n"
        + "      <snapshots><enabled>false</enabled></snapshots>\n"
        + "    </repository>\n  </repositories>\n"
        + management
        + "  <dependencies>\n" + deps + "  </dependencies>\n"
        + "  <build>\n    <plugins>\n      <plugin>\n"
        + "        <groupId>org.apache.maven.plugins</groupId>\n"
        + "        <artifactId>maven-dependency-plugin</artifactId>\n"
        + "        <version>" + DEPENDENCY_PLUGIN + "</version>\n"
        + "        <configuration>\n"
        + "          <outputFile>${project.build.directory}/dependencies.txt</outputFile>\n"
        + "          <outputScope>true</outputScope>\n"
        + "        </configuration>\n      </plugin>\n    </plugins>\n  </build>\n"
        + "</project>\n", StandardCharsets.UTF_8);
  }

  private static String dependency(String group, String artifact, String version,
      String classifier) {
    return "    <dependency>\n      <groupId>" + group + "</groupId>\n      <artifactId>" + artifact
        + "</artifactId>\n" + (version != null ? "      <version>" + version + "</version>\n" : "")
        + (classifier != null ? "      <classifier>" + classifier + "</classifier>\n" : "")
        + "    </dependency>\n";
  }

  private static String aggregator(List<String> modules) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
        + "  <modelVersion>4.0.0</modelVersion>\n"
        + "  <groupId>consumer.test</groupId>\n  <artifactId>consumers</artifactId>\n"
        + "  <version>1</version>\n  <packaging>pom</packaging>\n  <modules>\n"
        + modules.stream().map(m -> "    <module>" + m + "</module>\n")
            .collect(Collectors.joining())
        + "  </modules>\n</project>\n";
  }

  /** The Maven running this build (maven.home is set by the launcher), else mvn on the PATH. */
  private static String mavenCommand() {
    String home = System.getProperty("maven.home");
    if (home != null) {
      Path mvn = Path.of(home, "bin", "mvn");
      if (Files.isExecutable(mvn)) {
        return mvn.toString();
      }
    }
    return "mvn";
  }

  private static Path localRepository() {
    String configured = System.getProperty("maven.repo.local");
    return configured != null ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".m2", "repository");
  }

  private static java.io.File nullDevice() {
    return new java.io.File("/dev/null");
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static void deleteIfEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isEmpty()) {
        Files.delete(dir);
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
