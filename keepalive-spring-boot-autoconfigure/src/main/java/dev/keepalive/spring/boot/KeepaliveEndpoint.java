package dev.keepalive.spring.boot;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.KernelDefaults;
import dev.keepalive.Middlebox;
import dev.keepalive.micrometer.internal.AgentBridge;
import dev.keepalive.micrometer.internal.AuditBridge;
import dev.keepalive.micrometer.internal.Connection;
import dev.keepalive.micrometer.internal.ConnectionState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The actuator endpoint {@code keepalive} ({@code /actuator/keepalive} once exposed, e.g. {@code
 * management.endpoints.web.exposure.include=health,keepalive}; like every endpoint but health it is
 * not exposed over HTTP by default):
 *
 * <ul>
 *   <li>{@code integrations}: per integration, the policy in force and the property it came from,
 *       what carries it and what it does not reach, and why;
 *   <li>{@code agent}: whether keepalive-agent runs in this JVM, its version and its MBean's
 *       attributes;
 *   <li>{@code connections}: on Java 22+ with keepalive-audit on the class path, this JVM's TCP
 *       connections as the kernel holds them, grouped by peer (connections accepted by this JVM by
 *       local port and client address) with their keepalive, state and the audit's flags;
 *       otherwise why not;
 *   <li>{@code notReachable}: what no starter can reach, and what does.
 * </ul>
 */
@Endpoint(id = "keepalive")
public class KeepaliveEndpoint {

  private static final List<String> NOT_REACHABLE = List.of(
      "WebClient.create() and WebClient.builder() (not Boot's WebClient.Builder bean)",
      "RestClient.create() and new RestTemplate() (not Boot's builders)",
      "the JDK's java.net.http.HttpClient, HttpURLConnection",
      "Kafka clients, ZooKeeper, MongoDB's default driver, and any library that opens its own"
          + " sockets",
      "use keepalive-agent (-javaagent:keepalive-agent.jar) for every connection of the JVM;"
          + " see docs/agent.md");

  private final KeepaliveSettings settings;
  private final KeepaliveWiring wiring;

  /**
   * The endpoint.
   *
   * @param settings the resolved properties
   * @param wiring the record of what was wired
   */
  public KeepaliveEndpoint(KeepaliveSettings settings, KeepaliveWiring wiring) {
    this.settings = Objects.requireNonNull(settings, "settings must not be null");
    this.wiring = Objects.requireNonNull(wiring, "wiring must not be null");
  }

  /**
   * The report.
   *
   * @return {@code integrations}, {@code agent}, {@code connections}, {@code notReachable}
   */
  @ReadOperation
  public Map<String, Object> keepalive() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("integrations", wiring.report());
    doc.put("agent", agent());
    doc.put("connections", connections());
    doc.put("notReachable", NOT_REACHABLE);
    return doc;
  }

  private static Map<String, Object> agent() {
    Map<String, Object> agent = new LinkedHashMap<>();
    Optional<String> version = AgentBridge.version();
    boolean mbean = AgentBridge.mbeanPresent();
    agent.put("present", version.isPresent() || mbean);
    version.ifPresent(v -> agent.put("version", v));
    if (mbean) {
      agent.put("mbean", AgentBridge.MBEAN);
      agent.put("counts", AgentBridge.attributes());
    }
    return agent;
  }

  private Map<String, Object> connections() {
    Map<String, Object> result = new LinkedHashMap<>();
    Optional<String> unavailable = AuditBridge.unavailable();
    if (unavailable.isPresent()) {
      result.put("available", false);
      result.put("reason", unavailable.get());
      return result;
    }
    List<Connection> connections;
    try {
      connections = AuditBridge.connections();
    } catch (IOException | RuntimeException e) {
      result.put("available", false);
      result.put("reason", "the audit failed: " + e);
      return result;
    }
    Optional<KeepalivePolicy> defaults = kernelDefaults();
    List<KeepalivePolicy> expected = new ArrayList<>(settings.inForce());
    Map<String, Integer> byState = new LinkedHashMap<>();
    for (ConnectionState s : ConnectionState.values()) {
      byState.put(s.tag(), 0);
    }
    Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
    for (Connection c : connections) {
      ConnectionState state = ConnectionState.of(c.policy(), expected, defaults);
      byState.merge(state.tag(), 1, Integer::sum);
      String peer = c.acceptedOnPort() > 0
          ? "accepted on port " + c.acceptedOnPort() + " from " + c.peerHost() : c.peer();
      String key = peer + " " + c.keepalive();
      Map<String, Object> group = groups.computeIfAbsent(key, k -> {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("peer", peer);
        g.put("keepalive", c.keepalive());
        g.put("state", state.tag());
        g.put("connections", 0);
        g.put("flags", flags(c.policy(), defaults));
        return g;
      });
      group.put("connections", (Integer) group.get("connections") + 1);
    }
    result.put("available", true);
    result.put("total", connections.size());
    result.put("byState", byState);
    result.put("peers", new ArrayList<>(groups.values()));
    return result;
  }

  /** The audit's warnings for one keepalive: off, the kernel's defaults, a middlebox outlasting idle. */
  static List<String> flags(KeepalivePolicy p, Optional<KeepalivePolicy> defaults) {
    List<String> flags = new ArrayList<>();
    if (!p.enabled()) {
      flags.add("keepalive off: a dead peer is never detected");
      return flags;
    }
    if (defaults.isPresent() && p.withoutUserTimeout().equals(defaults.get())) {
      flags.add(String.format(Locale.ROOT, "the kernel's defaults %d/%d/%d: a dead peer is"
              + " detected only after %d s", p.idleSeconds(), p.intervalSeconds(), p.probes(),
          p.detectionDeadline().getSeconds()));
    }
    Middlebox first = null;
    for (Middlebox m : Middlebox.values()) {
      if (m.forgets(p) && (first == null || m.idleTimeout().compareTo(first.idleTimeout()) < 0)) {
        first = m;
      }
    }
    if (first != null) {
      flags.add(String.format(Locale.ROOT, "idle %d s is not below the %d s idle timeout of %s:"
              + " an idle connection through it is dropped before the first probe",
          p.idleSeconds(), first.idleTimeout().getSeconds(), first.displayName()));
    }
    return flags;
  }

  private static Optional<KeepalivePolicy> kernelDefaults() {
    try {
      return KernelDefaults.current().policy();
    } catch (IllegalStateException e) {
      return Optional.empty();
    }
  }
}
