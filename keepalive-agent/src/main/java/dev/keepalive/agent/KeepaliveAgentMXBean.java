package dev.keepalive.agent;

import java.util.Map;

/**
 * What keepalive-agent did in this JVM, as the JMX MBean {@value #OBJECT_NAME}: the settings in
 * force and monotonic counts since the agent started, readable by any JMX client (jconsole, a
 * metrics library, the Spring Boot starter) without the agent's classes.
 *
 * <p>The MBean joins the platform MBean server when something first asks for it ({@code
 * ManagementFactory.getPlatformMBeanServer()}), so JMX costs a JVM that never uses it nothing.
 */
public interface KeepaliveAgentMXBean {

  /** The MBean's name. */
  String OBJECT_NAME = "dev.keepalive:type=Agent";

  /**
   * The agent's version, as in the system property {@code keepalive.agent.version}.
   *
   * @return e.g. {@code 0.1.0}
   */
  String getVersion();

  /**
   * The default policy ({@code keepalive.policy}), or {@code unchanged}.
   *
   * @return e.g. {@code idle=60s,interval=10s,probes=3}
   */
  String getPolicy();

  /**
   * The other rules in force, as {@code key=value}, most specific kind first.
   *
   * @return e.g. {@code keepalive.policy.to.5432=unchanged}; empty if none
   */
  String[] getRules();

  /**
   * {@code lenient} or {@code strict} ({@code keepalive.mode}).
   *
   * @return the mode
   */
  String getMode();

  /**
   * Whether clients' later keepalive calls are ignored ({@code keepalive.pinned}).
   *
   * @return true if pinned
   */
  boolean isPinned();

  /**
   * Connections the agent gave a policy to.
   *
   * @return the count since the agent started
   */
  long getConnectionsApplied();

  /**
   * Connections a rule of {@code unchanged} left as the client made them.
   *
   * @return the count since the agent started
   */
  long getConnectionsUnchanged();

  /**
   * Connections per rule (applied or left unchanged), by the rule's key ({@code keepalive.policy}
   * for the default). Reset when an attach replaces the settings.
   *
   * @return the counts, every rule present
   */
  Map<String, Long> getConnectionsByRule();

  /**
   * Options that could not be set: in lenient mode the connection went on without them, in strict
   * mode the connect or accept failed.
   *
   * @return the count since the agent started
   */
  long getRefusals();

  /**
   * {@link #getRefusals()} by option ({@code SO_KEEPALIVE}, {@code TCP_KEEPIDLE}, {@code
   * TCP_KEEPINTVL}, {@code TCP_KEEPCNT}, {@code TCP_USER_TIMEOUT}).
   *
   * @return the counts, every option present
   */
  Map<String, Long> getRefusalsByOption();

  /**
   * Clients' keepalive calls the pin ignored.
   *
   * @return the count since the agent started
   */
  long getIgnoredOverrides();

  /**
   * {@link #getIgnoredOverrides()} by option.
   *
   * @return the counts, every option present
   */
  Map<String, Long> getIgnoredOverridesByOption();
}
