package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.contract.MiniJson;
import dev.keepalive.internal.cli.Text;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.KernelDefaults;
import dev.keepalive.Middlebox;
import dev.keepalive.Platform;
import dev.keepalive.PlatformLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The doctor's output, text and JSON, and its exit codes 0, 1 and 2. */
@Timeout(60)
class DoctorTest {

  /** One run: exit status, stdout, stderr. */
  record Run(int status, String out, String err) {}

  static Run doctor(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Doctor.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  static Map<String, Object> json(Run run) {
    return object(MiniJson.parse(run.out()));
  }

  @Test
  void helpPrintsUsageAndExitsZero() {
    Run run = doctor("--help");
    assertEquals(Doctor.OK, run.status());
    assertTrue(run.out().startsWith("Usage: keepalive-doctor [--policy POLICY] [--middlebox"
        + " NAME[=TIMEOUT]]... [--json] [--help]"), run.out());
    assertTrue(run.out().contains("Exit status: 0 all well (with a policy: at least one transport"
        + " takes it in full), 1 the\npolicy is invalid, no transport takes it, or one failed to, 2"
        + " bad usage."), run.out());
    assertEquals("", run.err());
  }

  @Test
  void withoutPolicyDescribesSystemOptionsAndKernelDefaults() {
    Run run = doctor();
    assertEquals(Doctor.OK, run.status(), run.out());
    assertTrue(run.out().contains("OS       " + System.getProperty("os.name") + ", kernel "
        + System.getProperty("os.version")), run.out());
    assertTrue(run.out().contains(System.getProperty("java.runtime.version")), run.out());
    assertTrue(run.out().contains("\nKeepalive options each transport can set (✓ yes, ✗ no)\n"
        + "                      JDK Socket  JDK SocketChannel\n"), run.out());
    assertTrue(run.out().contains("  TCP_KEEPIDLE        ✓           ✓\n"), run.out());
    assertTrue(run.out().contains("  TCP_USER_TIMEOUT    ✗           ✗\n"), run.out());
    assertTrue(run.out().contains("  ✗ TCP_USER_TIMEOUT on JDK Socket, JDK SocketChannel: the JDK"
        + " has no TCP_USER_TIMEOUT socket option"), run.out());
    // keepalive-jdk's tests have no Netty: the doctor says what it would examine with it.
    assertTrue(run.out().contains("  keepalive-netty is not on the class path: with it (and Netty)"
        + " the doctor also examines Netty NIO, epoll and io_uring\n"), run.out());
    assertTrue(run.out().endsWith("\nResult: OK\n"), run.out());
    assertEquals("", run.err());
  }

  @Test
  void aConfiguredMiddleboxReplacesThePresets() {
    Assumptions.assumeTrue(Platform.current() == Platform.LINUX, "reads Linux's namespace defaults");
    String policy = "idle=400s,interval=30s,probes=3";
    Run nlb600 = doctor("--middlebox", "AWS_NLB=600s", "--policy", policy);
    assertEquals(Doctor.OK, nlb600.status(), nlb600.out());
    String section = nlb600.out().substring(nlb600.out().indexOf("Policy \""));
    assertTrue(section.contains("  ✓ keeps an idle flow through AWS Network Load Balancer (600 s)\n"),
        section);
    assertFalse(section.contains("Azure"), "only the middlebox given is checked: " + section);

    Run nlb350 = doctor("--json", "--middlebox", "aws-nlb", "--middlebox", "AZURE_LB=30m",
        "--policy", policy);
    Map<String, Object> doc = json(nlb350);
    assertEquals(List.of("AWS_NLB=350s", "AZURE_LB=1800s"), doc.get("middleboxes"));
    List<Object> warnings = list(object(doc.get("policy")).get("middleboxWarnings"));
    assertEquals(1, warnings.size(), warnings.toString());
    assertEquals("AWS_NLB=350s", object(warnings.get(0)).get("configured"));
    assertEquals("idle=175s,interval=35s,probes=5", object(warnings.get(0)).get("suggestedPolicy"));

    Run shorter = doctor("--middlebox", "AZURE_LB=5m", "--policy", policy);
    assertTrue(shorter.out().contains("  ! Azure Load Balancer drops a flow idle for 300 s (5 min) as"
        + " configured: the idle of 400 s is not shorter\n"
        + "      keepingAliveThrough(Middlebox.AZURE_LB.withIdleTimeout(Duration.ofSeconds(300)))"
        + " = idle=150s,interval=30s,probes=5\n"), shorter.out());
  }

  @Test
  void aMiddleboxOutsideItsRangeIsAUsageError() {
    Run run = doctor("--middlebox", "AWS_NLB=2h");
    assertEquals(Doctor.USAGE, run.status());
    assertEquals("", run.out());
    assertEquals("keepalive-doctor: --middlebox: idleTimeout of AWS Network Load Balancer must be"
        + " from 60 s to 6000 s (the listener attribute tcp.idle_timeout.seconds), was PT2H (try"
        + " --help)\n", run.err());
    assertEquals("keepalive-doctor: --middlebox: middlebox must be one of AWS_NLB, AWS_NAT_GATEWAY,"
        + " AZURE_LB, GCP_VPC_FIREWALL, GCP_CLOUD_NAT, DOCKER_SWARM_IPVS, optionally with =TIMEOUT"
        + " (AWS_NLB=600s), was 'ELB' (try --help)\n", doctor("--middlebox", "ELB").err());
  }

  @Test
  void kernelDefaultsShowDeadlineTimelineAndMiddleboxWarnings() {
    Assumptions.assumeTrue(Platform.current() == Platform.LINUX, "reads Linux's namespace defaults");
    KeepalivePolicy defaults = KernelDefaults.current().policy().orElseThrow();
    Assumptions.assumeTrue(defaults.equals(KeepalivePolicy.linuxDefaults()),
        "this namespace has the stock defaults 7200/75/9, not " + defaults);
    String out = doctor().out();
    assertTrue(out.contains("idle 7200 s, interval 75 s, 9 probes: a silent peer is detected after"
        + " 7875 s (2 h 11 min 15 s)"), out);
    assertTrue(out.contains("     +7200 s  2 h              probe 1 (idle is over)\n"), out);
    assertTrue(out.contains("     +7275 s  2 h 1 min 15 s   probe 2\n"), out);
    assertTrue(out.contains("… 6 more probes, 75 s apart\n"), out);
    assertTrue(out.contains("     +7800 s  2 h 10 min       probe 9\n"), out);
    assertTrue(out.contains("     +7875 s  2 h 11 min 15 s  dead:"), out);
    for (Middlebox m : Middlebox.values()) {
      assertTrue(out.contains("! " + m.displayName() + " drops a flow idle for "
          + m.idleTimeout().getSeconds() + " s"), m + " warned: " + out);
    }
    assertTrue(out.contains("keepingAliveThrough(Middlebox.AWS_NLB) = idle=175s,interval=35s,probes=5"),
        out);
  }

  @Test
  void validPolicyIsCheckedLiveAndExitsZero() {
    Run run = doctor("--policy", "idle=90s,interval=15s,probes=2");
    assertEquals(Doctor.OK, run.status(), run.out());
    String out = run.out();
    assertTrue(out.contains("Policy \"idle=90s,interval=15s,probes=2\"\n"), out);
    assertTrue(out.contains("  ✓ RFC 1122 §4.2.3.6"), out);
    assertTrue(out.contains("a silent peer is detected after 120 s (2 min)"), out);
    for (String transport : List.of("JDK Socket", "JDK SocketChannel")) {
      String check = out.substring(out.indexOf("    " + transport + ": takes it\n"));
      assertTrue(check.startsWith("    " + transport + ": takes it\n"
          + "      ✓ TCP_KEEPIDLE      90s        read back 90s\n"
          + "      ✓ TCP_KEEPINTERVAL  15s        read back 15s\n"
          + "      ✓ TCP_KEEPCOUNT     2          read back 2\n"
          + "      ✓ SO_KEEPALIVE      on         read back on\n"), out);
    }
    assertFalse(out.substring(out.indexOf("Policy")).contains("! AWS"), "90 s is below every timeout");
    assertTrue(out.endsWith("\nResult: OK (every transport here takes the policy: JDK Socket, JDK"
        + " SocketChannel)\n"), out);
  }

  /**
   * Issue 13 D2: probes = Integer.MAX_VALUE, a valid policy, overflowed the timeline's probe counter
   * and filled the heap (6.4 GB, then OutOfMemoryError; nothing on stdout with --json).
   */
  @Test
  void timelineOfIntegerMaxValueProbesIsBoundedByWhatItPrints() {
    String policy = "idle=90s,interval=15s,probes=" + Integer.MAX_VALUE;
    Run run = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> doctor("--policy", policy));
    String out = run.out();
    String section = out.substring(out.indexOf("Policy \""));
    assertTrue(section.contains("     +90 s  1 min 30 s       probe 1 (idle is over)\n"), out);
    assertTrue(section.contains("    +105 s  1 min 45 s       probe 2\n"), out);
    assertTrue(section.contains("  … 2147483644 more probes, 15 s apart\n"), out);
    assertTrue(section.contains("  +32212254780 s  372827 d 33 min  probe 2147483647\n"), out);
    assertTrue(section.contains("  +32212254795 s  372827 d 33 min 15 s dead:"), out);
    assertTrue(out.length() < 16_384, "output of " + out.length() + " characters");
    assertEquals("", run.err());

    Run json = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> doctor("--json", "--policy", policy));
    List<Object> timeline = list(object(json(json).get("policy")).get("timeline"));
    List<Object> events = new ArrayList<>();
    for (Object e : timeline) {
      events.add(object(e).get("event"));
    }
    assertEquals(List.of("idle", "probe 1", "probe 2", "probe 2147483647", "dead"), events);
    assertEquals(32212254795L, object(timeline.get(4)).get("atSeconds"));
    assertTrue(json.out().length() < 16_384, "JSON of " + json.out().length() + " characters");
  }

  /** The largest policy each platform accepts: the timeline is as short and as quick as any. */
  @Test
  void largestPolicyOfEveryPlatformRunsFast() {
    for (Platform platform : Platform.values()) {
      PlatformLimits limits = PlatformLimits.of(platform);
      KeepalivePolicy largest = KeepalivePolicy.ofSeconds(limits.maxIdleSeconds(),
          limits.maxIntervalSeconds(), limits.maxProbes());
      for (boolean asJson : new boolean[] {false, true}) {
        String[] args = asJson ? new String[] {"--json", "--policy", largest.toString()}
            : new String[] {"--policy", largest.toString()};
        Run run = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> doctor(args),
            platform + " " + largest);
        assertTrue(run.out().length() < 16_384, platform + ": " + run.out().length());
        String last = "probe " + largest.probes();
        long dead = largest.detectionDeadline().getSeconds();
        if (asJson) {
          List<Object> timeline = list(object(json(run).get("policy")).get("timeline"));
          assertTrue(timeline.size() <= 8, platform + ": " + timeline);
          assertEquals(last, object(timeline.get(timeline.size() - 2)).get("event"));
          assertEquals(dead, object(timeline.get(timeline.size() - 1)).get("atSeconds"));
        } else {
          assertTrue(run.out().contains(" " + last + "\n"), run.out());
          assertTrue(run.out().contains("+" + dead + " s"), run.out());
        }
      }
    }
  }

  @Test
  void policyEqualsFormIsAccepted() {
    assertEquals(Doctor.OK, doctor("--policy=idle=90s,interval=15s,probes=2").status());
  }

  @Test
  void probesBeyondLinuxLimitExitsOneWithoutTouchingASocket() {
    Assumptions.assumeTrue(Platform.current() == Platform.LINUX, "Linux's limit of 127 probes");
    Run run = doctor("--policy", "idle=90s,interval=15s,probes=200");
    assertEquals(Doctor.POLICY_FAILED, run.status(), run.out());
    assertTrue(run.out().contains("  ✗ probes 200 is beyond Linux's limit: at most 127 (TCP_KEEPCNT)"),
        run.out());
    assertTrue(run.out().contains("Live check skipped: the kernel would refuse the policy"), run.out());
    assertTrue(run.out().endsWith("Result: FAILED (the policy is invalid; see ✗ above)\n"),
        run.out());
    assertEquals("", run.err());
  }

  @Test
  void unreadablePolicyExitsOneWithTheParsersMessage() {
    Run run = doctor("--policy", "idle=90s,interval=15s");
    assertEquals(Doctor.POLICY_FAILED, run.status());
    assertTrue(run.out().contains("  ✗ cannot read it: "), run.out());
    assertTrue(run.out().contains("probes"), "names the missing field: " + run.out());
    assertEquals("", run.err());
  }

  @Test
  void oneProbeViolatesRfc1122AndExitsOne() {
    Run run = doctor("--policy", "idle=90s,interval=15s,probes=1");
    assertEquals(Doctor.POLICY_FAILED, run.status());
    assertTrue(run.out().contains("  ✗ probes=1 violates RFC 1122 §4.2.3.6 NO_DEATH_ON_ONE_PROBE"),
        run.out());
  }

  /**
   * Without keepalive-netty no transport here has TCP_USER_TIMEOUT: the policy is taken by none,
   * which is a failure, and the reason names what would take it.
   */
  @Test
  void userTimeoutDoesNotApplyThroughTheJdkAndExitsOne() {
    Assumptions.assumeTrue(Platform.current() == Platform.LINUX, "Linux has TCP_USER_TIMEOUT");
    Run run = doctor("--json", "--policy", "idle=90s,interval=15s,probes=2,user-timeout=120s");
    assertEquals(Doctor.POLICY_FAILED, run.status());
    Map<String, Object> policy = object(json(run).get("policy"));
    assertEquals("FAILED", policy.get("verdict"));
    assertEquals(List.of(), policy.get("takenBy"));
    List<Object> checks = list(policy.get("liveChecks"));
    assertEquals(2, checks.size());
    for (Object c : checks) {
      Map<String, Object> live = object(c);
      assertEquals("CANNOT", live.get("verdict"), live.toString());
      assertEquals(false, live.get("ok"));
      assertTrue(live.get("reason").toString().startsWith("cannot set TCP_USER_TIMEOUT: the JDK"
          + " has no TCP_USER_TIMEOUT socket option"), live.toString());
      assertTrue(live.get("reason").toString().endsWith("keepalive-netty sets it on the epoll and"
          + " io_uring transports"), live.toString());
      Map<String, Object> userTimeout = null;
      for (Object o : list(live.get("options"))) {
        if (object(o).get("option").equals("TCP_USER_TIMEOUT")) {
          userTimeout = object(o);
        } else {
          assertEquals(true, object(o).get("ok"), o.toString());
        }
      }
      assertEquals("NOT_SUPPORTED", userTimeout.get("status"));
      assertEquals("120000ms", userTimeout.get("expected"));
      assertNull(userTimeout.get("actual"));
      assertEquals(false, userTimeout.get("ok"));
    }
    Run text = doctor("--policy", "idle=90s,interval=15s,probes=2,user-timeout=120s");
    assertTrue(text.out().contains("    JDK Socket: cannot take it (TCP_USER_TIMEOUT: see ✗"
        + " below)\n"), text.out());
    assertTrue(text.out().endsWith("\nResult: FAILED (no transport here takes the policy: JDK"
        + " Socket, JDK SocketChannel cannot; see ✗ above)\n"), text.out());
  }

  @Test
  void badUsageExitsTwoWithAClearMessageAndNoStackTrace() {
    List<Run> runs = new ArrayList<>();
    runs.add(doctor("--polcy", "idle=90s"));
    runs.add(doctor("--policy"));
    runs.add(doctor("--policy", "off", "--policy", "off"));
    runs.add(doctor("--json", "extra"));
    runs.add(doctor("--json=false"));
    runs.add(doctor("--help=no"));
    for (Run run : runs) {
      assertEquals(Doctor.USAGE, run.status(), run.err());
      assertEquals("", run.out());
      assertTrue(run.err().startsWith("keepalive-doctor: "), run.err());
      assertTrue(run.err().endsWith(" (try --help)\n"), run.err());
      assertFalse(run.err().contains("Exception"), run.err());
      assertFalse(run.err().contains("\tat "), run.err());
    }
    assertEquals("keepalive-doctor: unknown argument '--polcy' (try --help)\n", runs.get(0).err());
    // Regression (issue 16, item 10): a flag given a value printed JSON or help instead.
    assertEquals("keepalive-doctor: --json takes no value, was '--json=false' (try --help)\n",
        runs.get(4).err());
  }

  @Test
  void jsonParsesAndCarriesTheFindings() {
    Run run = doctor("--json", "--policy", "idle=90s,interval=15s,probes=2");
    assertEquals(Doctor.OK, run.status(), run.out());
    Map<String, Object> doc = json(run);
    assertEquals(System.getProperty("os.name"), object(doc.get("os")).get("name"));
    assertEquals(System.getProperty("os.version"), object(doc.get("os")).get("kernel"));
    assertEquals(System.getProperty("java.runtime.version"), object(doc.get("jdk")).get("version"));
    assertEquals(true, object(doc.get("jdk")).get("jdkNet"));
    List<Object> transports = list(doc.get("transports"));
    assertEquals(2, transports.size(), transports.toString());
    for (int i = 0; i < 2; i++) {
      Map<String, Object> t = object(transports.get(i));
      assertEquals(List.of("JDK Socket", "JDK SocketChannel").get(i), t.get("name"));
      assertTrue(t.get("provider").toString().startsWith("keepalive-jdk on JDK "), t.toString());
      assertEquals(true, t.get("available"));
      Map<String, Object> options = object(t.get("options"));
      assertEquals(true, object(options.get("TCP_KEEPIDLE")).get("supported"));
      Map<String, Object> ut = object(options.get("TCP_USER_TIMEOUT"));
      assertEquals(false, ut.get("supported"));
      assertTrue(ut.get("reason").toString().contains("TCP_USER_TIMEOUT"));
    }
    assertEquals(List.of("keepalive-netty is not on the class path: with it (and Netty) the doctor"
        + " also examines Netty NIO, epoll and io_uring"), doc.get("notes"));
    Map<String, Object> kernel = object(doc.get("kernelDefaults"));
    KernelDefaults defaults = KernelDefaults.current();
    assertEquals(defaults.known(), kernel.get("known"));
    if (defaults.known()) {
      KeepalivePolicy p = defaults.policy().orElseThrow();
      assertEquals(p.toString(), kernel.get("policy"));
      assertEquals(p.detectionDeadline().getSeconds(), kernel.get("deadlineSeconds"));
      assertEquals(Text.seconds(p.detectionDeadline().getSeconds()), kernel.get("deadline"));
      List<Object> timeline = list(kernel.get("timeline"));
      assertEquals("idle", object(timeline.get(0)).get("event"));
      assertEquals("dead", object(timeline.get(timeline.size() - 1)).get("event"));
      assertEquals(p.detectionDeadline().getSeconds(),
          object(timeline.get(timeline.size() - 1)).get("atSeconds"));
      long warned = list(kernel.get("middleboxWarnings")).size();
      long expected = java.util.Arrays.stream(Middlebox.values()).filter(m -> m.forgets(p)).count();
      assertEquals(expected, warned);
    }
    Map<String, Object> policy = object(doc.get("policy"));
    assertEquals("idle=90s,interval=15s,probes=2", policy.get("text"));
    assertEquals(true, policy.get("valid"));
    assertEquals(List.of(), policy.get("platformLimits"));
    assertEquals(List.of(), policy.get("rfc1122"));
    assertEquals(120L, policy.get("deadlineSeconds"));
    assertEquals("2 min", policy.get("deadline"));
    assertEquals("OK", policy.get("verdict"));
    assertEquals(List.of("JDK Socket", "JDK SocketChannel"), policy.get("takenBy"));
    assertEquals(List.of(), policy.get("notTakenBy"));
    Map<String, Object> live = object(list(policy.get("liveChecks")).get(0));
    assertEquals("JDK Socket", live.get("transport"));
    assertEquals("TAKES", live.get("verdict"));
    assertEquals(true, live.get("ok"));
    assertEquals("127.0.0.1", live.get("address"));
    assertEquals(4, list(live.get("options")).size());
    Map<String, Object> idle = object(list(live.get("options")).get(0));
    assertEquals("TCP_KEEPIDLE", idle.get("option"));
    assertEquals("90s", idle.get("expected"));
    assertEquals("90s", idle.get("actual"));
    assertEquals("OK", doc.get("verdict"));
    assertEquals(true, doc.get("ok"));
    assertEquals(0L, doc.get("exitCode"));
  }

  @Test
  void jsonOfAnInvalidPolicyCarriesTheErrorAndExitCodeOne() {
    Run run = doctor("--json", "--policy", "idle=90s,interval=15s,probes=banana");
    assertEquals(Doctor.POLICY_FAILED, run.status());
    Map<String, Object> doc = json(run);
    assertEquals(false, object(doc.get("policy")).get("valid"));
    assertTrue(object(doc.get("policy")).get("error").toString().contains("expected a whole number of probes"));
    assertEquals(false, doc.get("ok"));
    assertEquals(1L, doc.get("exitCode"));
  }

  @Test
  void jsonEscapesWhatAUserTyped() {
    Run run = doctor("--json", "--policy", "idle=\"9\\0\n\t");
    assertEquals(Doctor.POLICY_FAILED, run.status());
    assertEquals("idle=\"9\\0\n\t", object(json(run).get("policy")).get("text"));
  }

  @Test
  void miniJsonRejectsMalformedText() {
    assertThrows(IllegalArgumentException.class, () -> MiniJson.parse("{\"a\": 1,}"));
    assertThrows(IllegalArgumentException.class, () -> MiniJson.parse("{\"a\": 1} x"));
    assertThrows(IllegalArgumentException.class, () -> MiniJson.parse("[\"a\n\"]"));
  }

  @Test
  void mainExitsWithTheStatusInAChildJvm() throws Exception {
    Run ok = childJvm(List.of(), "--policy", "idle=90s,interval=15s,probes=2");
    assertEquals(Doctor.OK, ok.status(), ok.out());
    assertTrue(ok.out().contains("✓ TCP_KEEPIDLE"), "UTF-8 marks: " + ok.out());
    Run usage = childJvm(List.of(), "--bogus");
    assertEquals(Doctor.USAGE, usage.status());
    assertEquals("keepalive-doctor: unknown argument '--bogus' (try --help)\n", usage.err());
  }

  @Test
  void withoutJdkNetTheDoctorSaysSoAndThePolicyDoesNotApply() throws Exception {
    Run run = childJvm(List.of("--limit-modules", "java.base"),
        "--policy", "idle=90s,interval=15s,probes=2");
    assertEquals(Doctor.POLICY_FAILED, run.status(), run.out() + run.err());
    assertTrue(run.out().contains("jdk.net  MISSING: "), run.out());
    assertTrue(run.out().contains("  TCP_KEEPIDLE        ✗           ✗\n"), run.out());
    assertTrue(run.out().contains("      ✗ TCP_KEEPIDLE      90s        not supported: "), run.out());
    assertTrue(run.out().contains("      ✓ SO_KEEPALIVE      on         read back on"), run.out());
    assertTrue(run.out().endsWith("\nResult: FAILED (no transport here takes the policy: JDK"
        + " Socket, JDK SocketChannel cannot; see ✗ above)\n"), run.out());
  }

  @Test
  void onTheModulePathTheModuleBringsJdkNetWithIt() throws Exception {
    // 'requires jdk.net' (not static): a module-path application resolves jdk.net without asking,
    // so its keepalive options work out of the box (and jlink would put jdk.net in the image).
    String modulePath = location(KeepalivePolicy.class) + java.io.File.pathSeparator
        + location(Doctor.class);
    String main = "dev.keepalive.jdk/" + Doctor.class.getName();
    Run run = childJvm(List.of("-p", modulePath, "-m", main), "--policy",
        "idle=90s,interval=15s,probes=2");
    assertEquals(Doctor.OK, run.status(), run.out() + run.err());
    assertTrue(run.out().contains("jdk.net  present"), run.out());
  }

  private static String location(Class<?> type) throws Exception {
    return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  private static Run childJvm(List<String> jvmOptions, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    if (!jvmOptions.contains("-m")) {
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(Doctor.class.getName());
    }
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).start();
    p.getOutputStream().close();
    byte[] err;
    byte[] out;
    try (InputStream o = p.getInputStream(); InputStream e = p.getErrorStream()) {
      out = o.readAllBytes();
      err = e.readAllBytes();
    } catch (IOException e) {
      p.destroyForcibly();
      throw e;
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the doctor finished");
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }
}
