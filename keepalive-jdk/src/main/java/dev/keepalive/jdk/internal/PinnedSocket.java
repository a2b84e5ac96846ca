package dev.keepalive.jdk.internal;

import dev.keepalive.KeepaliveCounters;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.JdkOptions;
import java.io.IOException;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Locale;

/**
 * A plain {@link Socket} whose keepalive options stay what keepalive-jdk last set on it: a client
 * library's later {@code setKeepAlive(false)} (pgjdbc's default {@code tcpKeepAlive=false}) or
 * {@code setOption(TCP_KEEPIDLE, 5)} (HttpClient 5's default {@code SocketConfig}) is ignored and
 * logged once per JVM for each distinct override.
 *
 * <p>The JDK routes every way of changing these options through two overridable methods:
 * {@link Socket#setKeepAlive(boolean)} (which calls the impl directly, not {@code setOption}) and
 * {@link Socket#setOption(SocketOption, Object)} (which {@code jdk.net.Sockets.setOption} and a
 * layered {@code SSLSocket} also end in). Reads are not overridden: {@code getKeepAlive()} and
 * {@code getOption} ask the kernel.
 *
 * <p>Only {@link SocketAccess#SOCKET} sets through {@link #setAndPin}, so {@code Keepalive.apply}
 * on a pinned socket still works and re-pins it to the new policy. An option keepalive-jdk never
 * set is not pinned (a disabled policy pins only SO_KEEPALIVE=false).
 */
public final class PinnedSocket extends Socket {

  /** The factory's logger name, so users find and configure it under the class they know. */
  static final String LOGGER_NAME = "dev.keepalive.jdk.KeepaliveSocketFactory";

  private static final SocketOption<Integer> IDLE = tcp(KeepaliveOption.TCP_KEEPIDLE);
  private static final SocketOption<Integer> INTERVAL = tcp(KeepaliveOption.TCP_KEEPINTERVAL);
  private static final SocketOption<Integer> COUNT = tcp(KeepaliveOption.TCP_KEEPCOUNT);

  // What keepalive-jdk last set; null: never set, so the client's call goes through.
  private volatile Boolean keepAlive;
  private volatile Integer idle;
  private volatile Integer interval;
  private volatile Integer count;

  /** An unconnected socket, as {@code new Socket()}. */
  public PinnedSocket() {}

  /**
   * An unconnected socket through {@code proxy}, as {@code new Socket(proxy)}.
   *
   * @param proxy the proxy
   * @throws IllegalArgumentException if the JDK's {@code Socket(Proxy)} refuses it
   */
  public PinnedSocket(Proxy proxy) {
    super(proxy);
  }

  private static SocketOption<Integer> tcp(KeepaliveOption option) {
    return JdkOptions.tcpOption(option).orElse(null);
  }

  /**
   * Sets {@code option} on the kernel and pins it to {@code value}: keepalive-jdk's own path.
   *
   * @param <T> the option's type
   * @param option the option
   * @param value the value
   * @throws IOException as {@link Socket#setOption}
   */
  public <T> void setAndPin(SocketOption<T> option, T value) throws IOException {
    super.setOption(option, value);
    if (option == StandardSocketOptions.SO_KEEPALIVE) {
      keepAlive = (Boolean) value;
      if (Boolean.FALSE.equals(value)) {
        // A disabled policy pins SO_KEEPALIVE alone: the tuning options of an earlier policy mean
        // nothing with keepalive off, and keeping them pinned would refuse (and log) a client's
        // harmless values in the name of a policy that is no longer in force.
        idle = null;
        interval = null;
        count = null;
      }
    } else if (option == IDLE) {
      idle = (Integer) value;
    } else if (option == INTERVAL) {
      interval = (Integer) value;
    } else if (option == COUNT) {
      count = (Integer) value;
    }
  }

  @Override
  public void setKeepAlive(boolean on) throws SocketException {
    Boolean pinned = keepAlive;
    if (pinned != null && pinned != on) {
      ignore(StandardSocketOptions.SO_KEEPALIVE, on, pinned);
      return;
    }
    super.setKeepAlive(on);
  }

  @Override
  public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
    Object pinned = pinned(name);
    // A null value goes to the JDK, which refuses it as it would on any socket.
    if (pinned != null && value != null && !pinned.equals(value)) {
      ignore(name, value, pinned);
      return this;
    }
    return super.setOption(name, value);
  }

  private Object pinned(SocketOption<?> name) {
    if (name == StandardSocketOptions.SO_KEEPALIVE) {
      return keepAlive;
    }
    if (name == null) {
      return null;
    }
    if (name == IDLE) {
      return idle;
    }
    if (name == INTERVAL) {
      return interval;
    }
    if (name == COUNT) {
      return count;
    }
    return null;
  }

  private void ignore(SocketOption<?> name, Object value, Object pinned) throws SocketException {
    if (isClosed()) {
      // What the JDK's own call gives on a closed socket: ignoring must not hide that.
      throw new SocketException("Socket is closed");
    }
    KeepaliveCounters.recordIgnoredOverride(option(name));
    String kept = kept();
    String key = name.name() + '=' + value + " kept " + kept;
    // One line per distinct override per JVM (IgnoredOverrides says why).
    if (IgnoredOverrides.firstTime(key)) {
      System.getLogger(LOGGER_NAME).log(System.Logger.Level.WARNING, () -> String.format(Locale.ROOT,
          "Ignored %s=%s set by %s on a socket from KeepaliveSocketFactory: its keepalive is pinned"
              + " to %s, so %s stays %s. To let the client's settings win, use"
              + " KeepaliveSocketFactory.overridable(); to silence this, configure the client to"
              + " leave keepalive alone or to set the policy's values. Logged once per JVM for"
              + " this override.",
          name.name(), value, IgnoredOverrides.caller(PinnedSocket.class.getName()), kept,
          name.name(), pinned));
    }
  }

  private static KeepaliveOption option(SocketOption<?> name) {
    if (name == IDLE) {
      return KeepaliveOption.TCP_KEEPIDLE;
    }
    if (name == INTERVAL) {
      return KeepaliveOption.TCP_KEEPINTERVAL;
    }
    return name == COUNT ? KeepaliveOption.TCP_KEEPCOUNT : KeepaliveOption.SO_KEEPALIVE;
  }

  /** The policy as pinned now, in the policy's own syntax where it is one. */
  private String kept() {
    Boolean on = keepAlive;
    Integer i = idle;
    Integer v = interval;
    Integer c = count;
    if (Boolean.FALSE.equals(on)) {
      return KeepalivePolicy.disabled().toString();
    }
    if (Boolean.TRUE.equals(on) && i != null && v != null && c != null) {
      try {
        return KeepalivePolicy.ofSeconds(i, v, c).toString();
      } catch (IllegalArgumentException e) {
        // Not a valid policy (cannot happen through Keepalive.apply): list the options instead.
      }
    }
    return String.format(Locale.ROOT, "SO_KEEPALIVE=%s, TCP_KEEPIDLE=%s, TCP_KEEPINTVL=%s,"
        + " TCP_KEEPCNT=%s", on, i, v, c);
  }
}
