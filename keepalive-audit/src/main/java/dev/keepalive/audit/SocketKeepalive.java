package dev.keepalive.audit;

import dev.keepalive.KeepalivePolicy;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The keepalive of one TCP socket as the kernel had it at the moment of the audit: its descriptor,
 * inode and addresses, its TCP state, the raw values of SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL,
 * TCP_KEEPCNT and TCP_USER_TIMEOUT, the {@linkplain #policy() policy} they make and, from TCP_INFO,
 * how far its keepalive timer has gone. Immutable; {@link #toString()} is one readable line.
 *
 * <p>Made by {@link KeepaliveAudit}. Stream sockets over IPv4 or IPv6 only: TCP, and Multipath TCP
 * ({@linkplain #protocol() protocol} {@code MPTCP}), whose keepalive the kernel keeps as TCP's.
 * UNIX-domain, UDP and raw sockets are never audited.
 *
 * <p>The raw values ({@link #keepaliveOn()}, {@link #idleSeconds()}, {@link #intervalSeconds()},
 * {@link #probes()}, {@link #userTimeout()}) are what the kernel holds (the tuning options with
 * keepalive on, where they are in force), even where no {@link KeepalivePolicy} has them: a
 * network namespace whose {@code net.ipv4.tcp_keepalive_probes}, {@code _intvl} or {@code _time}
 * is 0 gives its sockets a probe count, interval or idle of 0, which {@link #hasPolicy()} then
 * says and {@link #policy()} refuses.
 */
public final class SocketKeepalive {

  private static final String[] STATES = {"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV",
      "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
      "NEW_SYN_RECV", "BOUND_INACTIVE"};
  static final int ESTABLISHED = 1;
  static final int SYN_SENT = 2;
  static final int CLOSE = 7;
  static final int LISTEN = 10;

  private final int fd;
  private final long inode;
  private final int protocol;
  private final InetSocketAddress local;
  private final InetSocketAddress remote;
  private final int state;
  private final boolean keepaliveOn;
  private final int idleSeconds;
  private final int intervalSeconds;
  private final int probes;
  /** Null when the kernel's values make no policy (an idle, interval or probe count of 0). */
  private final KeepalivePolicy policy;
  private final int userTimeoutMillis;
  private final int probesSent;
  private final long sinceLastReceivedMillis;
  /** -1 when keepalive is off or its timer does not run in this state. */
  private final long timeLeftMillis;

  SocketKeepalive(int fd, long inode, int protocol, InetSocketAddress local,
      InetSocketAddress remote, int state, boolean keepaliveOn, int idleSeconds,
      int intervalSeconds, int probes, int userTimeoutMillis, int probesSent,
      long sinceLastReceivedMillis, KeepalivePolicy policy) {
    this.fd = fd;
    this.inode = inode;
    this.protocol = protocol;
    this.local = local;
    this.remote = remote;
    this.state = state;
    this.keepaliveOn = keepaliveOn;
    this.idleSeconds = idleSeconds;
    this.intervalSeconds = intervalSeconds;
    this.probes = probes;
    this.userTimeoutMillis = userTimeoutMillis;
    this.probesSent = probesSent;
    this.sinceLastReceivedMillis = sinceLastReceivedMillis;
    this.policy = policy;
    this.timeLeftMillis = timeLeftMillis(keepaliveOn, idleSeconds, intervalSeconds, probes, state,
        userTimeoutMillis, sinceLastReceivedMillis);
  }

  /**
   * The policy the kernel's values make, or null where none can hold them: keepalive off (with
   * the user timeout in force, if any), or on with the idle, interval, probes and user timeout.
   */
  static KeepalivePolicy policyOf(boolean keepaliveOn, int idle, int interval, int probes,
      int userTimeoutMillis) {
    KeepalivePolicy policy;
    if (!keepaliveOn) {
      policy = KeepalivePolicy.disabled();
    } else if (idle < 1 || interval < 1 || probes < 1) {
      return null;
    } else {
      policy = KeepalivePolicy.ofSeconds(idle, interval, probes);
    }
    return userTimeoutMillis > 0 ? policy.withUserTimeout(Duration.ofMillis(userTimeoutMillis))
        : policy;
  }

  /**
   * The time the kernel's {@code tcp_keepalive_timer} (net/ipv4/tcp_timer.c) still gives a silent
   * peer, in milliseconds; -1 when the timer does not run. See {@link #timeLeft()}.
   */
  static long timeLeftMillis(KeepalivePolicy policy, int state, int userTimeoutMillis,
      long sinceLastReceivedMillis) {
    return policy.enabled()
        ? timeLeftMillis(true, policy.idleSeconds(), policy.intervalSeconds(), policy.probes(),
            state, userTimeoutMillis, sinceLastReceivedMillis)
        : -1;
  }

  static long timeLeftMillis(boolean keepaliveOn, int idleSeconds, int intervalSeconds,
      int probes, int state, int userTimeoutMillis, long sinceLastReceivedMillis) {
    // The timer returns at once for CLOSE and SYN_SENT and is never armed on a listener.
    if (!keepaliveOn || state == CLOSE || state == SYN_SENT || state == LISTEN) {
      return -1;
    }
    return Math.max(0, deadlineMillis(idleSeconds, intervalSeconds, probes, userTimeoutMillis)
        - sinceLastReceivedMillis);
  }

  /**
   * The detection deadline from the last receive as {@code tcp_keepalive_timer} reaches it. Each
   * run at or past idle first resets the connection if it is due, else sends a probe and comes
   * back an interval later.
   */
  static long deadlineMillis(int idleSeconds, int intervalSeconds, int probes,
      int userTimeoutMillis) {
    long idle = idleSeconds * 1000L;
    long interval = intervalSeconds * 1000L;
    if (userTimeoutMillis == 0) {
      // Probes go out at idle, idle + interval, ...; the run that finds probes_out >=
      // keepalive_probes resets the connection: idle + probes × interval after the last receive.
      // A probe count of 0 resets it at idle, without a single probe.
      return idle + interval * probes;
    }
    // With TCP_USER_TIMEOUT the probe count is ignored: the first run (at idle + k × interval)
    // with elapsed >= user timeout and at least one probe out resets the connection. An interval
    // of 0 re-runs the timer at once, every tick: then at the user timeout, or just past idle.
    if (interval == 0) {
      return Math.max(idle, userTimeoutMillis);
    }
    long k = Math.max(1, ceilDiv(userTimeoutMillis - idle, interval));
    return idle + k * interval;
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  /**
   * The descriptor number in the audited process.
   *
   * @return the file descriptor, as listed in {@code /proc/PID/fd}
   */
  public int fd() {
    return fd;
  }

  /**
   * The socket's inode, as {@code /proc/PID/fd} shows it ({@code socket:[INODE]}) and {@code ss -e}
   * ({@code ino:INODE}): what tells this socket from another that later gets the same descriptor
   * number.
   *
   * @return the inode number
   */
  public long inode() {
    return inode;
  }

  /**
   * The transport protocol.
   *
   * @return {@code "TCP"}, or {@code "MPTCP"} for a Multipath TCP socket ({@code IPPROTO_MPTCP})
   */
  public String protocol() {
    return protocol == Linux.IPPROTO_MPTCP ? "MPTCP" : "TCP";
  }

  boolean mptcp() {
    return protocol == Linux.IPPROTO_MPTCP;
  }

  int protocolNumber() {
    return protocol;
  }

  int stateNumber() {
    return state;
  }

  /**
   * The local address ({@code getsockname}). An IPv4 connection on a dual-stack (IPv6) socket, as
   * Java makes them, shows its IPv4 address.
   *
   * @return the local address and port
   */
  public InetSocketAddress local() {
    return local;
  }

  /**
   * The peer's address ({@code getpeername}).
   *
   * @return the remote address and port, or empty for a listener or an unconnected socket
   */
  public Optional<InetSocketAddress> remote() {
    return Optional.ofNullable(remote);
  }

  /**
   * Whether this is a listening (server) socket. On Linux an accepted socket inherits the
   * listener's keepalive options, so a listener's {@link #policy()} is what its connections start
   * with.
   *
   * @return true in state {@code LISTEN}
   */
  public boolean listening() {
    return state == LISTEN;
  }

  /**
   * The TCP state, by the kernel's name (include/net/tcp_states.h).
   *
   * @return {@code "ESTABLISHED"}, {@code "LISTEN"}, {@code "CLOSE_WAIT"}, {@code "CLOSE"}, …
   */
  public String tcpState() {
    return state > 0 && state < STATES.length ? STATES[state] : "UNKNOWN(" + state + ")";
  }

  /**
   * Whether SO_KEEPALIVE is on.
   *
   * @return the kernel's SO_KEEPALIVE
   */
  public boolean keepaliveOn() {
    return keepaliveOn;
  }

  /**
   * TCP_KEEPIDLE as the kernel holds it: the socket's own, or where it never set one, its network
   * namespace's {@code net.ipv4.tcp_keepalive_time}. Read only with keepalive on, when it is in
   * force (three system calls fewer on each socket with keepalive off).
   *
   * @return seconds; 0 with keepalive off, or in a namespace whose {@code tcp_keepalive_time} is 0
   */
  public int idleSeconds() {
    return idleSeconds;
  }

  /**
   * TCP_KEEPINTVL as the kernel holds it (or {@code net.ipv4.tcp_keepalive_intvl}); read only with
   * keepalive on.
   *
   * @return seconds; 0 with keepalive off, or in a namespace whose {@code tcp_keepalive_intvl} is 0
   */
  public int intervalSeconds() {
    return intervalSeconds;
  }

  /**
   * TCP_KEEPCNT as the kernel holds it (or {@code net.ipv4.tcp_keepalive_probes}); read only with
   * keepalive on.
   *
   * @return the probe count; 0 with keepalive off, or in a namespace whose {@code
   *     tcp_keepalive_probes} is 0
   */
  public int probes() {
    return probes;
  }

  /**
   * Whether the kernel's values make a {@link KeepalivePolicy}: always, except for a socket with
   * keepalive on and an idle, interval or probe count of 0, which only a network namespace's
   * sysctls can give (setsockopt refuses 0). With a probe count of 0 and no user timeout the
   * kernel resets the connection at idle without sending a single probe; with an interval of 0 it
   * sends the probes back to back; with an idle of 0 it probes every interval even on a busy
   * connection ({@code tcp_keepalive_timer}, net/ipv4/tcp_timer.c).
   *
   * @return false only for such a socket
   */
  public boolean hasPolicy() {
    return policy != null;
  }

  /**
   * Exactly what the kernel has: {@link KeepalivePolicy#disabled()} when SO_KEEPALIVE is off (with
   * {@code ,user-timeout=…} when a user timeout is in force: {@code off,user-timeout=5s}), else
   * the socket's idle, interval and probes (its own values, or the network namespace's defaults
   * where it never set them) and, when it is above 0, the user timeout.
   *
   * @return the policy in force
   * @throws IllegalStateException if the kernel's values make no policy ({@link #hasPolicy()} is
   *     false); the message names them. The raw accessors still tell them.
   */
  public KeepalivePolicy policy() {
    if (policy == null) {
      throw new IllegalStateException("the kernel holds keepalive on with " + keepaliveText()
          + " on fd " + fd + ", which no KeepalivePolicy can hold (a network namespace's"
          + " net.ipv4.tcp_keepalive_* sysctl of 0); see hasPolicy() and the raw accessors");
    }
    return policy;
  }

  /**
   * The keepalive in the policy's text form, also where no policy can hold it: {@code off}, {@code
   * idle=60s,interval=10s,probes=3}, {@code idle=7200s,interval=75s,probes=0}; without the user
   * timeout.
   */
  String keepaliveText() {
    if (policy != null) {
      return policy.withoutUserTimeout().toString();
    }
    return "idle=" + idleSeconds + "s,interval=" + intervalSeconds + "s,probes=" + probes;
  }

  /**
   * TCP_USER_TIMEOUT as the kernel has it, also when keepalive is off: how long sent data may stay
   * unacknowledged before the connection is dropped. An MPTCP socket has none (the kernel refuses
   * the option on it).
   *
   * @return the user timeout, {@link Duration#ZERO} when it is 0 (the kernel's own retransmission
   *     limits apply)
   */
  public Duration userTimeout() {
    return Duration.ofMillis(userTimeoutMillis);
  }

  int userTimeoutMillis() {
    return userTimeoutMillis;
  }

  long sinceLastReceivedMillis() {
    return sinceLastReceivedMillis;
  }

  /**
   * Keepalive probes sent and not answered so far ({@code tcpi_probes}); back to 0 when anything
   * arrives from the peer.
   *
   * @return 0 … the probe count (more with a user timeout)
   */
  public int probesSent() {
    return probesSent;
  }

  /**
   * The time since the last packet from the peer: the smaller of {@code tcpi_last_data_recv} and
   * {@code tcpi_last_ack_recv}, which is what the kernel's keepalive timer measures idle from
   * ({@code keepalive_time_elapsed}). Kernel clock ticks (4 ms at HZ=250).
   *
   * @return the time since anything was last received
   */
  public Duration sinceLastReceived() {
    return Duration.ofMillis(sinceLastReceivedMillis);
  }

  /**
   * The time, as of the audit, before the kernel declares the peer dead if it stays silent: when
   * keepalive resets the connection and reads fail with ETIMEDOUT. As the kernel's
   * {@code tcp_keepalive_timer} computes it, from the last packet received:
   *
   * <ul>
   *   <li>without a user timeout: idle + interval × probes − {@link #sinceLastReceived()};
   *   <li>with TCP_USER_TIMEOUT u above 0 the probe count is ignored: the connection dies at the
   *       first probe time idle + k × interval (k ≥ 1) that is at or past u, so at idle + interval ×
   *       max(1, ⌈(u − idle) / interval⌉).
   * </ul>
   *
   * Never below zero. While sent data is unacknowledged the kernel sends no keepalive probes at all
   * ("alive without keepalive"): then retransmissions, bounded by the user timeout or
   * {@code tcp_retries2}, decide instead, and this value is what keepalive would give once the
   * data is acknowledged.
   *
   * <p>One case it cannot see: when keepalive was switched on (by the application, or by {@link
   * KeepaliveAudit#apply}) on a connection already idle, the kernel arms the timer for idle after
   * the switch ({@code tcp_set_keepalive}), not after the last receive. Until that first probe
   * the peer is declared dead up to the idle time already elapsed at the switch later than this
   * value says: it is then a lower bound. The kernel keeps no record of when that was.
   *
   * @return the time left, or empty when keepalive is off or its timer does not run in this state
   *     ({@code LISTEN}, {@code SYN_SENT}, {@code CLOSE})
   */
  public Optional<Duration> timeLeft() {
    return timeLeftMillis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(timeLeftMillis));
  }

  /**
   * Whether the local or the remote port is {@code port}: the audit's {@code --port} filter.
   *
   * @param port a TCP port
   * @return true if either end of this socket uses {@code port}
   */
  public boolean hasPort(int port) {
    return local.getPort() == port || (remote != null && remote.getPort() == port);
  }

  /**
   * Whether this is a connection to a peer on port {@code port}, e.g. the connections of a pool
   * to a database at port 5432 (listeners and the server side of such connections are not).
   *
   * @param port the peer's TCP port
   * @return true if the remote port is {@code port}
   */
  public boolean isConnectionTo(int port) {
    return remote != null && remote.getPort() == port;
  }

  /**
   * A socket address as people write it: {@code 127.0.0.1:8080}, {@code [::1]:8080}; no DNS.
   *
   * @param address an address
   * @return host address and port
   */
  static String format(InetSocketAddress address) {
    if (!(address.getAddress() instanceof Inet6Address)) {
      return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
    Inet6Address ip = (Inet6Address) address.getAddress();
    byte[] b = ip.getAddress();
    // RFC 5952: the longest run of two or more zero groups becomes "::", as ss prints it.
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && b[2 * j] == 0 && b[2 * j + 1] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 1 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff)));
    }
    if (ip.getScopeId() != 0) {
      text.append('%').append(ip.getScopeId());
    }
    return text.append("]:").append(address.getPort()).toString();
  }

  /** The local and remote addresses: {@code 127.0.0.1:41234 -> 127.0.0.1:5432}. */
  String endpoints() {
    return format(local) + (remote == null ? "" : " -> " + format(remote));
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SocketKeepalive)) {
      return false;
    }
    SocketKeepalive that = (SocketKeepalive) o;
    return fd == that.fd && inode == that.inode && protocol == that.protocol
        && state == that.state && keepaliveOn == that.keepaliveOn
        && idleSeconds == that.idleSeconds && intervalSeconds == that.intervalSeconds
        && probes == that.probes && userTimeoutMillis == that.userTimeoutMillis
        && probesSent == that.probesSent && sinceLastReceivedMillis == that.sinceLastReceivedMillis
        && local.equals(that.local) && Objects.equals(remote, that.remote);
  }

  @Override
  public int hashCode() {
    return Objects.hash(fd, inode, protocol, local, remote, state, keepaliveOn, idleSeconds,
        intervalSeconds, probes, userTimeoutMillis, probesSent, sinceLastReceivedMillis);
  }

  /**
   * One line: descriptor, addresses, state, keepalive, user timeout, probes sent, time since the
   * last receive and time left, e.g. {@code fd 12 127.0.0.1:41234 -> 127.0.0.1:5432 ESTABLISHED
   * idle=60s,interval=10s,probes=3 user-timeout=0ms probes-sent=0 last-received=1.204s-ago
   * time-left=88.796s}; an MPTCP socket says {@code ESTABLISHED MPTCP}.
   *
   * @return the line
   */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "fd %d %s %s%s %s user-timeout=%dms probes-sent=%d"
            + " last-received=%.3fs-ago time-left=%s", fd, endpoints(), tcpState(),
        mptcp() ? " MPTCP" : "", keepaliveOn ? keepaliveText() : "off", userTimeoutMillis,
        probesSent, sinceLastReceivedMillis / 1000.0,
        timeLeftMillis < 0 ? "none" : String.format(Locale.ROOT, "%.3fs", timeLeftMillis / 1000.0));
  }
}
