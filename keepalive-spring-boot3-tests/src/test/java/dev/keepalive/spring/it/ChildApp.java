package dev.keepalive.spring.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keepalive.contract.MiniJson;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Spring Boot application in a child JVM, on this test's class path less what a scenario leaves
 * out (the starter for a control run, Tomcat for a Netty or Jetty server): its own JVM, so every
 * connection it holds is the application's, and the two Boot lines never meet. Output goes to a
 * file; every wait is bounded; {@link #close()} stops it.
 */
final class ChildApp implements AutoCloseable {

  /** The starter's jars: left out for the control runs. */
  static final Predicate<String> STARTER = jar("/keepalive-spring-boot-starter/",
      "/keepalive-spring-boot-autoconfigure/", "/keepalive-spring-boot3/",
      "/keepalive-spring-boot4/", "/keepalive-micrometer/", "/keepalive-mysql/");
  /** Tomcat, left out so that a servlet application runs on Jetty, a reactive one on Netty. */
  static final Predicate<String> TOMCAT = jar("/tomcat-embed-", "spring-boot-starter-tomcat",
      "/spring-boot-tomcat/");
  /** Jetty. */
  static final Predicate<String> JETTY = jar("/org/eclipse/jetty/", "spring-boot-starter-jetty",
      "/spring-boot-jetty/");
  /** The data stores the MVC application does not use (Boot would configure them). */
  static final Predicate<String> DATA = jar("/HikariCP/", "/io/lettuce/", "/spring-data-redis/",
      "/org/postgresql/", "/org/mariadb/", "/mssql-jdbc/", "/mysql-connector-j/");

  private static final long START_SECONDS = 120;
  private static final Pattern READY = Pattern.compile("READY port=(\\d+) uptime=(\\d+) cpu=(\\d+)");

  private final Process process;
  private final Path log;
  private final HttpClient http;
  private int port;
  private long readyMillis;
  private long readyCpuMillis;

  private ChildApp(Process process, Path log) {
    this.process = process;
    this.log = log;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  static Predicate<String> jar(String... fragments) {
    return entry -> {
      String path = entry.replace(File.separatorChar, '/');
      return Arrays.stream(fragments).anyMatch(path::contains);
    };
  }

  /**
   * Starts {@code mainClass} and waits until it prints {@code READY port=N}.
   *
   * @param leaveOut class path entries left out
   * @param args the application's arguments ({@code --name=value})
   */
  static ChildApp start(Class<?> mainClass, Predicate<String> leaveOut, String... args)
      throws IOException, InterruptedException {
    ChildApp app = launch(mainClass, leaveOut, args);
    app.awaitReady();
    return app;
  }

  /** Starts {@code mainClass} without waiting: for an application that must fail. */
  static ChildApp launch(Class<?> mainClass, Predicate<String> leaveOut, String... args)
      throws IOException {
    String classPath = Arrays.stream(System.getProperty("java.class.path")
            .split(File.pathSeparator))
        .filter(leaveOut.negate()).collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs());
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass.getName());
    command.add("--spring.main.banner-mode=off");
    command.add("--server.address=127.0.0.1");
    command.add("--server.port=0");
    command.addAll(List.of(args));
    Path log = Files.createTempFile("keepalive-boot-app", ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(
            new File("/dev/null"))).start();
    return new ChildApp(process, log);
  }

  /** The JVM flags of every child: the test JVM's extra flags (JDK 24+), native access. */
  static List<String> jvmArgs() {
    List<String> args = new ArrayList<>(List.of("-Xmx384m", "-XX:TieredStopAtLevel=1",
        "--enable-native-access=ALL-UNNAMED"));
    String extra = System.getProperty("boot.jvm.args", "").trim();
    if (!extra.isEmpty()) {
      args.addAll(List.of(extra.split("\\s+")));
    }
    return args;
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
    while (System.nanoTime() - deadline < 0) {
      Matcher m = READY.matcher(output());
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
        readyMillis = Long.parseLong(m.group(2));
        readyCpuMillis = Long.parseLong(m.group(3));
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError("the application exited with " + process.exitValue()
            + " before it was ready:\n" + tail());
      }
      Thread.sleep(50);
    }
    close();
    throw new AssertionError("the application was not ready in " + START_SECONDS + " s:\n"
        + tail());
  }

  /** Waits for the application to exit on its own; its status. */
  int awaitExit() throws InterruptedException, IOException {
    if (!process.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
      close();
      throw new AssertionError("the application did not exit in " + START_SECONDS + " s:\n"
          + tail());
    }
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }

  int port() {
    return port;
  }

  /** The JVM's uptime when the application was ready: its start-up time, JVM start included. */
  long readyMillis() {
    return readyMillis;
  }

  /** The CPU time the JVM had used when the application was ready, every thread. */
  long readyCpuMillis() {
    return readyCpuMillis;
  }

  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  String tail() throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
  }

  /** GET {@code path} on the application; the body of a 200 response. */
  String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = getResponse(path);
    assertEquals(200, response.statusCode(), () -> "GET " + path + ": " + response.body()
        + "\n" + tailQuietly());
    return response.body();
  }

  HttpResponse<String> getResponse(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** GET {@code path} and parse the JSON. */
  @SuppressWarnings("unchecked")
  Map<String, Object> json(String path) throws IOException, InterruptedException {
    return (Map<String, Object>) MiniJson.parse(get(path));
  }

  private String tailQuietly() {
    try {
      return tail();
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
