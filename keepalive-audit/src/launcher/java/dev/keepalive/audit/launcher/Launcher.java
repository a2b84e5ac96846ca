package dev.keepalive.audit.launcher;

import java.lang.reflect.InvocationTargetException;

/**
 * The jar's Main-Class, compiled for Java 8 so that any JVM can load it: on a Java older than 22
 * it prints one line naming the Java it found and exits 2, instead of an {@code
 * UnsupportedClassVersionError}; on Java 22+ it runs {@code dev.keepalive.audit.Audit}.
 */
public final class Launcher {

  private Launcher() {}

  /**
   * Checks the Java version, then runs the command.
   *
   * @param args the command's arguments
   * @throws Throwable whatever the command throws
   */
  public static void main(String[] args) throws Throwable {
    String spec = System.getProperty("java.specification.version", "0");
    // "1.8" before Java 9, "17", "25" after.
    String feature = spec.startsWith("1.") ? spec.substring(2) : spec;
    int dot = feature.indexOf('.');
    int version;
    try {
      version = Integer.parseInt(dot < 0 ? feature : feature.substring(0, dot));
    } catch (NumberFormatException e) {
      version = 0;
    }
    if (version < 22) {
      System.err.println("keepalive-audit needs Java 22+, this is Java "
          + System.getProperty("java.version"));
      System.exit(2);
      return;
    }
    try {
      Class.forName("dev.keepalive.audit.Audit").getMethod("main", String[].class)
          .invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
