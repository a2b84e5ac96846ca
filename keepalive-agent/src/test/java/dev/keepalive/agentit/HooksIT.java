package dev.keepalive.agentit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each hook, on each JDK line, in a child JVM started with the agent jar, read back from the
 * kernel (every field), beside a control run without the agent that shows what the same code gets
 * on its own. The policy differs in every field from every default: 61/11/4.
 */
class HooksIT {

  static final String POLICY = "idle=61s,interval=11s,probes=4";
  static final String APPLIED = "61/11/4";
  static final String OTHER = "idle=62s,interval=12s,probes=5";

  @TempDir
  Path dir;

  static List<Jdk> jdks() {
    return Jdk.all();
  }

  @BeforeAll
  static void kernel() {
    Kernel.assumeReadable();
  }

  private static Child agent(Jdk jdk, String... options) throws IOException {
    List<String> jvm = new ArrayList<>(Child.agent(POLICY));
    jvm.addAll(List.of(options));
    return Child.start(jdk, jvm);
  }

  private static Child control(Jdk jdk) throws IOException {
    return Child.start(jdk, List.of());
  }

  /** The child's connection made by {@code command PORT}, read back by its local port. */
  private static String connected(Child child, Peer peer, String command) throws IOException {
    String[] answer = child.ok(command + " " + peer.port()).split(" ");
    return Kernel.local(child, Integer.parseInt(answer[1]));
  }

  /** The connection the child's {@code kind} listener accepted from this JVM. */
  private static String accepted(Child child, Peer peer, String kind) throws IOException {
    String[] listener = child.ok("listen-" + kind).split(" ");
    int mine = peer.connect(Integer.parseInt(listener[1]));
    child.ok((kind.equals("adaptor") ? "accept-adaptor " : "accept ") + listener[0]);
    return Kernel.remote(child, mine);
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void everyConnectAndAcceptCarriesThePolicy(Jdk jdk) throws IOException {
    try (Peer peer = new Peer(); Child control = control(jdk); Child child = agent(jdk)) {
      for (String command : List.of("connect-socket", "connect-channel", "connect-async",
          "connect-adaptor")) {
        assertEquals("off", connected(control, peer, command), command + ", no agent");
        assertEquals(APPLIED, connected(child, peer, command), command + ", agent");
      }
      for (String kind : List.of("socket", "channel", "async")) {
        assertEquals("off", accepted(control, peer, kind), kind + " accepted, no agent");
        assertEquals(APPLIED, accepted(child, peer, kind), kind + " accepted, agent");
      }
      String[] listener = child.ok("listen-channel").split(" ");
      int mine = peer.connect(Integer.parseInt(listener[1]));
      child.ok("accept-adaptor " + listener[0]);
      assertEquals(APPLIED, Kernel.remote(child, mine), "ServerSocketChannel.socket().accept()");
      assertEquals("8", child.ok("mbean ConnectionsApplied"));
      assertEquals(List.of(), child.stderrBesidesInfo());
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void unixDomainAndUdpAreNeverTouched(Jdk jdk) throws IOException {
    try (Peer peer = new Peer(); Child child = agent(jdk)) {
      // UNIX-domain channels have no SO_KEEPALIVE: touching one would fail and be logged.
      assertEquals("false", child.ok("unix " + dir.resolve("s.sock")));
      child.ok("udp " + peer.port());
      assertEquals("0", child.ok("mbean ConnectionsApplied"));
      assertEquals("0", child.ok("mbean Refusals"));
      assertEquals(List.of(), child.stderrBesidesInfo());
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void aClientsLaterKeepaliveCallsAreIgnoredAndLoggedOncePerJvm(Jdk jdk) throws IOException {
    try (Peer peer = new Peer(); Child control = control(jdk); Child child = agent(jdk)) {
      // pgjdbc's default tcpKeepAlive=false: setKeepAlive(false) after connect.
      assertEquals("off", connected(control, peer, "pgjdbc"));
      assertEquals(APPLIED, connected(child, peer, "pgjdbc"));
      assertEquals(APPLIED, connected(child, peer, "pgjdbc"));
      // HttpClient 5's 5/5/3, set before connect; mssql-jdbc's 30/1/9 after it.
      assertEquals("5/5/3", connected(control, peer, "httpclient5"));
      assertEquals(APPLIED, connected(child, peer, "httpclient5"));
      assertEquals("30/1/9", connected(control, peer, "mssql"));
      assertEquals(APPLIED, connected(child, peer, "mssql"));
      // A channel and its Socket view pin too.
      String[] c = child.ok("connect-channel " + peer.port()).split(" ");
      child.ok("set-keepalive " + c[0] + " false");
      child.ok("set " + c[0] + " TCP_KEEPIDLE 5");
      child.ok("adaptor-keepalive " + c[0] + " false");
      assertEquals(APPLIED, Kernel.local(child, Integer.parseInt(c[1])));

      assertEquals("SO_KEEPALIVE=4,TCP_KEEPCNT=2,TCP_KEEPIDLE=3,TCP_KEEPINTVL=2,"
          + "TCP_USER_TIMEOUT=0", child.ok("mbean IgnoredOverridesByOption"));
      List<String> lines = child.stderrBesidesInfo().stream()
          .filter(l -> l.startsWith("WARNING: ")).collect(Collectors.toList());
      // One line per distinct override: pgjdbc's false twice and the channel's false are one.
      assertEquals(List.of(
          "WARNING: Ignored SO_KEEPALIVE=false set by " + Scenario.class.getName() + ".run on a"
              + " connection to " + "localhost/127.0.0.1:" + peer.port() + " (java.net.Socket):"
              + " keepalive-agent pins its keepalive to " + POLICY + " (keepalive.policy, agent"
              + " argument), so SO_KEEPALIVE stays true. To let clients' settings win, start the"
              + " agent with keepalive.pinned=false; to silence this, configure the client to"
              + " leave keepalive alone or to set the policy's values. Logged once per JVM for"
              + " this override."), lines.subList(0, 1));
      assertEquals(7, lines.size(), String.join("\n", lines));
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("WARNING: Ignored TCP_KEEPIDLE=5 set by "
          + Scenario.class.getName() + ".run, before it connected, on a connection to")), lines::toString);
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("WARNING: Ignored TCP_KEEPIDLE=30 set by "
          + Scenario.class.getName() + ".run on a connection to")), lines::toString);
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void notPinnedLetsClientsWin(Jdk jdk) throws IOException {
    try (Peer peer = new Peer(); Child child = agent(jdk, "-Dkeepalive.pinned=false")) {
      assertEquals(APPLIED, connected(child, peer, "connect-socket"));
      assertEquals("off", connected(child, peer, "pgjdbc"));
      assertEquals("5/5/3", connected(child, peer, "httpclient5"));
      assertEquals("30/1/9", connected(child, peer, "mssql"));
      assertEquals("0", child.ok("mbean IgnoredOverrides"));
      assertEquals(List.of(), child.stderrBesidesInfo());
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void theApplicationsOwnKeepaliveLibraryWins(Jdk jdk) throws IOException {
    try (Peer peer = new Peer(); Child child = agent(jdk)) {
      // Keepalive.apply before connect, and KeepaliveSocketFactory: the agent leaves them alone.
      String[] e = child.ok("explicit-before " + peer.port() + " " + OTHER).split(" ");
      assertEquals("62/12/5", Kernel.local(child, Integer.parseInt(e[1])));
      String[] f = child.ok("factory " + peer.port() + " " + OTHER).split(" ");
      assertEquals("62/12/5", Kernel.local(child, Integer.parseInt(f[1])));
      // Keepalive.apply on a connection the agent pinned: applied, and the socket is the
      // application's from then on (a client's later call goes through, as without the agent).
      String[] c = child.ok("connect-socket " + peer.port()).split(" ");
      assertEquals(APPLIED, Kernel.local(child, Integer.parseInt(c[1])));
      child.ok("apply " + c[0] + " " + OTHER);
      assertEquals("62/12/5", Kernel.local(child, Integer.parseInt(c[1])));
      child.ok("set-keepalive " + c[0] + " false");
      assertEquals("off", Kernel.local(child, Integer.parseInt(c[1])));
      assertEquals("0", child.ok("mbean IgnoredOverrides"));
      assertEquals(List.of(), child.stderrBesidesInfo());
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void rulesChooseByPortAndUnchangedLeavesAlone(Jdk jdk) throws IOException {
    int accepting = Peer.freePort();
    try (Peer peer = new Peer(); Peer other = new Peer();
        Child child = agent(jdk, "-Dkeepalive.policy.to." + peer.port() + "=" + OTHER,
            "-Dkeepalive.policy.to." + other.port() + "=unchanged",
            "-Dkeepalive.policy.accepted." + accepting + "=idle=63s,interval=13s,probes=6")) {
      assertEquals("62/12/5", connected(child, peer, "connect-socket"));
      assertEquals("62/12/5", connected(child, peer, "connect-channel"));
      assertEquals("off", connected(child, other, "connect-socket"));
      // unchanged means as the client makes it: pgjdbc's false and mssql's 30/1/9 stand.
      assertEquals("30/1/9", connected(child, other, "mssql"));
      String[] l = child.ok("listen-socket " + accepting).split(" ");
      int mine = peer.connect(accepting);
      child.ok("accept " + l[0]);
      assertEquals("63/13/6", Kernel.remote(child, mine));
      assertEquals(APPLIED, accepted(child, peer, "channel"));
      assertEquals(List.of("keepalive.policy.accepted." + accepting + "=1",
          "keepalive.policy.to." + other.port() + "=2", "keepalive.policy.to." + peer.port() + "=2",
          "keepalive.policy=1").stream().sorted().collect(Collectors.joining(",")),
          child.ok("mbean ConnectionsByRule"));
      assertEquals(List.of(), child.stderrBesidesInfo());
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void aHostPortRuleMatchesTheNameTheApplicationConnectedTo(Jdk jdk) throws IOException {
    try (Peer peer = new Peer();
        Child child = agent(jdk, "-Dkeepalive.policy.to.localhost:" + peer.port() + "=" + OTHER)) {
      String[] byName = child.ok("connect-socket-by-name localhost " + peer.port()).split(" ");
      assertEquals("62/12/5", Kernel.local(child, Integer.parseInt(byName[1])));
      // An address without the name: the default.
      assertEquals(APPLIED, connected(child, peer, "connect-socket-by-address"));
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void lenientSetsWhatItCanAndSaysWhatItCouldNot(Jdk jdk) throws IOException {
    // The JDK's sockets have no TCP_USER_TIMEOUT: lenient applies the rest, logs once, counts.
    try (Peer peer = new Peer(); Child child = Child.start(jdk,
        Child.agent(POLICY + ",user-timeout=30s"))) {
      assertEquals(APPLIED, connected(child, peer, "connect-socket"));
      assertEquals(APPLIED, connected(child, peer, "connect-channel"));
      assertEquals("SO_KEEPALIVE=0,TCP_KEEPCNT=0,TCP_KEEPIDLE=0,TCP_KEEPINTVL=0,"
          + "TCP_USER_TIMEOUT=2", child.ok("mbean RefusalsByOption"));
      List<String> lines = child.stderrBesidesInfo().stream()
          .filter(l -> l.startsWith("WARNING: ")).collect(Collectors.toList());
      assertEquals(2, lines.size(), lines::toString);
      assertTrue(lines.get(0).startsWith("WARNING: keepalive-agent could not set TCP_USER_TIMEOUT"
          + " of " + POLICY + ",user-timeout=30s (keepalive.policy, agent argument) on a"
          + " java.net.Socket connection to"), lines.get(0));
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void strictFailsTheConnectThatCannotTakeThePolicyAndLenientDoesNot(Jdk jdk)
      throws IOException {
    // A runtime without jdk.net (a jlink'd image) has no TCP_KEEPIDLE.
    List<String> noJdkNet = List.of("--limit-modules",
        "java.base,java.instrument,java.management,java.logging");
    List<String> strict = new ArrayList<>(Child.agent(POLICY));
    strict.add("-Dkeepalive.mode=strict");
    strict.addAll(noJdkNet);
    List<String> lenient = new ArrayList<>(Child.agent(POLICY));
    lenient.addAll(noJdkNet);
    try (Peer peer = new Peer(); Child s = Child.start(jdk, strict);
        Child l = Child.start(jdk, lenient)) {
      String failed = s.send("connect-socket " + peer.port());
      assertTrue(failed.startsWith("error dev.keepalive.agent.shaded.keepalive."
          + "UnsupportedKeepaliveOptionException: TCP_KEEPIDLE"), failed);
      assertEquals("1", s.ok("mbean Refusals"));
      String[] answer = l.ok("connect-socket " + peer.port()).split(" ");
      String fields = Kernel.local(l, Integer.parseInt(answer[1]));
      assertTrue(fields.matches("\\d+/\\d+/\\d+") && !fields.equals(APPLIED),
          "keepalive on with the namespace's defaults: " + fields);
    }
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void theMbeanAndTheVersionProperty(Jdk jdk) throws IOException {
    try (Peer peer = new Peer(); Child child = agent(jdk, "-Dkeepalive.policy.to.5432=unchanged")) {
      connected(child, peer, "connect-socket");
      assertTrue(child.ok("property keepalive.agent.version").matches("\\d+\\.\\d+\\.\\d+.*"));
      assertEquals(child.ok("property keepalive.agent.version"), child.ok("mbean Version"));
      assertEquals(POLICY, child.ok("mbean Policy"));
      assertEquals("keepalive.policy.to.5432=unchanged", child.ok("mbean Rules"));
      assertEquals("lenient", child.ok("mbean Mode"));
      assertEquals("true", child.ok("mbean Pinned"));
      assertEquals("1", child.ok("mbean ConnectionsApplied"));
      assertEquals("0", child.ok("mbean ConnectionsUnchanged"));
    }
  }
}
