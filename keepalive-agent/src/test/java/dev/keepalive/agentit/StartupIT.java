package dev.keepalive.agentit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Start-up as users run it: the argument, a file, the environment, and the refusals. */
class StartupIT {

  static final String POLICY = HooksIT.POLICY;

  @TempDir
  Path dir;

  static List<Jdk> jdks() {
    return Jdk.all();
  }

  private static Child stopped(Jdk jdk, List<String> options, Map<String, String> env)
      throws IOException, InterruptedException {
    Child child = Child.launch(jdk, options, env, Scenario.class.getName());
    int status = child.exitStatus();
    assertEquals(78, status, () -> "exit status" + child.diagnostics());
    return child;
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void aBadSettingStopsTheJvmBeforeMainWithOneLine(Jdk jdk) throws Exception {
    try (Child child = stopped(jdk, Child.agent("idle=0s,interval=11s,probes=4"), Map.of())) {
      List<String> lines = child.stderr().lines().toList();
      assertEquals(1, lines.size(), child::diagnostics);
      assertTrue(lines.get(0).startsWith("keepalive-agent: cannot start: keepalive.policy=idle=0s,"
          + "interval=11s,probes=4 (agent argument) is not a keepalive policy this platform can"
          + " take: "), lines.get(0));
      assertFalse(child.stderr().contains("FATAL") || child.stderr().contains("\tat "));
    }
    List<String> typo = new ArrayList<>(Child.agent(POLICY));
    typo.add("-Dkeepalive.policy.too.5432=unchanged");
    try (Child child = stopped(jdk, typo, Map.of())) {
      assertEquals(List.of("keepalive-agent: cannot start: keepalive.policy.too.5432 (system"
          + " property) is not a keepalive-agent setting: rules are keepalive.policy.to.PORT,"
          + " keepalive.policy.to.HOST:PORT, keepalive.policy.to.CIDR and"
          + " keepalive.policy.accepted.PORT"), child.stderr().lines().toList());
    }
    // The control: the same JVM without the setting starts.
    try (Child child = Child.start(jdk, Child.agent(POLICY))) {
      assertEquals("null", child.ok("property keepalive.policy"));
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void theInfoLineNamesThePolicyTheRulesTheModeAndPinning(Jdk jdk) throws Exception {
    List<String> options = new ArrayList<>(Child.agent(POLICY));
    options.addAll(List.of("-Dkeepalive.policy.to.5432=unchanged", "-Dkeepalive.mode=strict"));
    try (Child child = Child.start(jdk, options)) {
      String version = child.ok("property keepalive.agent.version");
      List<String> lines = child.stderr().lines().toList();
      assertEquals(1, lines.size(), child::diagnostics);
      assertTrue(lines.get(0).matches("keepalive-agent " + version.replace(".", "\\.")
          + " INFO: started in \\d+ ms: policy idle=61s,interval=11s,probes=4 \\(agent argument\\);"
          + " rules: keepalive\\.policy\\.to\\.5432=unchanged; mode strict; pinned \\(clients'"
          + " later keepalive calls are ignored\\)"), lines.get(0));
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void javaToolOptionsStartsItForEveryJvmOfAContainer(Jdk jdk) throws Exception {
    Kernel.assumeReadable();
    String options = "-javaagent:" + Child.AGENT + "=" + POLICY;
    try (Peer peer = new Peer();
        Child child = Child.start(jdk, List.of(), Map.of("JAVA_TOOL_OPTIONS", options),
            Scenario.class.getName())) {
      String[] answer = child.ok("connect-socket " + peer.port()).split(" ");
      assertEquals(HooksIT.APPLIED, Kernel.local(child, Integer.parseInt(answer[1])));
      List<String> lines = child.stderr().lines().toList();
      assertEquals("Picked up JAVA_TOOL_OPTIONS: " + options, lines.get(0));
      assertEquals(2, lines.size(), child::diagnostics);
    }
    try (Child child = stopped(jdk, List.of(), Map.of("JAVA_TOOL_OPTIONS",
        "-javaagent:" + Child.AGENT + "=idle=61s"))) {
      List<String> lines = child.stderr().lines().toList();
      assertEquals(2, lines.size(), child::diagnostics);
      assertTrue(lines.get(1).startsWith("keepalive-agent: cannot start: keepalive.policy=idle=61s"
          + " (agent argument) is not a keepalive policy"), lines.get(1));
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void aFileOrTheEnvironmentGiveTheSettings(Jdk jdk) throws Exception {
    Kernel.assumeReadable();
    try (Peer peer = new Peer(); Peer other = new Peer()) {
      Path file = dir.resolve("keepalive.properties");
      Files.writeString(file, String.join("\n",
          "# the agent's settings",
          "keepalive.policy = " + POLICY,
          "keepalive.policy.to.localhost\\:" + other.port() + " = " + HooksIT.OTHER,
          ""), StandardCharsets.UTF_8);
      try (Child child = Child.start(jdk, Child.agent("file=" + file))) {
        String[] a = child.ok("connect-socket " + peer.port()).split(" ");
        assertEquals(HooksIT.APPLIED, Kernel.local(child, Integer.parseInt(a[1])));
        String[] b = child.ok("connect-socket-by-name localhost " + other.port()).split(" ");
        assertEquals("62/12/5", Kernel.local(child, Integer.parseInt(b[1])));
      }
      try (Child child = Child.start(jdk, Child.agent(""), Map.of("KEEPALIVE_POLICY", POLICY),
          Scenario.class.getName())) {
        String[] a = child.ok("connect-socket " + peer.port()).split(" ");
        assertEquals(HooksIT.APPLIED, Kernel.local(child, Integer.parseInt(a[1])));
        assertTrue(child.stderr().contains("(environment variable KEEPALIVE_POLICY)"));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void jmxIsLoadedOnlyWhenSomethingAsksForThePlatformMbeanServer(Jdk jdk) throws Exception {
    try (Peer peer = new Peer()) {
      Path quiet = dir.resolve("quiet.log");
      try (Child child = Child.start(jdk, with(Child.agent(POLICY),
          "-Xlog:class+load:file=" + quiet))) {
        child.ok("connect-socket " + peer.port());
      }
      assertFalse(Files.readString(quiet).contains("javax.management."),
          "a JVM that never asks for JMX loads none of it");
      Path asked = dir.resolve("asked.log");
      try (Child child = Child.start(jdk, with(Child.agent(POLICY),
          "-Xlog:class+load:file=" + asked))) {
        child.ok("connect-socket " + peer.port());
        assertEquals("1", child.ok("mbean ConnectionsApplied"));
      }
      assertTrue(Files.readString(asked).contains("javax.management."));
    }
  }

  private static List<String> with(List<String> options, String... more) {
    List<String> all = new ArrayList<>(options);
    all.addAll(List.of(more));
    return all;
  }
}
