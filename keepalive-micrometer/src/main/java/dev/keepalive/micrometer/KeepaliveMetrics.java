package dev.keepalive.micrometer;

import dev.keepalive.KeepaliveCounters;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.KernelDefaults;
import dev.keepalive.micrometer.internal.AgentBridge;
import dev.keepalive.micrometer.internal.AuditBridge;
import dev.keepalive.micrometer.internal.Connection;
import dev.keepalive.micrometer.internal.ConnectionState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Binds keepalive's meters to a Micrometer {@link MeterRegistry}, with or without Spring:
 *
 * <pre>{@code
 * new KeepaliveMetrics(List.of(KeepalivePolicy.parse("idle=60s,interval=10s,probes=3")))
 *     .bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type, tags</th><th>what</th></tr>
 *   <tr><td>{@code keepalive.overrides.ignored}</td><td>counter, {@code option}
 *       ({@code SO_KEEPALIVE}, {@code TCP_KEEPIDLE}, {@code TCP_KEEPINTVL}, {@code TCP_KEEPCNT},
 *       {@code TCP_USER_TIMEOUT})</td>
 *       <td>client calls a pinned socket ignored ({@link KeepaliveCounters#ignoredOverrides(
 *       KeepaliveOption)}), plus keepalive-agent's own (its MBean's {@code
 *       IgnoredOverridesByOption}) when the agent runs; every option is registered at once, 0 until
 *       the first</td></tr>
 *   <tr><td>{@code keepalive.heartbeat.timeouts}</td><td>counter</td>
 *       <td>peers that left every heartbeat ping unanswered ({@link
 *       KeepaliveCounters#heartbeatTimeouts()})</td></tr>
 *   <tr><td>{@code keepalive.agent.connections}</td><td>counter, {@code result} ({@code applied},
 *       {@code unchanged})</td>
 *       <td>keepalive-agent's connections, from its MBean {@code dev.keepalive:type=Agent}; only
 *       when the agent runs in this JVM (its system property {@code keepalive.agent.version})</td></tr>
 *   <tr><td>{@code keepalive.agent.refusals}</td><td>counter, {@code option}</td>
 *       <td>options keepalive-agent could not set, from the same MBean</td></tr>
 *   <tr><td>{@code keepalive.connections}</td><td>gauge, {@code state} ({@code off},
 *       {@code kernel_default}, {@code policy}, {@code mismatch})</td>
 *       <td>this JVM's TCP connections (listeners left out) by the keepalive the kernel holds on
 *       them; only on Java 22+ with keepalive-audit on the class path. Every state is registered,
 *       0 when no connection is in it</td></tr>
 * </table>
 *
 * <p>The states: {@code off} is SO_KEEPALIVE off; {@code policy} is exactly one of the expected
 * policies; {@code kernel_default} is this network namespace's defaults (7200/75/9 unless changed);
 * {@code mismatch} is anything else (a client's own values). With no expected policy, {@code policy}
 * counts any per-socket values and {@code mismatch} stays 0.
 *
 * <p>Costs: the counters read a number. The connection gauges read every connection of this JVM
 * from the kernel (a few microseconds each); one reading serves every state for a second, so a
 * scrape audits once. Nothing runs between reads: no thread, no timer.
 */
public final class KeepaliveMetrics implements MeterBinder {

  /** How long one audit serves the four gauges: a scrape reads them one after the other. */
  private static final long SNAPSHOT_NANOS = 1_000_000_000L;

  private final List<KeepalivePolicy> expected;
  private Snapshot snapshot;

  /** Meters with no expected policy: {@code keepalive.connections} never says {@code mismatch}. */
  public KeepaliveMetrics() {
    this(Collections.emptyList());
  }

  /**
   * Meters that count a connection as {@code policy} when it holds one of {@code expected}, and as
   * {@code mismatch} when it holds per-socket values that are none of them.
   *
   * @param expected the policies in force in this application
   * @throws NullPointerException if {@code expected} or an element is null
   */
  public KeepaliveMetrics(Collection<KeepalivePolicy> expected) {
    Objects.requireNonNull(expected, "expected must not be null");
    List<KeepalivePolicy> copy = new ArrayList<>(new LinkedHashSet<>(expected));
    for (KeepalivePolicy p : copy) {
      Objects.requireNonNull(p, "expected must not contain null");
    }
    this.expected = Collections.unmodifiableList(copy);
  }

  /**
   * Registers the meters.
   *
   * @param registry the registry
   * @throws NullPointerException if {@code registry} is null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry must not be null");
    // The agent says it runs by its system property; its MBean is read only when a meter is, so
    // the platform MBean server (tens of milliseconds to start) stays out of start-up.
    boolean agent = AgentBridge.version().isPresent();
    for (KeepaliveOption option : KeepaliveOption.values()) {
      String name = option.kernelName();
      FunctionCounter.builder("keepalive.overrides.ignored", option,
              o -> KeepaliveCounters.ignoredOverrides(o)
                  + (agent ? orZero(AgentBridge.count("IgnoredOverridesByOption", name)) : 0))
          .tag("option", name)
          .description("Client calls a pinned socket ignored (the policy was kept), by this"
              + " library's sockets and keepalive-agent's")
          .register(registry);
    }
    FunctionCounter.builder("keepalive.heartbeat.timeouts", this,
            m -> KeepaliveCounters.heartbeatTimeouts())
        .description("Peers that left every heartbeat ping unanswered")
        .register(registry);
    if (agent) {
      FunctionCounter.builder("keepalive.agent.connections", this,
              m -> AgentBridge.count("ConnectionsApplied"))
          .tag("result", "applied")
          .description("Connections keepalive-agent gave a policy to, or left unchanged by a rule")
          .register(registry);
      FunctionCounter.builder("keepalive.agent.connections", this,
              m -> AgentBridge.count("ConnectionsUnchanged"))
          .tag("result", "unchanged")
          .description("Connections keepalive-agent gave a policy to, or left unchanged by a rule")
          .register(registry);
      for (KeepaliveOption option : KeepaliveOption.values()) {
        String name = option.kernelName();
        FunctionCounter.builder("keepalive.agent.refusals", this,
                m -> AgentBridge.count("RefusalsByOption", name))
            .tag("option", name)
            .description("Options keepalive-agent could not set")
            .register(registry);
      }
    }
    // Known from the Java version and the audit's class file: the audit itself is loaded at the
    // first read.
    if (AuditBridge.present()) {
      for (ConnectionState state : ConnectionState.values()) {
        Gauge.builder("keepalive.connections", this, m -> m.count(state))
            .tag("state", state.tag())
            .description("This JVM's TCP connections by the keepalive the kernel holds on them")
            .register(registry);
      }
    }
  }

  /**
   * The policies a connection must hold to count as {@code policy}.
   *
   * @return the expected policies, in the order given, without duplicates
   */
  public List<KeepalivePolicy> expected() {
    return expected;
  }

  private double count(ConnectionState state) {
    Snapshot s;
    synchronized (this) {
      s = snapshot;
      if (s == null || System.nanoTime() - s.taken > SNAPSHOT_NANOS) {
        s = new Snapshot(counts());
        snapshot = s;
      }
    }
    Integer n = s.counts.get(state);
    return n == null ? Double.NaN : n;
  }

  /** One reading, or an empty map (gauges then read NaN, "no value") if the audit failed. */
  private Map<ConnectionState, Integer> counts() {
    Map<ConnectionState, Integer> counts = new EnumMap<>(ConnectionState.class);
    List<Connection> connections;
    try {
      connections = AuditBridge.connections();
    } catch (IOException | RuntimeException e) {
      return counts;
    }
    Optional<KeepalivePolicy> defaults = kernelDefaults();
    for (ConnectionState state : ConnectionState.values()) {
      counts.put(state, 0);
    }
    for (Connection c : connections) {
      counts.merge(ConnectionState.of(c.policy(), expected, defaults), 1, Integer::sum);
    }
    return counts;
  }

  private static Optional<KeepalivePolicy> kernelDefaults() {
    try {
      return KernelDefaults.current().policy();
    } catch (IllegalStateException e) {
      return Optional.empty();
    }
  }

  private static double orZero(double count) {
    return Double.isNaN(count) ? 0 : count;
  }

  private static final class Snapshot {
    final long taken = System.nanoTime();
    final Map<ConnectionState, Integer> counts;

    Snapshot(Map<ConnectionState, Integer> counts) {
      this.counts = counts;
    }
  }
}
