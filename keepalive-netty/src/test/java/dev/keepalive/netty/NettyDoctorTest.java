package dev.keepalive.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.contract.MiniJson;
import dev.keepalive.jdk.Doctor;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The doctor (keepalive-jdk) with keepalive-netty and Netty on the class path: it finds Netty's
 * transports through the ServiceLoader service keepalive-netty provides, checks each on a loopback
 * connection, and a user-timeout policy that epoll and io_uring take is no failure although the
 * JDK and NIO cannot take it. In-process, in a child JVM on the class path, and on the module
 * path. keepalive-netty41-tests runs the same on Netty 4.1.
 */
@Timeout(120)
class NettyDoctorTest {

  private static final String POLICY = "idle=61s,interval=11s,probes=4,user-timeout=5s";

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  private static Map<String, Object> doctorJson(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--json"));
    all.addAll(List.of(args));
    int status = Doctor.run(all.toArray(new String[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    Map<String, Object> doc = object(MiniJson.parse(out.toString(StandardCharsets.UTF_8)));
    assertEquals((long) status, doc.get("exitCode"));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
    return doc;
  }

  /** By name: each transport's entry in "transports", or its live check. */
  private static Map<String, Map<String, Object>> byName(List<Object> entries, String key) {
    Map<String, Map<String, Object>> by = new LinkedHashMap<>();
    for (Object e : entries) {
      by.put(object(e).get(key).toString(), object(e));
    }
    return by;
  }

  @Test
  void nettysTransportsAreFoundThroughTheService() {
    Map<String, Object> doc = doctorJson();
    assertEquals(List.of("JDK Socket", "JDK SocketChannel", "Netty NIO", "Netty epoll",
        NettyLine.IO_URING_NAME), new ArrayList<>(byName(list(doc.get("transports")), "name")
            .keySet()));
    String provider = list(doc.get("providers")).get(1).toString();
    assertTrue(provider.startsWith("keepalive-netty with Netty " + NettyLine.NAME + "."), provider);
    assertEquals(List.of(), doc.get("notes"));
    Map<String, Object> nio = byName(list(doc.get("transports")), "name").get("Netty NIO");
    assertEquals(true, nio.get("available"));
    Map<String, Object> ut = object(object(nio.get("options")).get("TCP_USER_TIMEOUT"));
    assertEquals(false, ut.get("supported"));
    assertTrue(ut.get("reason").toString().contains("use the epoll or io_uring transport"), ut.toString());
  }

  @Test
  void epollTakesAUserTimeoutPolicyTheJdkCannotSoItIsNoFailure() {
    TestTransport.EPOLL.requireAvailable();
    Map<String, Object> doc = doctorJson("--policy", POLICY);
    assertEquals(0L, doc.get("exitCode"));
    assertEquals("PARTIAL", doc.get("verdict"));
    Map<String, Object> epoll = byName(list(doc.get("transports")), "name").get("Netty epoll");
    assertEquals(true, object(object(epoll.get("options")).get("TCP_USER_TIMEOUT"))
        .get("supported"));
    Map<String, Object> policy = object(doc.get("policy"));
    assertTrue(list(policy.get("takenBy")).contains("Netty epoll"), policy.toString());
    Map<String, Map<String, Object>> checks = byName(list(policy.get("liveChecks")), "transport");
    Map<String, Object> check = checks.get("Netty epoll");
    assertEquals("TAKES", check.get("verdict"), check.toString());
    Map<String, Map<String, Object>> options = byName(list(check.get("options")), "option");
    assertEquals("5000ms", options.get("TCP_USER_TIMEOUT").get("actual"));
    assertEquals("61s", options.get("TCP_KEEPIDLE").get("actual"));
    assertEquals("11s", options.get("TCP_KEEPINTERVAL").get("actual"));
    assertEquals("4", options.get("TCP_KEEPCOUNT").get("actual"));
    assertEquals("on", options.get("SO_KEEPALIVE").get("actual"));
    for (String cannot : List.of("JDK Socket", "JDK SocketChannel", "Netty NIO")) {
      assertEquals("CANNOT", checks.get(cannot).get("verdict"), cannot);
      assertTrue(checks.get(cannot).get("reason").toString().startsWith(
          "cannot set TCP_USER_TIMEOUT: "), checks.get(cannot).toString());
    }
  }

  @Test
  void ioUringTakesAUserTimeoutPolicy() {
    TestTransport.IO_URING.requireAvailable();
    Map<String, Object> policy = object(doctorJson("--policy", POLICY).get("policy"));
    Map<String, Object> check = byName(list(policy.get("liveChecks")), "transport")
        .get(NettyLine.IO_URING_NAME);
    assertEquals("TAKES", check.get("verdict"), check.toString());
    assertEquals("5000ms", byName(list(check.get("options")), "option").get("TCP_USER_TIMEOUT")
        .get("actual"));
  }

  @Test
  void aPolicyWithoutUserTimeoutIsTakenByEveryTransport() {
    Map<String, Object> doc = doctorJson("--policy", "idle=61s,interval=11s,probes=4");
    Map<String, Object> policy = object(doc.get("policy"));
    assertEquals("OK", policy.get("verdict"), policy.toString());
    List<Object> available = new ArrayList<>();
    for (Object t : list(doc.get("transports"))) {
      if (Boolean.TRUE.equals(object(t).get("available"))) {
        available.add(object(t).get("name"));
      }
    }
    assertEquals(available, policy.get("takenBy"));
  }

  @Test
  void onTheClassPathAChildJvmFindsNettyAndSaysOk() throws Exception {
    TestTransport.EPOLL.requireAvailable();
    List<String> command = new ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), Doctor.class.getName(), "--policy", POLICY));
    String out = run(command);
    assertTrue(out.contains("    Netty epoll: takes it\n"
        + "      ✓ TCP_KEEPIDLE      61s        read back 61s\n"
        + "      ✓ TCP_KEEPINTERVAL  11s        read back 11s\n"
        + "      ✓ TCP_KEEPCOUNT     4          read back 4\n"
        + "      ✓ TCP_USER_TIMEOUT  5000ms     read back 5000ms\n"
        + "      ✓ SO_KEEPALIVE      on         read back on\n"), out);
    assertTrue(out.contains("    Netty NIO: cannot take it (TCP_USER_TIMEOUT: see ✗ below)\n"), out);
    assertTrue(out.contains("\nResult: OK on Netty epoll"), out);
    assertTrue(out.endsWith("; JDK Socket, JDK SocketChannel, Netty NIO cannot take the policy (see"
        + " ✗ above)\n"), out);
  }

  /**
   * On the module path keepalive-netty's {@code provides} and keepalive-jdk's {@code uses} do the
   * work: service binding resolves dev.keepalive.netty although nothing requires it.
   */
  @Test
  void onTheModulePathServiceBindingBringsNettysTransports() throws Exception {
    TestTransport.EPOLL.requireAvailable();
    List<String> modulePath = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Paths.get(entry).getFileName().toString();
      // The library modules and Netty's transport jars; no test code, no JUnit.
      if (entry.endsWith(Paths.get("keepalive-netty", "target", "classes").toString())
          || name.startsWith("keepalive-api") || name.startsWith("keepalive-jdk-") && !name.contains("tests")
          || entry.endsWith(Paths.get("keepalive-jdk", "target", "classes").toString())
          || entry.endsWith(Paths.get("keepalive-api", "target", "classes").toString())
          || name.startsWith("keepalive-netty-")
          || name.startsWith("netty-") && !name.contains("incubator")) {
        modulePath.add(entry);
      }
    }
    // epoll is "requires static" in dev.keepalive.netty: the application adds it, classes and
    // native library (its own module, whose name differs per line and architecture).
    List<String> epoll = new ArrayList<>();
    for (java.lang.module.ModuleReference m : java.lang.module.ModuleFinder.of(modulePath.stream()
        .map(Paths::get).toArray(Path[]::new)).findAll()) {
      if (m.descriptor().name().contains("epoll")) {
        epoll.add(m.descriptor().name());
      }
    }
    String out = run(List.of(java(), "--enable-native-access=ALL-UNNAMED",
        "-p", String.join(File.pathSeparator, modulePath),
        "--add-modules", String.join(",", epoll),
        "-m", "dev.keepalive.jdk/" + Doctor.class.getName(), "--policy", POLICY));
    assertTrue(out.contains("  from keepalive-netty with Netty "), out);
    assertTrue(out.contains("    Netty epoll: takes it\n"), out);
    assertTrue(out.contains("\nResult: OK on Netty epoll"), out);
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the doctor finished");
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
