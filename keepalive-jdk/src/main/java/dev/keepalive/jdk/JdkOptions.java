package dev.keepalive.jdk;

import dev.keepalive.KeepaliveOption;
import dev.keepalive.Platform;
import java.net.SocketOption;
import java.util.Optional;

/**
 * The JDK's socket options for each {@link KeepaliveOption}, and whether this runtime has them. The
 * one place that touches {@code jdk.net}: TCP_KEEPIDLE, TCP_KEEPINTERVAL and TCP_KEEPCOUNT live in
 * {@code jdk.net.ExtendedSocketOptions} (JDK 11+ on Linux and macOS, JDK-8194298; Windows from
 * JDK-8308593), and {@code jdk.net} can be missing from a runtime: Elasticsearch shipped a release whose
 * keepalive settings silently did nothing for that reason (elastic/elasticsearch#88897). The JDK has
 * no TCP_USER_TIMEOUT at all.
 */
public final class JdkOptions {

  private static final boolean JDK_NET = ModuleLayer.boot().findModule("jdk.net").isPresent()
      || JdkOptions.class.getModule().getLayer() != null
          && JdkOptions.class.getModule().getLayer().findModule("jdk.net").isPresent();

  private JdkOptions() {}

  /**
   * Whether this runtime has {@code jdk.net.ExtendedSocketOptions}.
   *
   * @return false on a runtime built or started without the {@code jdk.net} module
   */
  public static boolean extendedOptionsAvailable() {
    return JDK_NET;
  }

  /**
   * The {@code jdk.net} option that carries {@code option}. Whether a particular socket supports it
   * is a separate question ({@code supportedOptions()}; Windows builds before JDK-8308593 lack them).
   *
   * @param option TCP_KEEPIDLE, TCP_KEEPINTERVAL, TCP_KEEPCOUNT or TCP_USER_TIMEOUT
   * @return the JDK's option, or empty when this runtime has no {@code jdk.net} or the JDK has no such
   *     option (TCP_USER_TIMEOUT)
   * @throws NullPointerException if {@code option} is null
   * @throws IllegalArgumentException for SO_KEEPALIVE, which is
   *     {@link java.net.StandardSocketOptions#SO_KEEPALIVE}
   */
  public static Optional<SocketOption<Integer>> tcpOption(KeepaliveOption option) {
    if (option == null) {
      throw new NullPointerException("option must not be null");
    }
    switch (option) {
      case SO_KEEPALIVE:
        throw new IllegalArgumentException(
            "option must be a TCP_ option, was SO_KEEPALIVE (use StandardSocketOptions.SO_KEEPALIVE)");
      case TCP_USER_TIMEOUT:
        return Optional.empty();
      default:
        return JDK_NET ? Optional.of(Extended.of(option)) : Optional.empty();
    }
  }

  /**
   * This runtime, for messages and reports.
   *
   * @return e.g. {@code "JDK 17.0.15 (Debian) on Linux 6.18.44"}
   */
  public static String runtime() {
    return "JDK " + System.getProperty("java.runtime.version", System.getProperty("java.version"))
        + " (" + System.getProperty("java.vendor", "unknown vendor") + ") on "
        + Platform.current().displayName() + " " + System.getProperty("os.version", "")
        + (JDK_NET ? "" : " without jdk.net");
  }

  /** Loaded only when jdk.net is present, so its absence is never a NoClassDefFoundError. */
  private static final class Extended {
    static SocketOption<Integer> of(KeepaliveOption option) {
      switch (option) {
        case TCP_KEEPIDLE:
          return jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE;
        case TCP_KEEPINTERVAL:
          return jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL;
        default:
          return jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT;
      }
    }
  }
}
