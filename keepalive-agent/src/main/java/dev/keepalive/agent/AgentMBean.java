package dev.keepalive.agent;

import dev.keepalive.KeepaliveCounters;
import dev.keepalive.KeepaliveOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** {@link KeepaliveAgentMXBean}, reading the agent's counters and settings as they are now. */
final class AgentMBean implements KeepaliveAgentMXBean {

  private static volatile boolean registered;

  private AgentMBean() {}

  /**
   * Registers the MBean with {@code server} once: from the hook on {@code
   * ManagementFactory.getPlatformMBeanServer()}.
   *
   * @param server the platform MBean server
   */
  static void register(Object server) {
    if (registered || !(server instanceof MBeanServer)) {
      return;
    }
    synchronized (AgentMBean.class) {
      if (registered) {
        return;
      }
      registered = true;
      try {
        ObjectName name = new ObjectName(OBJECT_NAME);
        MBeanServer s = (MBeanServer) server;
        if (!s.isRegistered(name)) {
          s.registerMBean(new AgentMBean(), name);
        }
      } catch (JMException | RuntimeException e) {
        Hooks.warnOnce("mbean", () -> "keepalive-agent cannot register its MBean "
            + OBJECT_NAME + ": " + e + ". Logged once per JVM.");
      }
    }
  }

  @Override
  public String getVersion() {
    return KeepaliveAgent.version();
  }

  @Override
  public String getPolicy() {
    return Hooks.settings().rules.defaultRule().value;
  }

  @Override
  public String[] getRules() {
    List<Rule> all = Hooks.settings().rules.all();
    return all.subList(1, all.size()).stream().map(Rule::toString).toArray(String[]::new);
  }

  @Override
  public String getMode() {
    return Hooks.settings().mode.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public boolean isPinned() {
    return Hooks.settings().pinned;
  }

  @Override
  public long getConnectionsApplied() {
    return Hooks.APPLIED.sum();
  }

  @Override
  public long getConnectionsUnchanged() {
    return Hooks.UNCHANGED.sum();
  }

  @Override
  public Map<String, Long> getConnectionsByRule() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Rule r : Hooks.settings().rules.all()) {
      counts.put(r.key, r.connections.sum());
    }
    return counts;
  }

  @Override
  public long getRefusals() {
    long sum = 0;
    for (int i = 0; i < Hooks.REFUSED.length(); i++) {
      sum += Hooks.REFUSED.get(i);
    }
    return sum;
  }

  @Override
  public Map<String, Long> getRefusalsByOption() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (KeepaliveOption o : KeepaliveOption.values()) {
      counts.put(o.kernelName(), Hooks.REFUSED.get(o.ordinal()));
    }
    return counts;
  }

  @Override
  public long getIgnoredOverrides() {
    return KeepaliveCounters.ignoredOverrides();
  }

  @Override
  public Map<String, Long> getIgnoredOverridesByOption() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (KeepaliveOption o : KeepaliveOption.values()) {
      counts.put(o.kernelName(), KeepaliveCounters.ignoredOverrides(o));
    }
    return counts;
  }
}
