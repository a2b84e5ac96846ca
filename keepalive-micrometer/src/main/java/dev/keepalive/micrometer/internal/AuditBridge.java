package dev.keepalive.micrometer.internal;

import dev.keepalive.KeepalivePolicy;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * This JVM's TCP connections through keepalive-audit's public API ({@code
 * KeepaliveAudit.thisProcess()}), found at run time: the audit needs Java 22+ (the FFM API), and
 * this module runs on Java 11+, so it cannot be linked at compile time. Listeners are left out.
 *
 * <p>Nothing here runs at start-up: whether the audit is there is known from the Java version and
 * its class file, without loading it; its classes are loaded and its methods looked up at the
 * first read (a meter read, an actuator request).
 */
public final class AuditBridge {

  private static final String AUDIT = "dev.keepalive.audit.KeepaliveAudit";
  private static final String SOCKET = "dev.keepalive.audit.SocketKeepalive";

  private AuditBridge() {}

  /**
   * Whether keepalive-audit can be asked here: Java 22+ and its classes on the class path. Known
   * without loading them, for a meter binder that registers at start-up.
   *
   * @return true if {@link #unavailable()} has no reason before the audit is looked up
   */
  public static boolean present() {
    return Absent.WHY == null;
  }

  /**
   * Why this JVM's connections cannot be read, or empty if they can. Looks the audit up (once) if
   * it is {@link #present()}.
   *
   * @return e.g. {@code "keepalive-audit needs Java 22+ (the FFM API); this is Java 17"}
   */
  public static Optional<String> unavailable() {
    return Optional.ofNullable(Absent.WHY != null ? Absent.WHY : Handles.FOUND.unavailable);
  }

  /** Why the audit is not there, found once (a class-path lookup), or null if it is. */
  private static final class Absent {
    static final String WHY = find();

    private static String find() {
      int feature = Runtime.version().feature();
      if (feature < 22) {
        return "keepalive-audit needs Java 22+ (the FFM API); this is Java " + feature;
      }
      ClassLoader loader = AuditBridge.class.getClassLoader();
      if (loader == null || loader.getResource(AUDIT.replace('.', '/') + ".class") == null) {
        return "keepalive-audit is not on the class path (add dev.keepalive:keepalive-audit to"
            + " read this JVM's connections)";
      }
      return null;
    }
  }

  /**
   * Every TCP connection of this JVM (listeners left out), read from the kernel now.
   *
   * @return the connections, in descriptor order
   * @throws IllegalStateException if {@link #unavailable()} says why not
   * @throws IOException if the audit fails (its message says why)
   */
  public static List<Connection> connections() throws IOException {
    Optional<String> unavailable = unavailable();
    if (unavailable.isPresent()) {
      throw new IllegalStateException(unavailable.get());
    }
    Handles h = Handles.FOUND;
    List<?> sockets = (List<?>) h.call(h.thisProcess, null);
    Set<Integer> listening = new HashSet<>();
    for (Object s : sockets) {
      if ((Boolean) h.call(h.listening, s)) {
        listening.add(((InetSocketAddress) h.call(h.local, s)).getPort());
      }
    }
    List<Connection> connections = new ArrayList<>(sockets.size());
    for (Object s : sockets) {
      if ((Boolean) h.call(h.listening, s)) {
        continue;
      }
      int localPort = ((InetSocketAddress) h.call(h.local, s)).getPort();
      InetSocketAddress remote = (InetSocketAddress) ((Optional<?>) h.call(h.remote, s))
          .orElse(null);
      KeepalivePolicy policy = (KeepalivePolicy) h.call(h.policy, s);
      Duration userTimeout = (Duration) h.call(h.userTimeout, s);
      connections.add(new Connection(remote == null ? "-" : format(remote),
          remote == null ? "-" : host(remote), listening.contains(localPort) ? localPort : 0,
          (String) h.call(h.tcpState, s), policy, userTimeout.toMillis()));
    }
    return connections;
  }

  /** An address as people write it, without DNS: {@code 127.0.0.1:5432}, {@code [::1]:5432}. */
  static String format(InetSocketAddress address) {
    return host(address) + ":" + address.getPort();
  }

  static String host(InetSocketAddress address) {
    String host = address.getAddress() == null ? address.getHostString()
        : address.getAddress().getHostAddress();
    return address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host;
  }

  /** The audit's methods, looked up once, when first needed. */
  private static final class Handles {
    static final Handles FOUND = find();

    final String unavailable;
    final Method thisProcess;
    final Method local;
    final Method listening;
    final Method remote;
    final Method policy;
    final Method userTimeout;
    final Method tcpState;

    private Handles(String unavailable, Method... m) {
      this.unavailable = unavailable;
      this.thisProcess = m.length > 0 ? m[0] : null;
      this.local = m.length > 0 ? m[1] : null;
      this.listening = m.length > 0 ? m[2] : null;
      this.remote = m.length > 0 ? m[3] : null;
      this.policy = m.length > 0 ? m[4] : null;
      this.userTimeout = m.length > 0 ? m[5] : null;
      this.tcpState = m.length > 0 ? m[6] : null;
    }

    static Handles find() {
      try {
        ClassLoader loader = AuditBridge.class.getClassLoader();
        Class<?> audit = Class.forName(AUDIT, true, loader);
        Class<?> socket = Class.forName(SOCKET, true, loader);
        return new Handles(null, audit.getMethod("thisProcess"), socket.getMethod("local"),
            socket.getMethod("listening"),
            socket.getMethod("remote"), socket.getMethod("policy"),
            socket.getMethod("userTimeout"), socket.getMethod("tcpState"));
      } catch (ClassNotFoundException e) {
        return new Handles("keepalive-audit is not on the class path (add"
            + " dev.keepalive:keepalive-audit to read this JVM's connections)");
      } catch (NoSuchMethodException | LinkageError e) {
        return new Handles("keepalive-audit on the class path does not match this version: " + e);
      }
    }

    Object call(Method method, Object target) throws IOException {
      try {
        return method.invoke(target);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IOException) {
          throw (IOException) cause;
        }
        if (cause instanceof RuntimeException) {
          throw (RuntimeException) cause;
        }
        if (cause instanceof Error) {
          throw (Error) cause;
        }
        throw new IOException(cause);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("keepalive-audit's " + method + " is not accessible", e);
      }
    }
  }
}
