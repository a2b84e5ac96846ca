package dev.keepalive.spring.it;

import java.util.Map;

/**
 * The part of keepalive-agent's MXBean ({@code dev.keepalive.agent.KeepaliveAgentMXBean}) the
 * starter reads, by the attribute names agreed with the agent: a stand-in for the agent, which is
 * a -javaagent jar of its own.
 */
public interface FakeAgentMXBean {
  String getVersion();

  long getConnectionsApplied();

  long getConnectionsUnchanged();

  Map<String, Long> getRefusalsByOption();

  Map<String, Long> getIgnoredOverridesByOption();
}
