package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.Platform;
import dev.keepalive.contract.MiniJson;
import dev.keepalive.internal.cli.DoctorTransports;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The doctor's verdict over several transports, with transports that differ from the JDK's in one
 * way each ({@link FakeDoctorTransports}): a policy some transport takes in full is not a failure,
 * one no transport takes is, and so is one a transport claims to set but reads back otherwise.
 * keepalive-netty's tests do the same with Netty's real transports.
 */
@Timeout(60)
class DoctorTransportsTest {

  private static final String USER_TIMEOUT_POLICY = "idle=61s,interval=11s,probes=4,user-timeout=5s";

  private static DoctorTest.Run doctor(List<DoctorTransports> extra, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Doctor.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), extra);
    return new DoctorTest.Run(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private static Map<String, Object> json(DoctorTest.Run run) {
    return DoctorTest.object(MiniJson.parse(run.out()));
  }

  @Test
  void aPolicyOneTransportTakesInFullIsOkAndNamesWhoCannot() {
    Assumptions.assumeTrue(Platform.current() == Platform.LINUX, "Linux takes a user timeout");
    List<DoctorTransports> extra = List.of(new FakeDoctorTransports(
        FakeDoctorTransports.USER_TIMEOUT));
    DoctorTest.Run run = doctor(extra, "--policy", USER_TIMEOUT_POLICY);
    assertEquals(Doctor.OK, run.status(), run.out());
    assertTrue(run.out().contains("    Socket with a user timeout: takes it\n"
        + "      ✓ TCP_KEEPIDLE      61s        read back 61s\n"
        + "      ✓ TCP_KEEPINTERVAL  11s        read back 11s\n"
        + "      ✓ TCP_KEEPCOUNT     4          read back 4\n"
        + "      ✓ TCP_USER_TIMEOUT  5000ms     read back 5000ms\n"
        + "      ✓ SO_KEEPALIVE      on         read back on\n"), run.out());
    assertTrue(run.out().contains("    JDK Socket: cannot take it (TCP_USER_TIMEOUT: see ✗ below)\n"),
        run.out());
    assertTrue(run.out().endsWith("\nResult: OK on Socket with a user timeout; JDK Socket, JDK"
        + " SocketChannel cannot take the policy (see ✗ above)\n"), run.out());

    Map<String, Object> doc = json(doctor(extra, "--json", "--policy", USER_TIMEOUT_POLICY));
    assertEquals("PARTIAL", doc.get("verdict"));
    assertEquals(true, doc.get("ok"));
    assertEquals(0L, doc.get("exitCode"));
    Map<String, Object> policy = DoctorTest.object(doc.get("policy"));
    assertEquals("PARTIAL", policy.get("verdict"));
    assertEquals(List.of("Socket with a user timeout"), policy.get("takenBy"));
    List<Object> notTaken = DoctorTest.list(policy.get("notTakenBy"));
    assertEquals(2, notTaken.size());
    assertEquals("JDK Socket", DoctorTest.object(notTaken.get(0)).get("transport"));
    assertTrue(DoctorTest.object(notTaken.get(0)).get("reason").toString()
        .startsWith("cannot set TCP_USER_TIMEOUT: the JDK has no TCP_USER_TIMEOUT"), notTaken.toString());
  }

  @Test
  void aTransportThatReadsBackAnotherValueFailsThePolicy() {
    List<DoctorTransports> extra = List.of(new FakeDoctorTransports(FakeDoctorTransports.LYING));
    DoctorTest.Run run = doctor(extra, "--policy", "idle=61s,interval=11s,probes=4");
    assertEquals(Doctor.POLICY_FAILED, run.status(), run.out());
    assertTrue(run.out().contains("    Lying socket: FAILED (did not apply: TCP_KEEPIDLE read back"
        + " 62s, not 61s)\n      ✗ TCP_KEEPIDLE      61s        read back 62s\n"), run.out());
    assertTrue(run.out().contains("    JDK Socket: takes it\n"), run.out());
    assertTrue(run.out().endsWith("\nResult: FAILED (the policy did not apply on Lying socket; see ✗"
        + " above)\n"), run.out());
    Map<String, Object> doc = json(doctor(extra, "--json", "--policy", "idle=61s,interval=11s,probes=4"));
    assertEquals("FAILED", doc.get("verdict"));
    assertEquals(1L, doc.get("exitCode"));
  }

  @Test
  void aTransportNotHereIsListedWithTheReasonAndNotChecked() {
    List<DoctorTransports> extra = List.of(new FakeDoctorTransports(FakeDoctorTransports.ABSENT));
    DoctorTest.Run run = doctor(extra, "--policy", "idle=61s,interval=11s,probes=4");
    assertEquals(Doctor.OK, run.status(), run.out());
    assertTrue(run.out().contains("  – Absent transport: not here: not on the class path: add"
        + " fake-native.jar\n"), run.out());
    assertFalse(run.out().contains("    Absent transport:"), "no live check: " + run.out());
    Map<String, Object> absent = DoctorTest.object(DoctorTest.list(json(doctor(extra, "--json"))
        .get("transports")).get(2));
    assertEquals("Absent transport", absent.get("name"));
    assertEquals(false, absent.get("available"));
    assertEquals("not on the class path: add fake-native.jar", absent.get("unavailable"));
  }

  @Test
  void aBrokenProviderIsANoteNotACrash() {
    List<DoctorTransports> extra = List.of(new FakeDoctorTransports(FakeDoctorTransports.BROKEN));
    DoctorTest.Run run = doctor(extra);
    assertEquals(Doctor.OK, run.status(), run.out());
    assertTrue(run.out().contains("  dev.keepalive.jdk.FakeDoctorTransports:"
        + " java.lang.IllegalStateException: this provider is broken\n"), run.out());
  }

  /**
   * keepalive-jdk finds other modules' transports with ServiceLoader alone: a child JVM on the
   * class path, with a META-INF/services file naming the fake provider, shows its transport.
   */
  @Test
  void otherModulesTransportsAreFoundWithServiceLoader(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Platform.current() == Platform.LINUX, "Linux takes a user timeout");
    Path services = Files.createDirectories(dir.resolve("META-INF/services"));
    Files.writeString(services.resolve(DoctorTransports.class.getName()),
        FakeDoctorTransports.class.getName() + "\n");
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dfake.transports=" + FakeDoctorTransports.USER_TIMEOUT,
        "-cp", System.getProperty("java.class.path") + java.io.File.pathSeparator + dir,
        Doctor.class.getName(), "--policy", USER_TIMEOUT_POLICY));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the doctor finished");
    assertEquals(Doctor.OK, p.exitValue(), out);
    assertTrue(out.contains("  from fake transports [user-timeout]\n"), out);
    assertTrue(out.contains("    Socket with a user timeout: takes it\n"), out);
    assertTrue(out.endsWith("\nResult: OK on Socket with a user timeout; JDK Socket, JDK"
        + " SocketChannel cannot take the policy (see ✗ above)\n"), out);
  }
}
