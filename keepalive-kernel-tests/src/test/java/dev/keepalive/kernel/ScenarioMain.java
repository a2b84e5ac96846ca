package dev.keepalive.kernel;

import dev.keepalive.UnsupportedKeepaliveOptionException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One scenario in one child JVM, started by the test as {@code unshare -n -- java ... ScenarioMain
 * SCENARIO ADAPTER FAMILY PARENT_NETNS}: a private network namespace, so the nftables rules, the
 * capture and the sockets exist only there and vanish with this process. Prints one {@link
 * ResultLine} and exits; a watchdog ends it if anything hangs.
 */
public final class ScenarioMain {

  /** Longer than any scenario (the longest waits 10 s); shorter than the parent's limit. */
  static final Duration WATCHDOG = Duration.ofSeconds(40);

  private static final Duration EXCHANGE_LIMIT = Duration.ofSeconds(5);

  private final Scenario scenario;
  private final Adapter adapter;
  private final Family family;
  private final Map<String, String> result = Collections.synchronizedMap(new LinkedHashMap<>());

  private ScenarioMain(Scenario scenario, Adapter adapter, Family family) {
    this.scenario = scenario;
    this.adapter = adapter;
    this.family = family;
  }

  /**
   * Runs one scenario.
   *
   * @param args scenario, adapter, family (enum constant names) and the parent's network namespace
   */
  public static void main(String[] args) {
    if (args.length != 4) {
      System.err.println("usage: ScenarioMain SCENARIO ADAPTER FAMILY PARENT_NETNS");
      System.exit(2);
    }
    ScenarioMain main = new ScenarioMain(Scenario.valueOf(args[0]), Adapter.valueOf(args[1]),
        Family.valueOf(args[2]));
    main.result.put("scenario", args[0]);
    main.result.put("adapter", args[1]);
    main.result.put("family", args[2]);
    startWatchdog(main.result);
    try {
      Namespace.enter(args[3]);
      Optional<String> skip = main.unavailability();
      if (skip.isPresent()) {
        main.result.put("status", "skipped");
        main.result.put("reason", skip.get());
      } else {
        if (main.scenario == Scenario.SERVER_ACCEPTED) {
          main.server();
        } else {
          main.client();
        }
        main.result.put("status", "ok");
      }
    } catch (Throwable t) {
      main.result.put("status", "error");
      main.result.put("error", t.toString());
      t.printStackTrace();
    }
    synchronized (main.result) {
      System.out.println(ResultLine.format(main.result));
    }
    System.out.flush();
    System.exit(0);
  }

  private Optional<String> unavailability() throws IOException {
    Optional<String> adapterMissing = adapter.unavailability();
    if (adapterMissing.isPresent()) {
      return adapterMissing;
    }
    NetworkInterface lo = NetworkInterface.getByName("lo");
    InetAddress address = family.loopback();
    if (lo == null || lo.inetAddresses().noneMatch(address::equals)) {
      return Optional.of(family.literal() + " is not on lo in a fresh network namespace"
          + " (IPv6 disabled in this kernel?)");
    }
    return Optional.empty();
  }

  /** The adapter's side connects, applies the policy, and waits for the kernel's verdict. */
  private void client() throws Exception {
    InetAddress loopback = family.loopback();
    try (ServerSocket peer = new ServerSocket(0, 1, loopback)) {
      peer.setSoTimeout(Math.toIntExact(EXCHANGE_LIMIT.toMillis()));
      int port = peer.getLocalPort();
      if (scenario.policy() != null && scenario.policy().hasUserTimeout()
          && !adapter.userTimeout()) {
        refusal(new InetSocketAddress(loopback, port));
        return;
      }
      Capture capture = scenario == Scenario.PROBES_ON_WIRE ? Capture.start(port) : null;
      try (Client client = adapter.connect(new InetSocketAddress(loopback, port),
              scenario.policy());
          Socket peerSide = peer.accept()) {
        peerSide.setSoTimeout(Math.toIntExact(EXCHANGE_LIMIT.toMillis()));
        client.write(new byte[] {'p'});
        if (peerSide.getInputStream().read() != 'p') {
          throw new IOException("the peer did not get the client's byte");
        }
        peerSide.getOutputStream().write('q');
        // The kernel counts idle from the last packet it received from the peer: this byte.
        long lastReceived = client.readOne(EXCHANGE_LIMIT);
        if (scenario == Scenario.RESET_PEER) {
          Namespace.resetEverythingFor(port);
        } else {
          Namespace.silence(port);
        }
        result.put("rule_installed_ms", millis(System.nanoTime() - lastReceived));
        long origin = lastReceived;
        if (scenario == Scenario.BUSY_PEER || scenario == Scenario.BUSY_PEER_USER_TIMEOUT) {
          // Unacknowledged data in flight: "It is alive without keepalive" (tcp_keepalive_timer).
          long wrote = client.write(new byte[100]);
          result.put("wrote_ms", millis(wrote - lastReceived));
          if (scenario == Scenario.BUSY_PEER_USER_TIMEOUT) {
            // TCP_USER_TIMEOUT counts from the oldest unacknowledged transmission.
            origin = wrote;
          }
        }
        Duration limit = scenario.expectsFailure() ? scenario.expected().plusSeconds(3)
            : scenario.quietPeriod();
        Outcome outcome = client.awaitFailure(limit);
        result.put("waited_ms", String.valueOf(limit.toMillis()));
        result.put("failed", String.valueOf(outcome.failed()));
        if (outcome.failed()) {
          result.put("measured_ms", millis(outcome.failedAtNanos() - origin));
          result.put("error", outcome.error());
        }
        result.put("events", outcome.describe(origin));
      } finally {
        if (capture != null) {
          capture.awaitLine(line -> line.contains("Flags [R"), 3_000);
          capture.close();
          result.put("capture_running_after_close", String.valueOf(capture.running()));
          report(capture, port);
        }
      }
    }
  }

  /**
   * An adapter that cannot set TCP_USER_TIMEOUT must refuse a policy that asks for one (strict by
   * default) rather than run without the bound on unacknowledged data the user asked for.
   */
  private void refusal(InetSocketAddress peer) throws Exception {
    try {
      adapter.connect(peer, scenario.policy()).close();
      result.put("refused", "false");
    } catch (Exception e) {
      Throwable cause = e;
      while (cause != null && !(cause instanceof UnsupportedKeepaliveOptionException)) {
        cause = cause.getCause();
      }
      if (cause == null) {
        throw e;
      }
      UnsupportedKeepaliveOptionException refused = (UnsupportedKeepaliveOptionException) cause;
      result.put("refused", "true");
      result.put("refused_option", refused.option().name());
      result.put("refusal", refused.getMessage());
    }
  }

  private void report(Capture capture, int peerPort) {
    List<TcpdumpLine> segments = new ArrayList<>();
    for (String line : capture.lines()) {
      System.err.println("tcpdump: " + line);
      TcpdumpLine.parse(line).ifPresent(segments::add);
    }
    int proberPort = segments.stream().filter(s -> s.destinationPort() == peerPort)
        .mapToInt(TcpdumpLine::sourcePort).findFirst().orElse(-1);
    ProbeTrace trace = ProbeTrace.of(segments, proberPort, peerPort);
    result.put("capture_segments", String.valueOf(segments.size()));
    result.put("probes_ms", trace.probeOffsetsMicros().stream()
        .map(us -> String.format(Locale.ROOT, "%.1f", us / 1000.0))
        .collect(Collectors.joining(",")));
    trace.resetOffsetMicros().ifPresent(us ->
        result.put("reset_ms", String.format(Locale.ROOT, "%.1f", us / 1000.0)));
  }

  /** The adapter's server accepts; ss reads the accepted socket's keepalive timer. */
  private void server() throws Exception {
    InetAddress loopback = family.loopback();
    try (Server server = adapter.listen(loopback, scenario.policy());
        Socket client = new Socket()) {
      client.connect(new InetSocketAddress(loopback, server.port()),
          Math.toIntExact(EXCHANGE_LIMIT.toMillis()));
      server.awaitAccepted(EXCHANGE_LIMIT.toMillis());
      List<String> sockets = Namespace.established(server.port());
      result.put("ss", String.join(" | ", sockets));
      result.put("accepted_sockets", String.valueOf(sockets.size()));
      if (sockets.size() == 1) {
        SsTimer.keepaliveText(sockets.get(0)).ifPresent(text -> {
          result.put("timer", text);
          result.put("timer_ms", String.valueOf(SsTimer.parseMillis(text)));
        });
      }
    }
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
  }

  private static void startWatchdog(Map<String, String> result) {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(WATCHDOG.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      synchronized (result) {
        result.put("status", "error");
        result.put("error", "watchdog: the scenario did not finish within " + WATCHDOG);
        System.out.println(ResultLine.format(result));
      }
      System.out.flush();
      Runtime.getRuntime().halt(3);
    }, "watchdog");
    t.setDaemon(true);
    t.start();
  }
}
