package dev.keepalive.agentit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code java -jar keepalive-agent.jar attach PID SETTINGS} on a JVM started without the agent:
 * connections opened afterwards carry the policy; attaching again replaces it.
 */
class AttachIT {

  static List<Jdk> jdks() {
    return Jdk.all();
  }

  @BeforeAll
  static void kernel() {
    Kernel.assumeReadable();
  }

  /** Runs the attach command with {@code jdk}'s java: its exit status, then its output. */
  private static List<String> attach(Jdk jdk, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-jar",
        Child.AGENT.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("attach did not end in 60 s: " + out);
    }
    List<String> result = new ArrayList<>();
    result.add(Integer.toString(p.exitValue()));
    result.addAll(out.lines().toList());
    return result;
  }

  private static String connect(Child child, Peer peer) throws IOException {
    String[] a = child.ok("connect-socket " + peer.port()).split(" ");
    return Kernel.local(child, Integer.parseInt(a[1]));
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void attachGivesConnectionsOpenedFromThenOnThePolicy(Jdk jdk) throws Exception {
    List<String> options = jdk.feature() >= 21 ? List.of("-XX:+EnableDynamicAgentLoading")
        : List.of();
    try (Peer peer = new Peer(); Child child = Child.start(jdk, options)) {
      assertEquals("off", connect(child, peer));
      List<String> out = attach(jdk, "attach", Long.toString(child.pid()), HooksIT.POLICY);
      assertEquals("0", out.get(0), out::toString);
      assertTrue(out.get(1).matches("keepalive-agent \\S+ attached to " + child.pid()
          + " \\(Java " + jdk.feature() + "\\): connections it opens or accepts from now on"
          + " carry " + HooksIT.POLICY), out.get(1));
      if (jdk.feature() >= 21) {
        assertEquals("Java " + jdk.feature() + " runs with -XX:+EnableDynamicAgentLoading: no"
            + " warning about the dynamically loaded agent (JEP 451).", out.get(3));
      }
      assertEquals(HooksIT.APPLIED, connect(child, peer));
      // Attaching again replaces the settings; the hooks stay as they are.
      out = attach(jdk, "attach", Long.toString(child.pid()), HooksIT.OTHER);
      assertEquals("0", out.get(0), out::toString);
      assertTrue(out.get(1).contains("was running in " + child.pid()), out.get(1));
      assertEquals("62/12/5", connect(child, peer));
      List<String> lines = child.stderr().lines().toList();
      assertEquals(2, lines.size(), child::diagnostics);
      assertTrue(lines.get(0).contains(" INFO: attached in "), lines.get(0));
      assertTrue(lines.get(1).contains(" INFO: settings replaced in "), lines.get(1));
    }
  }

  /** JEP 451 is JDK 21+. */
  static List<Jdk> jdk21AndLater() {
    return Jdk.all().stream().filter(j -> j.feature() >= 21).toList();
  }

  @ParameterizedTest(allowZeroInvocations = true)
  @MethodSource("jdk21AndLater")
  void withoutTheFlagJdk21AndLaterWarnAndTheCommandSaysSo(Jdk jdk) throws Exception {
    try (Child child = Child.start(jdk, List.of())) {
      List<String> out = attach(jdk, "attach", Long.toString(child.pid()), HooksIT.POLICY);
      assertEquals("0", out.get(0), out::toString);
      assertEquals("Java " + jdk.feature() + " runs without -XX:+EnableDynamicAgentLoading, so it"
          + " printed a warning about a dynamically loaded agent on its stderr (JEP 451); start"
          + " it with -XX:+EnableDynamicAgentLoading, or with -javaagent:, to avoid it.",
          out.get(3));
      assertTrue(child.stderr().contains("WARNING: A Java agent has been loaded dynamically"),
          child::diagnostics);
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void badSettingsAreRefusedBeforeAnythingIsAttached(Jdk jdk) throws Exception {
    try (Child child = Child.start(jdk, List.of())) {
      List<String> out = attach(jdk, "attach", Long.toString(child.pid()), "idle=61s");
      assertEquals("2", out.get(0));
      assertTrue(out.get(1).startsWith("keepalive-agent: keepalive.policy=idle=61s (agent"
          + " argument) is not a keepalive policy"), out.get(1));
      assertTrue(out.get(1).endsWith("(try --help)"), out.get(1));
      assertEquals("null", child.ok("property keepalive.agent.version"));
      assertEquals(List.of(), child.stderr().lines().toList());
    }
    List<String> usage = attach(jdk, "attach");
    assertEquals(List.of("2", "keepalive-agent: attach needs a PID and the settings (try --help)"),
        usage);
  }
}
