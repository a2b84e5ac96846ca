package dev.keepalive.micrometer.internal;

import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

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

  private static final ObjectName NAME = objectName();

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
    return server().isRegistered(NAME);
  }

  /**
   * Every readable attribute of the agent's MBean, by name, as it reads now.
   *
   * @return the attributes in the MBean's order; empty if it is not registered
   */
  public static Map<String, Object> attributes() {
    MBeanServer server = server();
    if (!server.isRegistered(NAME)) {
      return Collections.emptyMap();
    }
    Map<String, Object> values = new LinkedHashMap<>();
    try {
      for (MBeanAttributeInfo a : server.getMBeanInfo(NAME).getAttributes()) {
        if (a.isReadable()) {
          values.put(a.getName(), attribute(a.getName()));
        }
      }
    } catch (JMException e) {
      values.put("error", e.toString());
    }
    return values;
  }

  /**
   * The names of the agent MBean's numeric attributes: its counts.
   *
   * @return the names; empty if it is not registered
   */
  public static Map<String, String> numericAttributes() {
    MBeanServer server = server();
    if (!server.isRegistered(NAME)) {
      return Collections.emptyMap();
    }
    Map<String, String> names = new LinkedHashMap<>();
    try {
      for (MBeanAttributeInfo a : server.getMBeanInfo(NAME).getAttributes()) {
        if (a.isReadable() && isNumber(a.getType())) {
          names.put(a.getName(), a.getDescription());
        }
      }
    } catch (JMException e) {
      return Collections.emptyMap();
    }
    return names;
  }

  /**
   * One attribute of the agent's MBean, read now.
   *
   * @param name the attribute
   * @return its value, or null if the MBean or the attribute is gone
   */
  public static Object attribute(String name) {
    try {
      return server().getAttribute(NAME, name);
    } catch (JMException | RuntimeException e) {
      return null;
    }
  }

  private static boolean isNumber(String type) {
    switch (type) {
      case "long":
      case "int":
      case "java.lang.Long":
      case "java.lang.Integer":
        return true;
      default:
        return false;
    }
  }

  private static MBeanServer server() {
    return ManagementFactory.getPlatformMBeanServer();
  }

  private static ObjectName objectName() {
    try {
      return new ObjectName(MBEAN);
    } catch (JMException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
