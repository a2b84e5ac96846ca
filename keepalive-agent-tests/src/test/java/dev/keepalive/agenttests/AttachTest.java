package dev.keepalive.agenttests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code java -jar keepalive-agent.jar attach PID POLICY} on an application started without the
 * agent: the JDK's HttpClient connection it opened before stays as it was (off: open connections
 * are keepalive-audit --apply's business), the one it opens after carries the policy. On JDK 21+
 * the application prints JEP 451's warning unless it was started with
 * {@code -XX:+EnableDynamicAgentLoading}; JDK 17 never does.
 */
@Timeout(180)
class AttachTest {

  static final String DYNAMIC_AGENT_WARNING = "WARNING: A Java agent has been loaded dynamically";

  static Stream<Arguments> targets() {
    return Stream.of(
        Arguments.of(Jdk.JDK17, false),
        Arguments.of(Jdk.JDK25, true),
        Arguments.of(Jdk.JDK25, false));
  }

  @ParameterizedTest(name = "{0}, EnableDynamicAgentLoading={1}")
  @MethodSource("targets")
  void connectionsOpenedAfterAttachCarryThePolicy(Jdk jdk, boolean enableDynamicAgentLoading)
      throws Exception {
    Optional<String> noJdk = jdk.unavailable();
    assumeTrue(noJdk.isEmpty(), noJdk::get);
    Optional<String> noReader = Readback.unavailable();
    assumeTrue(noReader.isEmpty(), noReader::get);
    HttpServer before = Servers.okServer();
    HttpServer after = Servers.okServer();
    ChildJvm.Spec spec = ChildJvm.on(jdk).label("attach target on " + jdk);
    if (enableDynamicAgentLoading) {
      spec.jvmArgs("-XX:+EnableDynamicAgentLoading");
    }
    try (ClientApp app = new ClientApp(spec.start())) {
      app.open("httpclient", before.getAddress().getPort());
      assertEquals(ClientsTestBase.OFF, app.connectionTo(before.getAddress().getPort()),
          app::diagnostics);

      String output = attach(jdk, app.child.pid(), ClientsTestBase.POLICY.toString());

      app.open("httpclient", after.getAddress().getPort());
      assertEquals(ClientsTestBase.WITH_POLICY, app.connectionTo(after.getAddress().getPort()),
          () -> "attach said: " + output + app.diagnostics());
      assertEquals(ClientsTestBase.OFF, app.connectionTo(before.getAddress().getPort()),
          () -> "the connection open before attach" + app.diagnostics());

      long pid = app.child.pid();
      assertTrue(output.startsWith("keepalive-agent ") && output.contains(" attached to " + pid
          + " (Java " + jdk.feature() + "): connections it opens or accepts from now on carry "
          + ClientsTestBase.POLICY + "\n"), output);

      // The target's standard error: JEP 451's warning where the JVM prints it, then the agent's
      // INFO line, and nothing else.
      List<String> lines = app.child.stderrLines();
      boolean warns = jdk.feature() >= 21 && !enableDynamicAgentLoading;
      List<String> warning = lines.stream().filter(l -> l.startsWith("WARNING: ")).toList();
      assertEquals(warns, warning.stream().anyMatch(l -> l.startsWith(DYNAMIC_AGENT_WARNING)),
          () -> "JEP 451's warning" + app.diagnostics());
      List<String> agentLines = lines.stream().filter(l -> !l.startsWith("WARNING: ")).toList();
      assertEquals(1, agentLines.size(), app::diagnostics);
      assertTrue(agentLines.get(0).startsWith("keepalive-agent ")
          && agentLines.get(0).contains(" INFO: attached in ")
          && agentLines.get(0).contains(": policy " + ClientsTestBase.POLICY), app::diagnostics);
      assertEquals(warns, !warning.isEmpty(), app::diagnostics);
      // And the attach command said so.
      if (jdk.feature() >= 21) {
        assertTrue(output.contains(warns ? "runs without -XX:+EnableDynamicAgentLoading, so it"
            + " printed a warning" : "runs with -XX:+EnableDynamicAgentLoading: no warning"),
            output);
      }
    } finally {
      before.stop(0);
      after.stop(0);
    }
  }

  /** Runs the attach command with the target's JDK; it must succeed. */
  private static String attach(Jdk jdk, long pid, String policy)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-jar",
        ChildJvm.agentJar().toString(), "attach", Long.toString(pid), policy));
    Path log = Files.createTempFile("keepalive-attach", ".log");
    String output;
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      boolean finished = p.waitFor(ChildJvm.STEP.toSeconds(), TimeUnit.SECONDS);
      output = Files.readString(log, StandardCharsets.UTF_8);
      if (!finished) {
        throw new AssertionError(command + " did not finish in " + ChildJvm.STEP.toSeconds()
            + " s: " + output);
      }
    } finally {
      p.destroyForcibly();
      Files.delete(log);
    }
    assertEquals(0, p.exitValue(), () -> command + " said: " + output);
    return output;
  }
}
