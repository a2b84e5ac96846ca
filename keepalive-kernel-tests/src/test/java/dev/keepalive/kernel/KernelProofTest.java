package dev.keepalive.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The library's promise is a number: with a policy, a dead peer is detected after idle + interval ×
 * probes. This proves it on the running Linux kernel, for every adapter: each scenario runs in a
 * child JVM inside its own network namespace ({@code unshare -n}), with nftables making the peer
 * silent (or rude) and tcpdump watching the probes. All scenarios start at once in a bounded pool;
 * each test then checks its own child's result. The measured table goes to {@code
 * target/kernel-proof.md}.
 *
 * <p>Skips, with the reason, when not on Linux, not root, or without unshare, nft, tcpdump, ip, ss.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelProofTest {

  /** Children mostly sleep on kernel timers; six at once keep the suite well under a minute. */
  private static final int PARALLEL = 6;

  private static final KeepalivePolicy POLICY = Scenario.POLICY;
  private static final double DEADLINE = POLICY.detectionDeadline().toMillis() / 1000.0;
  private static final double IDLE = POLICY.idleSeconds();
  private static final double INTERVAL = POLICY.intervalSeconds();

  private final Map<Run, Future<ChildJvm.Finished>> runs = new LinkedHashMap<>();
  private final List<Row> rows = Collections.synchronizedList(new ArrayList<>());
  /** Why the proof cannot run here (not Linux, not root, a tool missing), if it cannot. */
  private Optional<String> unavailable = Optional.empty();
  private ExecutorService pool;
  private long started;

  /** One line of the measured table. */
  private record Row(Run run, String expected, String measured, String ratio, String verdict) {}

  @BeforeAll
  void startEveryScenarioInItsOwnNamespace() throws IOException {
    unavailable = KernelEnvironment.unavailability();
    if (unavailable.isPresent()) {
      // Each test is then a JUnit skip with the reason (skipWhereTheKernelCannotBeProven): counted
      // by Surefire, where an assumption here would report "Tests run: 0".
      return;
    }
    String parentNamespace = KernelEnvironment.networkNamespace();
    Path logs = Path.of(System.getProperty("kernelProof.table", "target/kernel-proof.md"))
        .resolveSibling("kernel-proof-logs");
    started = System.nanoTime();
    pool = Executors.newFixedThreadPool(PARALLEL, r -> {
      Thread t = new Thread(r, "kernel-proof");
      t.setDaemon(true);
      return t;
    });
    for (Run run : plan()) {
      if (run.adapter().unavailability().isEmpty()) {
        runs.put(run, pool.submit(() -> ChildJvm.run(run, parentNamespace, logs)));
      }
    }
  }

  @BeforeEach
  void skipWhereTheKernelCannotBeProven() {
    assumeTrue(unavailable.isEmpty(), () -> "kernel proof skipped: " + unavailable.orElseThrow());
  }

  /** Every run, the longest first so that the pool finishes them together. */
  private static List<Run> plan() {
    List<Run> plan = new ArrayList<>();
    for (Scenario s : List.of(Scenario.NO_POLICY, Scenario.BUSY_PEER, Scenario.PROBES_ON_WIRE,
        Scenario.SILENT_PEER, Scenario.BUSY_PEER_USER_TIMEOUT, Scenario.RESET_PEER,
        Scenario.SERVER_ACCEPTED)) {
      for (Adapter a : Adapter.values()) {
        plan.add(new Run(s, a, Family.IPV4));
        if (s == Scenario.SILENT_PEER) {
          plan.add(new Run(s, a, Family.IPV6));
        }
      }
    }
    return plan;
  }

  static Stream<Arguments> adaptersOverBothFamilies() {
    return Arrays.stream(Adapter.values())
        .flatMap(a -> Stream.of(Arguments.of(a, Family.IPV4), Arguments.of(a, Family.IPV6)));
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("adaptersOverBothFamilies")
  void silentPeerFailsTheReadAtTheDetectionDeadline(Adapter adapter, Family family)
      throws Exception {
    ChildJvm.Finished f = await(new Run(Scenario.SILENT_PEER, adapter, family));
    double measured = f.millis("measured_ms") / 1000;
    verify(f, "deadline " + seconds(DEADLINE), seconds(measured), ratio(measured, DEADLINE), () -> {
      assertWithin(measured, DEADLINE - 0.5, DEADLINE + 1.0, "failure after the last packet", f);
      assertTrue(f.field("error").contains("Connection timed out"),
          "ETIMEDOUT expected" + f.diagnostics());
      assertEquals(expectedEvents(adapter), eventNames(f), "what the application saw"
          + f.diagnostics());
    });
  }

  /**
   * What an application sees when keepalive gives up: a blocked read throws; a selector reports
   * the channel readable and the read then throws (seed 000's select() experiment); a Netty
   * pipeline gets exceptionCaught, then channelInactive.
   */
  private static List<String> expectedEvents(Adapter adapter) {
    switch (adapter) {
      case SOCKET:
        return List.of("read-threw");
      case SOCKET_CHANNEL:
        return List.of("selector-readable", "read-threw");
      default:
        return List.of("exceptionCaught", "channelInactive");
    }
  }

  @ParameterizedTest
  @EnumSource(Adapter.class)
  void withoutAPolicyTheSameFaultGoesUnnoticedForTwiceTheDeadline(Adapter adapter)
      throws Exception {
    ChildJvm.Finished f = await(new Run(Scenario.NO_POLICY, adapter, Family.IPV4));
    double waited = f.millis("waited_ms") / 1000;
    verify(f, "unnoticed ≥ " + seconds(2 * DEADLINE), "alive after " + seconds(waited),
        ratio(waited, DEADLINE), () -> {
          assertEquals(2 * DEADLINE, waited, 0.001, "waited twice the deadline" + f.diagnostics());
          assertEquals("false", f.field("failed"), "no failure without keepalive" + f.diagnostics());
        });
  }

  @ParameterizedTest
  @EnumSource(Adapter.class)
  void captureShowsExactlyTheProbesIntervalApartThenTheReset(Adapter adapter) throws Exception {
    ChildJvm.Finished f = await(new Run(Scenario.PROBES_ON_WIRE, adapter, Family.IPV4));
    List<Double> probes = f.field("probes_ms").isEmpty() ? List.of()
        : Arrays.stream(f.field("probes_ms").split(",")).map(ms -> Double.parseDouble(ms) / 1000)
            .collect(Collectors.toList());
    double reset = f.millis("reset_ms") / 1000;
    String measured = "probes at " + probes.stream().map(KernelProofTest::seconds)
        .collect(Collectors.joining(", ")) + "; RST " + seconds(reset);
    verify(f, probes(POLICY) + "; RST " + seconds(DEADLINE), measured, ratio(reset, DEADLINE),
        () -> {
          assertEquals(POLICY.probes(), probes.size(), "keepalive probes on the wire"
              + f.diagnostics());
          // The kernel cannot probe before idle (its timer granularity is a few ms); late by up to
          // half a second is scheduling.
          assertWithin(probes.get(0), IDLE - 0.1, IDLE + 0.5, "first probe after the last packet",
              f);
          for (int i = 1; i < probes.size(); i++) {
            assertWithin(probes.get(i) - probes.get(i - 1), INTERVAL - 0.1, INTERVAL + 0.5,
                "gap before probe " + (i + 1), f);
          }
          assertWithin(reset - probes.get(probes.size() - 1), INTERVAL - 0.1, INTERVAL + 0.5,
              "gap between the last probe and the RST", f);
          assertTrue(f.field("error").contains("Connection timed out"),
              "the application saw ETIMEDOUT too" + f.diagnostics());
          assertEquals("false", f.field("capture_running_after_close"), "tcpdump stopped"
              + f.diagnostics());
        });
  }

  @ParameterizedTest
  @EnumSource(Adapter.class)
  void busyDeadPeerIsNotDetectedByKeepaliveAlone(Adapter adapter) throws Exception {
    ChildJvm.Finished f = await(new Run(Scenario.BUSY_PEER, adapter, Family.IPV4));
    double waited = f.millis("waited_ms") / 1000;
    verify(f, "unnoticed ≥ " + seconds(DEADLINE + 1), "alive after " + seconds(waited)
        + " (data in flight)", ratio(waited, DEADLINE), () -> {
          assertEquals(DEADLINE + 1, waited, 0.001, "waited past the deadline" + f.diagnostics());
          assertEquals("false", f.field("failed"),
              "keepalive does not probe while data is unacknowledged" + f.diagnostics());
        });
  }

  @ParameterizedTest
  @EnumSource(Adapter.class)
  void userTimeoutClosesABusyDeadPeer(Adapter adapter) throws Exception {
    Assumptions.assumeTrue(adapter.userTimeout(), () -> adapter.label()
        + " cannot set TCP_USER_TIMEOUT: the JDK has no such option");
    ChildJvm.Finished f = await(new Run(Scenario.BUSY_PEER_USER_TIMEOUT, adapter, Family.IPV4));
    double userTimeout = Scenario.BUSY_PEER_USER_TIMEOUT.expected().toMillis() / 1000.0;
    double measured = f.millis("measured_ms") / 1000;
    verify(f, "user timeout " + seconds(userTimeout), seconds(measured) + " after the write",
        ratio(measured, userTimeout), () -> {
          assertWithin(measured, userTimeout - 0.5, userTimeout + 1.5,
              "close after the unacknowledged write", f);
          assertTrue(f.field("error").contains("Connection timed out"),
              "ETIMEDOUT expected" + f.diagnostics());
          assertEquals(expectedEvents(adapter), eventNames(f), "what the application saw"
              + f.diagnostics());
        });
  }

  @ParameterizedTest
  @EnumSource(Adapter.class)
  void userTimeoutIsRefusedUpFrontWhereTheTransportCannotSetIt(Adapter adapter) throws Exception {
    Assumptions.assumeFalse(adapter.userTimeout(), () -> adapter.label()
        + " sets TCP_USER_TIMEOUT: see userTimeoutClosesABusyDeadPeer");
    ChildJvm.Finished f = await(new Run(Scenario.BUSY_PEER_USER_TIMEOUT, adapter, Family.IPV4));
    verify(f, "refused (strict)", "true".equals(f.fields().get("refused"))
        ? "UnsupportedKeepaliveOptionException(" + f.fields().get("refused_option") + ")"
        : "not refused", "", () -> {
          assertEquals("true", f.field("refused"), "strict refusal" + f.diagnostics());
          assertEquals("TCP_USER_TIMEOUT", f.field("refused_option"), f.diagnostics());
        });
  }

  @ParameterizedTest
  @EnumSource(Adapter.class)
  void peerThatAnswersTheFirstProbeWithAResetFailsTheReadRightAfterIdle(Adapter adapter)
      throws Exception {
    ChildJvm.Finished f = await(new Run(Scenario.RESET_PEER, adapter, Family.IPV4));
    double measured = f.millis("measured_ms") / 1000;
    verify(f, "idle " + seconds(IDLE), seconds(measured), ratio(measured, IDLE), () -> {
      assertWithin(measured, IDLE - 0.5, IDLE + 1.0, "reset after the last packet", f);
      assertTrue(f.field("error").contains("Connection reset"), "ECONNRESET expected"
          + f.diagnostics());
    });
  }

  @ParameterizedTest
  @EnumSource(Adapter.class)
  void acceptedSocketsCarryThePolicyInTheKernel(Adapter adapter) throws Exception {
    ChildJvm.Finished f = await(new Run(Scenario.SERVER_ACCEPTED, adapter, Family.IPV4));
    double idle = Scenario.SERVER_POLICY.idleSeconds();
    double timer = f.fields().containsKey("timer_ms") ? f.millis("timer_ms") / 1000 : -1;
    verify(f, "keepalive timer ≈ idle " + seconds(idle),
        "ss: keepalive timer " + f.fields().getOrDefault("timer", "none"),
        ratio(timer, idle), () -> {
          assertEquals("1", f.field("accepted_sockets"), "one accepted socket in ss"
              + f.diagnostics());
          assertTrue(timer >= 0, "ss shows a keepalive timer on the accepted socket"
              + f.diagnostics());
          // ss reads right after accept: the timer, armed at idle, has barely started running.
          assertWithin(timer, idle - 2, idle, "keepalive timer of the accepted socket", f);
        });
  }

  @AfterAll
  void writeTheTable() throws IOException {
    if (pool == null) {
      return;
    }
    pool.shutdownNow();
    ChildJvm.destroyAll();
    double wall = (System.nanoTime() - started) / 1e9;
    String table = table(wall);
    Path out = Path.of(System.getProperty("kernelProof.table", "target/kernel-proof.md"));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, table, StandardCharsets.UTF_8);
    System.out.println(table);
  }

  private String table(double wallSeconds) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "Linux %s, %s %s, Netty %s; policy `%s` (detection deadline %s); %d runs in %.0f s.%n%n",
        System.getProperty("os.version"), System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"), nettyVersion(),
        POLICY, seconds(DEADLINE), runs.size(), wallSeconds));
    b.append("| Adapter | Scenario | Expected | Measured | Ratio | |\n");
    b.append("|---|---|---|---|---|---|\n");
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing((Row r) -> r.run().scenario())
        .thenComparing(r -> r.run().adapter()).thenComparing(r -> r.run().family()));
    for (Row r : sorted) {
      String adapter = r.run().adapter().label()
          + (r.run().scenario() == Scenario.SILENT_PEER ? " (" + family(r.run().family()) + ")"
              : "");
      b.append("| ").append(adapter).append(" | ").append(r.run().scenario().label())
          .append(" | ").append(r.expected()).append(" | ").append(r.measured()).append(" | ")
          .append(r.ratio()).append(" | ").append(r.verdict()).append(" |\n");
    }
    b.append("\nReproduce (root, Linux, with nftables, tcpdump and iproute2): "
        + "`mvn -B -pl keepalive-kernel-tests -am verify`\n");
    return b.toString();
  }

  private static String nettyVersion() {
    io.netty.util.Version transport = io.netty.util.Version.identify().get("netty-transport");
    return transport == null ? "unknown" : transport.artifactVersion();
  }

  private static String family(Family family) {
    return family == Family.IPV4 ? "IPv4" : "IPv6";
  }

  private ChildJvm.Finished await(Run run) throws Exception {
    Optional<String> unavailable = run.adapter().unavailability();
    if (unavailable.isPresent()) {
      rows.add(new Row(run, "", "skipped: " + unavailable.get(), "", "–"));
      Assumptions.abort(unavailable.get());
    }
    Future<ChildJvm.Finished> future = runs.get(run);
    if (future == null) {
      throw new IllegalStateException("not planned: " + run);
    }
    ChildJvm.Finished f;
    try {
      f = future.get(3, TimeUnit.MINUTES);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AssertionError(run.name() + " did not finish within 3 minutes", e);
    } catch (ExecutionException e) {
      throw new AssertionError(run.name() + " could not be run", e.getCause());
    }
    switch (f.status()) {
      case "ok":
        return f;
      case "skipped":
        rows.add(new Row(run, "", "skipped: " + f.field("reason"), "", "–"));
        Assumptions.abort(f.field("reason"));
        return f;
      default:
        rows.add(new Row(run, "", "error: " + f.fields().getOrDefault("error", f.status()), "",
            "✗"));
        return fail(run.name() + " failed: " + f.status() + f.diagnostics());
    }
  }

  /** Records the table row, with ✓ or ✗ by whether {@code checks} pass. */
  private void verify(ChildJvm.Finished f, String expected, String measured, String ratio,
      Runnable checks) {
    try {
      checks.run();
    } catch (AssertionError | RuntimeException t) {
      rows.add(new Row(f.run(), expected, measured, ratio, "✗"));
      throw t;
    }
    rows.add(new Row(f.run(), expected, measured, ratio, "✓"));
  }

  private static List<String> eventNames(ChildJvm.Finished f) {
    String events = f.field("events");
    return events.isEmpty() ? List.of() : Arrays.stream(events.split(";"))
        .map(e -> e.substring(0, e.indexOf('@'))).collect(Collectors.toList());
  }

  private static void assertWithin(double value, double low, double high, String what,
      ChildJvm.Finished f) {
    assertFalse(value < low || value > high, () -> String.format(Locale.ROOT,
        "%s: %.3f s, expected within [%.1f s, %.1f s]%s", what, value, low, high,
        f.diagnostics()));
  }

  private static String probes(KeepalivePolicy policy) {
    List<String> at = new ArrayList<>();
    for (int i = 0; i < policy.probes(); i++) {
      at.add(seconds(policy.idleSeconds() + (double) i * policy.intervalSeconds()));
    }
    return policy.probes() + " probes at " + String.join(", ", at);
  }

  private static String seconds(double seconds) {
    return String.format(Locale.ROOT, "%.2f s", seconds);
  }

  private static String ratio(double measured, double expected) {
    return measured < 0 ? "" : String.format(Locale.ROOT, "%.3f", measured / expected);
  }

}
