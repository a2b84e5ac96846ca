package dev.keepalive.spring.boot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What the starter wired in this application and what it could not, per integration: each hook
 * records itself when Spring Boot runs it (a server customizer, a connector builder, a DataSource
 * bean), so the record shows what really happened, not what the class path suggests. Read by the
 * actuator endpoint and logged once when the application is ready. Thread-safe.
 */
public final class KeepaliveWiring {

  private static final Log LOG = LogFactory.getLog(KeepaliveWiring.class);

  private final KeepaliveSettings settings;
  private final Map<KeepaliveIntegration, List<String>> wired =
      new EnumMap<>(KeepaliveIntegration.class);
  private final Map<KeepaliveIntegration, List<String>> notWired =
      new EnumMap<>(KeepaliveIntegration.class);

  /**
   * An empty record.
   *
   * @param settings the resolved properties
   */
  public KeepaliveWiring(KeepaliveSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings must not be null");
  }

  /**
   * Records that {@code integration}'s policy reaches {@code what}.
   *
   * @param integration the integration
   * @param what what carries the policy now, e.g. {@code Reactor Netty server: every accepted
   *     connection}
   */
  public synchronized void wired(KeepaliveIntegration integration, String what) {
    wired.computeIfAbsent(integration, i -> new ArrayList<>()).add(what);
  }

  /**
   * Records that {@code integration}'s policy does not reach something the application has.
   *
   * @param integration the integration
   * @param why what was not reached and why, with what to do instead
   */
  public synchronized void notWired(KeepaliveIntegration integration, String why) {
    notWired.computeIfAbsent(integration, i -> new ArrayList<>()).add(why);
  }

  /**
   * What carries {@code integration}'s policy.
   *
   * @param integration the integration
   * @return the records, in the order the hooks ran
   */
  public synchronized List<String> wiredTo(KeepaliveIntegration integration) {
    return Collections.unmodifiableList(new ArrayList<>(
        wired.getOrDefault(integration, Collections.emptyList())));
  }

  /**
   * What {@code integration}'s policy does not reach, and why. When the integration has a policy
   * and no hook ran at all, the one reason is that the application has none of its technology.
   *
   * @param integration the integration
   * @return the reasons
   */
  public synchronized List<String> notWiredTo(KeepaliveIntegration integration) {
    List<String> reasons = new ArrayList<>(
        notWired.getOrDefault(integration, Collections.emptyList()));
    if (reasons.isEmpty() && !wired.containsKey(integration)
        && settings.policy(integration).isPresent()) {
      reasons.add(nothingFound(integration));
    }
    return Collections.unmodifiableList(reasons);
  }

  /**
   * Per integration, its policy and where it goes, for the endpoint and the log.
   *
   * @return integration key to a map of {@code policy}, {@code source}, {@code wired}, {@code
   *     notWired}
   */
  public Map<String, Map<String, Object>> report() {
    Map<String, Map<String, Object>> all = new LinkedHashMap<>();
    for (KeepaliveIntegration i : KeepaliveIntegration.values()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("policy", settings.describe(i));
      one.put("source", settings.source(i).orElse(null));
      one.put("wired", wiredTo(i));
      one.put("notWired", notWiredTo(i));
      all.put(i.key(), one);
    }
    return all;
  }

  /** Logs, once, what was wired and what was not: nothing succeeds silently. */
  public void logSummary() {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    StringBuilder line = new StringBuilder("keepalive:");
    for (KeepaliveIntegration i : KeepaliveIntegration.values()) {
      String policy = settings.describe(i);
      if (policy.equals("none")) {
        continue;
      }
      line.append("\n  ").append(i.key()).append(' ').append(policy);
      for (String w : wiredTo(i)) {
        line.append("\n    -> ").append(w);
      }
      for (String n : notWiredTo(i)) {
        line.append("\n    not wired: ").append(n);
      }
    }
    if (line.indexOf("\n") < 0) {
      line.append(" no policy configured (set keepalive.policy, e.g.")
          .append(" keepalive.policy=idle=60s,interval=10s,probes=3)");
    }
    LOG.info(line);
  }

  private static String nothingFound(KeepaliveIntegration integration) {
    switch (integration) {
      case SERVER:
        return "no embedded Reactor Netty, Tomcat or Jetty server was created by Spring Boot";
      case WEBCLIENT:
        return "Spring Boot built no WebClient connector (no WebClient.Builder in use, or no"
            + " Reactor Netty)";
      case REST_CLIENT:
        return "Spring Boot built no ClientHttpRequestFactoryBuilder (no RestClient.Builder or"
            + " RestTemplateBuilder in use)";
      case DATASOURCE:
        return "no HikariDataSource bean was created";
      default:
        return "Spring Boot created no Lettuce ClientResources (no Spring Data Redis on Lettuce)";
    }
  }
}
