package dev.keepalive.audit;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.KernelDefaults;
import dev.keepalive.Middlebox;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the command and the exporter say about one socket: its flags (warnings), how it differs from
 * an expected policy, and its state for the {@code keepalive_connections} metric. Written on the
 * raw values, so a socket whose values make no policy is judged as well.
 */
final class Findings {

  /** The exporter's states of an established connection. */
  static final String OFF = "off";
  static final String KERNEL_DEFAULT = "kernel_default";
  static final String POLICY = "policy";
  static final String MISMATCH = "mismatch";

  private Findings() {}

  /** Whether {@code s} is a connection: neither a listener nor unconnected. */
  static boolean isConnection(SocketKeepalive s) {
    return !s.listening() && s.remote().isPresent();
  }

  static List<String> flags(SocketKeepalive s) {
    List<String> flags = new ArrayList<>(2);
    if (!s.keepaliveOn()) {
      flags.add("keepalive off: a dead peer is never detected");
      return flags;
    }
    int idle = s.idleSeconds();
    boolean userTimeout = s.userTimeoutMillis() > 0;
    if (s.probes() == 0 && !userTimeout) {
      flags.add(String.format(Locale.ROOT, "probes 0 (net.ipv4.tcp_keepalive_probes of its"
          + " network namespace): the kernel resets the connection at idle, %d s after the last"
          + " receive, without sending a single probe", idle));
    }
    if (s.intervalSeconds() == 0) {
      flags.add("interval 0 (net.ipv4.tcp_keepalive_intvl of its network namespace): the kernel"
          + " sends its probes back to back at idle, so a peer that misses them for a moment is"
          + " declared dead");
    }
    if (idle == 0) {
      flags.add("idle 0 (net.ipv4.tcp_keepalive_time of its network namespace): the kernel"
          + " probes every interval, even while the connection is busy");
    }
    if (idle == 7200 && s.intervalSeconds() == 75 && s.probes() == 9) {
      flags.add("the Linux defaults 7200/75/9: a dead peer is detected only after 7875 s"
          + " (2 h 11 min 15 s)");
    }
    Middlebox first = null;
    int more = 0;
    for (Middlebox m : Middlebox.values()) {
      if (idle >= m.idleTimeout().getSeconds()) {
        if (first == null || m.idleTimeout().compareTo(first.idleTimeout()) < 0) {
          first = m;
        }
        more++;
      }
    }
    if (first != null) {
      flags.add(String.format(Locale.ROOT, "idle %d s is not below the %d s idle timeout of"
              + " %s%s: an idle connection through it is dropped before the first probe",
          idle, first.idleTimeout().getSeconds(), first.displayName(),
          more > 1 ? " (and " + (more - 1) + " more middlebox" + (more > 2 ? "es" : "") + ")"
              : ""));
    }
    return flags;
  }

  /** What differs from {@code expect}, or null if the socket carries it. */
  static String difference(KeepalivePolicy expect, SocketKeepalive s) {
    if (!expect.enabled()) {
      if (s.keepaliveOn()) {
        return "keepalive is on (" + s.keepaliveText() + "), expected off";
      }
    } else if (!s.keepaliveOn()) {
      return "keepalive is off, expected " + expect;
    }
    List<String> d = new ArrayList<>();
    if (expect.enabled()) {
      if (s.idleSeconds() != expect.idleSeconds()) {
        d.add("idle " + s.idleSeconds() + " s, expected " + expect.idleSeconds() + " s");
      }
      if (s.intervalSeconds() != expect.intervalSeconds()) {
        d.add("interval " + s.intervalSeconds() + " s, expected " + expect.intervalSeconds()
            + " s");
      }
      if (s.probes() != expect.probes()) {
        d.add("probes " + s.probes() + ", expected " + expect.probes());
      }
    }
    if (expect.hasUserTimeout() && s.userTimeoutMillis() != expect.userTimeoutMillis()) {
      d.add("user timeout " + millis(s.userTimeoutMillis()) + ", expected "
          + millis(expect.userTimeoutMillis()));
    }
    return d.isEmpty() ? null : String.join("; ", d);
  }

  /**
   * The metric state of a connection: off, kernel_default (keepalive on with the values a network
   * namespace starts with, 7200/75/9, or this one's sysctls: the socket never set its own, or set
   * exactly those), else policy; with {@code expect}, a connection with values of its own that
   * differ from it is a mismatch.
   */
  static String state(SocketKeepalive s, KeepalivePolicy expect, KeepalivePolicy defaults) {
    if (!s.keepaliveOn()) {
      return OFF;
    }
    if ((s.idleSeconds() == 7200 && s.intervalSeconds() == 75 && s.probes() == 9)
        || (defaults != null && defaults.enabled() && s.idleSeconds() == defaults.idleSeconds()
        && s.intervalSeconds() == defaults.intervalSeconds()
        && s.probes() == defaults.probes())) {
      return KERNEL_DEFAULT;
    }
    return expect != null && difference(expect, s) != null ? MISMATCH : POLICY;
  }

  /** The namespace defaults of the auditing process, or null where they cannot be read. */
  static KeepalivePolicy kernelDefaults() {
    try {
      return KernelDefaults.current().policy().orElse(null);
    } catch (IllegalStateException e) {
      return null; // a namespace whose sysctls hold a 0: no policy, and no socket matches it
    }
  }

  /** The detection deadline from the last receive, as the kernel computes it; -1 if none. */
  static long deadlineMillis(SocketKeepalive s) {
    if (!s.keepaliveOn() || s.listening()) {
      return -1;
    }
    return SocketKeepalive.deadlineMillis(s.idleSeconds(), s.intervalSeconds(), s.probes(),
        s.userTimeoutMillis());
  }

  /** {@code 1500 ms}, {@code 30 s}. */
  static String millis(long millis) {
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }
}
