package dev.keepalive.micrometer.internal;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * What this JVM says about keepalive-agent, by the two names agreed with it: the system property
 * {@value #VERSION_PROPERTY} (set by the agent when it starts) and the MBean {@value #MBEAN}. The
 * agent's classes are relocated inside its jar, so they are never linked: only these names are.
 */
public final class AgentBridge {

  /** The system property keepalive-agent sets to its version. */
  public static final String VERSION_PROPERTY = "keepalive.agent.version";

  /** The MBean keepalive-agent registers with its counts. */
  public static final String MBEAN = "dev.keepalive:type=Agent";

  private AgentBridge() {}

  /**
   * The agent's version, if it runs in this JVM.
   *
   * @return the version from {@value #VERSION_PROPERTY}, or empty
   */
  public static Optional<String> version() {
    return Optional.ofNullable(System.getProperty(VERSION_PROPERTY));
  }

  /**
   * Whether the agent's MBean is registered.
   *
   * @return true if {@value #MBEAN} is in the platform MBean server
   */
  public static boolean mbeanPresent() {
    return server().isRegistered(Name.NAME);
  }

  /**
   * Every readable attribute of the agent's MBean, by name, as it reads now, in JSON-friendly
   * values (an MXBean's maps, {@code TabularData}, become maps).
   *
   * @return the attributes in the MBean's order; empty if it is not registered
   */
  public static Map<String, Object> attributes() {
    MBeanServer server = server();
    if (!server.isRegistered(Name.NAME)) {
      return Collections.emptyMap();
    }
    Map<String, Object> values = new LinkedHashMap<>();
    try {
      for (MBeanAttributeInfo a : server.getMBeanInfo(Name.NAME).getAttributes()) {
        if (a.isReadable()) {
          values.put(a.getName(), plain(attribute(a.getName())));
        }
      }
    } catch (JMException e) {
      values.put("error", e.toString());
    }
    return values;
  }

  /**
   * One numeric attribute of the agent's MBean, read now.
   *
   * @param name the attribute, e.g. {@code ConnectionsApplied}
   * @return its value, or NaN if the MBean or the attribute is not there
   */
  public static double count(String name) {
    Object value = attribute(name);
    return value instanceof Number ? ((Number) value).doubleValue() : Double.NaN;
  }

  /**
   * One entry of a by-key count of the agent's MBean (an MXBean {@code Map<String, Long>}), read
   * now.
   *
   * @param name the attribute, e.g. {@code IgnoredOverridesByOption}
   * @param key the key, e.g. {@code TCP_KEEPIDLE}
   * @return the count, 0 if the key is absent, NaN if the MBean or the attribute is not there
   */
  public static double count(String name, String key) {
    Object value = plain(attribute(name));
    if (!(value instanceof Map)) {
      return Double.NaN;
    }
    Object n = ((Map<?, ?>) value).get(key);
    return n instanceof Number ? ((Number) n).doubleValue() : 0;
  }

  private static Object attribute(String name) {
    try {
      return server().getAttribute(Name.NAME, name);
    } catch (JMException | RuntimeException e) {
      return null;
    }
  }

  /** An MXBean map ({@code TabularData} of key/value rows) as a map; anything else as it is. */
  static Object plain(Object value) {
    if (value instanceof TabularData) {
      Map<String, Object> map = new TreeMap<>();
      for (Object row : ((TabularData) value).values()) {
        CompositeData entry = (CompositeData) row;
        map.put(String.valueOf(entry.get("key")), entry.get("value"));
      }
      return map;
    }
    if (value instanceof String[]) {
      return Arrays.asList((String[]) value);
    }
    return value;
  }

  private static MBeanServer server() {
    return ManagementFactory.getPlatformMBeanServer();
  }

  /** The MBean's name, made at the first lookup: {@link #version()} needs no JMX. */
  private static final class Name {
    static final ObjectName NAME = objectName();

    private static ObjectName objectName() {
      try {
        return new ObjectName(MBEAN);
      } catch (JMException e) {
        throw new ExceptionInInitializerError(e);
      }
    }
  }
}
