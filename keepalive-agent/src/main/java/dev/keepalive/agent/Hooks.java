package dev.keepalive.agent;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveCounters;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.jdk.JdkOptions;
import dev.keepalive.jdk.internal.IgnoredOverrides;
import dev.keepalive.spi.KeepaliveApplier;
import dev.keepalive.spi.SocketOptionAccess;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * What the instrumented methods call: the one place that decides a connection's policy, applies it
 * through keepalive-api's {@link KeepaliveApplier} (with keepalive-jdk's {@code SocketAccess} for
 * the JDK's sockets, {@link NettyAccess} for Netty's native channels), pins it, and counts.
 *
 * <p>The JDK's classes reach {@link #dispatch} through a {@code MethodHandle} in a small class the
 * agent defines in {@code java.base} ({@link Bridge}): code inserted into {@code java.base} can
 * only see the boot loader, and appending a jar to the boot class path would make every JVM print
 * a CDS warning. Netty's classes, loaded by the application, call {@link #nettyConnect} and {@link
 * #nettyRegister} directly.
 *
 * <p><b>Per-socket state.</b> The default path keeps none: a connection's rule is chosen from its
 * peer (or local port) when it connects or is accepted, and chosen again from the same addresses
 * when a client later changes a keepalive option, so no map entry is made per connection. The only
 * state is kept for the rare sockets a client configures before it connects (a weak map, until the
 * connect settles it) and for the ports connections were accepted on (a bit set), which tells an
 * accepted connection from one the application opened.
 */
public final class Hooks {

  static final int SOCKET_CONNECT = 0;
  static final int SOCKET_ACCEPTED = 1;
  static final int SOCKET_OPTION = 2;
  static final int SOCKET_KEEPALIVE = 3;
  static final int CHANNEL_CONNECT = 4;
  static final int CHANNEL_ACCEPTED = 5;
  static final int CHANNEL_OPTION = 6;
  static final int ASYNC_CONNECT = 7;
  static final int ASYNC_ACCEPTED = 8;
  static final int ASYNC_OPTION = 9;
  static final int MBEAN_SERVER = 10;

  /** The package of the agent itself, for stack walks: computed, so shading leaves it alone. */
  static final String AGENT_PACKAGE = Hooks.class.getPackage().getName() + ".";
  /**
   * The package prefix of the application's own keepalive-jdk (not the agent's relocated copy),
   * the first frame of its {@code Keepalive.apply}: a socket it configures is the application's.
   * Built at run time so that the shade plugin, which rewrites string constants that look like
   * relocated names, leaves it as is.
   */
  static final String LIBRARY_PACKAGE = String.join(".", "dev", "keepalive", "jdk", "");
  /** KeepaliveSocketFactory's socket class in the application (not the relocated copy). */
  static final String FACTORY_SOCKET = LIBRARY_PACKAGE + "internal.PinnedSocket";

  private static volatile Settings settings;

  /** Connections given a policy, and left unchanged, since the agent started. */
  static final LongAdder APPLIED = new LongAdder();
  static final LongAdder UNCHANGED = new LongAdder();
  /** Options refused (lenient) or failing a connection (strict), by {@link KeepaliveOption}. */
  static final AtomicLongArray REFUSED = new AtomicLongArray(KeepaliveOption.values().length);

  /** Ports connections were accepted on: 65536 bits. */
  private static final AtomicLongArray ACCEPTED_PORTS = new AtomicLongArray(1024);

  /** Sockets a client set keepalive options on before connecting, until the connect settles them. */
  private static final Map<Object, Pending> PENDING =
      Collections.synchronizedMap(new WeakHashMap<>());
  private static volatile boolean pendingUsed;

  /**
   * Per thread: [{@link #APPLYING}] while the agent itself sets options (its writes pass the pin),
   * [{@link #LOGGING}] while it logs (a logging backend that connects must not recurse).
   */
  private static final ThreadLocal<boolean[]> BUSY = new ThreadLocal<boolean[]>() {
    @Override
    protected boolean[] initialValue() {
      return new boolean[2];
    }
  };
  private static final int APPLYING = 0;
  private static final int LOGGING = 1;

  private Hooks() {}

  /** jdk.net's options, loaded at the first option call rather than at start-up. */
  private static final class Tcp {
    static final SocketOption<Integer> IDLE = tcp(KeepaliveOption.TCP_KEEPIDLE);
    static final SocketOption<Integer> INTERVAL = tcp(KeepaliveOption.TCP_KEEPINTERVAL);
    static final SocketOption<Integer> COUNT = tcp(KeepaliveOption.TCP_KEEPCOUNT);

    private static SocketOption<Integer> tcp(KeepaliveOption option) {
      return JdkOptions.tcpOption(option).orElse(null);
    }
  }

  /** Installs or replaces the settings every hook reads from now on. */
  static void use(Settings s) {
    settings = s;
  }

  static Settings settings() {
    return settings;
  }

  /**
   * The entry point of every hook in the JDK's classes.
   *
   * @param op what happened: {@link #SOCKET_CONNECT} and the other constants
   * @param self the instrumented object
   * @param a the first argument: the peer, the accepted socket, the option
   * @param b the second argument: the option's value
   * @return for an option call, the value the JDK sets: {@code b}, or the pinned value in its
   *     place; else null
   * @throws Throwable in strict mode, what failed the connect or accept
   */
  static Object dispatch(int op, Object self, Object a, Object b) throws Throwable {
    Settings s = settings;
    if (s == null) {
      return b;
    }
    switch (op) {
      case SOCKET_CONNECT:
        if (a instanceof InetSocketAddress) {
          Socket socket = (Socket) self;
          if (!socket.isConnected() && !socket.isClosed()) {
            connect(s, Kind.SOCKET, socket, (InetSocketAddress) a);
          }
        }
        return null;
      case SOCKET_ACCEPTED:
        accepted(s, Kind.SOCKET, (Socket) a);
        return null;
      case SOCKET_OPTION:
        return option(s, Kind.SOCKET, (Socket) self, (SocketOption<?>) a, b);
      case SOCKET_KEEPALIVE:
        return option(s, Kind.SOCKET, (Socket) self, StandardSocketOptions.SO_KEEPALIVE, b);
      case CHANNEL_CONNECT:
        if (a instanceof InetSocketAddress) {
          java.nio.channels.SocketChannel channel = (java.nio.channels.SocketChannel) self;
          // Connected or pending: the JDK's connect throws; UNIX-domain peers never get here.
          if (channel.isOpen() && !channel.isConnected() && !channel.isConnectionPending()) {
            connect(s, Kind.CHANNEL, channel, (InetSocketAddress) a);
          }
        }
        return null;
      case CHANNEL_ACCEPTED:
        // self: the channel the accepting constructor just made (connected; JDK 11's other
        // constructor that takes a FileDescriptor makes an unconnected one, left alone).
        if (((java.nio.channels.SocketChannel) self).isConnected()) {
          acceptedChannel(s, Kind.CHANNEL, (NetworkChannel) self);
        }
        return null;
      case CHANNEL_OPTION:
        return option(s, Kind.CHANNEL, (NetworkChannel) self, (SocketOption<?>) a, b);
      case ASYNC_CONNECT:
        if (a instanceof InetSocketAddress) {
          NetworkChannel channel = (NetworkChannel) self;
          if (channel.isOpen() && !Kind.ASYNC.connected(channel)) {
            connect(s, Kind.ASYNC, channel, (InetSocketAddress) a);
          }
        }
        return null;
      case ASYNC_ACCEPTED:
        if (a != null) {
          acceptedChannel(s, Kind.ASYNC, (NetworkChannel) a);
        }
        return null;
      case ASYNC_OPTION:
        return option(s, Kind.ASYNC, (NetworkChannel) self, (SocketOption<?>) a, b);
      case MBEAN_SERVER:
        AgentMBean.register(a);
        return null;
      default:
        throw new IllegalArgumentException("unknown hook " + op);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Connect and accept

  private static <S> void connect(Settings s, Kind<S> kind, S socket, InetSocketAddress remote)
      throws IOException {
    if (isFactorySocket(socket)) {
      // KeepaliveSocketFactory's socket: the application chose its policy and pins it itself.
      return;
    }
    Pending pending = pendingUsed ? takePending(socket) : null;
    if (pending != null && pending.explicit) {
      return;
    }
    Rule rule = s.rules.forConnection(remote);
    apply(s, kind.access, kind.name, socket, rule, remote, null);
    if (pending != null && !rule.unchanged()) {
      settle(s, kind, socket, rule, pending, remote);
    }
  }

  private static void accepted(Settings s, Kind<Socket> kind, Socket socket) throws IOException {
    int port = socket.getLocalPort();
    markAccepted(port);
    Rule rule = s.rules.forAccepted(port);
    apply(s, kind.access, kind.name, socket, rule, null, socket);
  }

  private static void acceptedChannel(Settings s, Kind<NetworkChannel> kind,
      NetworkChannel channel) throws IOException {
    int port = kind.localPort(channel);
    if (port < 0) {
      // A UNIX-domain listener's connection.
      return;
    }
    markAccepted(port);
    apply(s, kind.access, kind.name, channel, s.rules.forAccepted(port), null, channel);
  }

  /**
   * Applies {@code rule}'s policy. Lenient: never throws, counts and logs what did not take.
   * Strict: the failure propagates, after {@code closeOnFailure} (an accepted connection nobody
   * else can close) is closed.
   */
  static <S, X extends Exception> void apply(Settings s, SocketOptionAccess<S, X> access,
      String kind, S socket, Rule rule, InetSocketAddress remote, Closeable closeOnFailure)
      throws X {
    rule.connections.increment();
    if (rule.unchanged()) {
      UNCHANGED.increment();
      return;
    }
    APPLIED.increment();
    boolean[] busy = BUSY.get();
    boolean was = busy[APPLYING];
    busy[APPLYING] = true;
    try {
      ApplyReport report = KeepaliveApplier.apply(access, socket, rule.policy, s.mode);
      if (!report.fullyApplied()) {
        for (KeepaliveOption option : report.notApplied()) {
          refused(option, rule, kind, remote, report.entries().stream()
              .filter(e -> e.option() == option).findFirst().map(ApplyReport.Entry::detail)
              .orElse("not applied"), access.platform(socket));
        }
      }
    } catch (RuntimeException e) {
      if (s.mode == ApplyMode.STRICT) {
        failed(e, rule, kind, remote, access.platform(socket), closeOnFailure);
        throw e;
      }
      if (!access.isClosed(socket)) {
        refused(optionOf(e), rule, kind, remote, describe(e), access.platform(socket));
      }
    } catch (Exception e) {
      // X: the socket kind's own exception (an IOException for the JDK's sockets).
      if (s.mode == ApplyMode.STRICT) {
        failed(e, rule, kind, remote, access.platform(socket), closeOnFailure);
        throw e;
      }
      // Lenient: a socket closed meanwhile fails on its own; anything else is a refusal.
      if (!access.isClosed(socket)) {
        refused(KeepaliveOption.SO_KEEPALIVE, rule, kind, remote, describe(e),
            access.platform(socket));
      }
    } finally {
      busy[APPLYING] = was;
    }
  }

  private static void failed(Exception e, Rule rule, String kind, InetSocketAddress remote,
      String platform, Closeable closeOnFailure) {
    REFUSED.incrementAndGet(optionOf(e).ordinal());
    if (closeOnFailure != null) {
      try {
        closeOnFailure.close();
      } catch (IOException c) {
        e.addSuppressed(c);
      }
    }
  }

  private static KeepaliveOption optionOf(Exception e) {
    return e instanceof UnsupportedKeepaliveOptionException
        ? ((UnsupportedKeepaliveOptionException) e).option() : KeepaliveOption.SO_KEEPALIVE;
  }

  private static void refused(KeepaliveOption option, Rule rule, String kind,
      InetSocketAddress remote, String reason, String platform) {
    REFUSED.incrementAndGet(option.ordinal());
    warnOnce("refused " + option + " " + kind + " " + reason, () -> String.format(Locale.ROOT,
        "keepalive-agent could not set %s of %s (%s, %s) on a %s %s on %s: %s. The connection"
            + " goes on with the rest of the policy (%s=lenient; strict makes it fail). Logged"
            + " once per JVM for this cause.",
        option.kernelName(), rule.policy, rule.key, rule.source, kind,
        remote == null ? "accepted connection" : "connection to " + remote, platform, reason,
        Settings.MODE));
  }

  private static void markAccepted(int port) {
    if (port < 0 || port > 65535) {
      return;
    }
    int word = port >>> 6;
    long bit = 1L << (port & 63);
    for (long w = ACCEPTED_PORTS.get(word); (w & bit) == 0; w = ACCEPTED_PORTS.get(word)) {
      if (ACCEPTED_PORTS.compareAndSet(word, w, w | bit)) {
        return;
      }
    }
  }

  private static boolean wasAccepted(int port) {
    return port >= 0 && port <= 65535
        && (ACCEPTED_PORTS.get(port >>> 6) & (1L << (port & 63))) != 0;
  }

  // ---------------------------------------------------------------------------------------------
  // A client's option calls

  /**
   * A client sets {@code name} to {@code value} on a JDK socket: the value the JDK is to set, the
   * client's, or the pinned one in its place (setting the value in force again changes nothing
   * and needs no branch in the JDK's code).
   */
  private static <S> Object option(Settings s, Kind<S> kind, S socket, SocketOption<?> name,
      Object value) throws IOException {
    KeepaliveOption option = optionOf(name);
    if (option == null || BUSY.get()[APPLYING]) {
      return value;
    }
    int v;
    if (value instanceof Boolean && option == KeepaliveOption.SO_KEEPALIVE) {
      v = (Boolean) value ? 1 : 0;
    } else if (value instanceof Integer && option != KeepaliveOption.SO_KEEPALIVE) {
      v = (Integer) value;
    } else {
      // Null or a wrong type: the JDK refuses it as it would without the agent.
      return value;
    }
    if (kind.closed(socket) || isFactorySocket(socket)) {
      return value;
    }
    if (!kind.connected(socket)) {
      before(s, socket, option, v);
      return value;
    }
    if (!s.pinned || isExplicit(socket)) {
      return value;
    }
    InetSocketAddress remote = null;
    Rule rule;
    int local = kind.localPort(socket);
    if (wasAccepted(local)) {
      rule = s.rules.forAccepted(local);
    } else {
      remote = kind.remote(socket);
      if (remote == null) {
        return value;
      }
      rule = s.rules.forConnection(remote);
    }
    if (rule.unchanged() || !pins(rule.policy, option)
        || v == KeepaliveApplier.valueOf(option, rule.policy)) {
      return value;
    }
    String caller = IgnoredOverrides.caller(AGENT_PACKAGE);
    if (caller.startsWith(LIBRARY_PACKAGE)) {
      // The application's own Keepalive.apply: its choice wins, and the socket is its from now on.
      markExplicit(socket);
      return value;
    }
    ignored(rule, option, v, caller, remote == null ? "an accepted connection"
        : "a connection to " + remote, kind.name);
    int kept = KeepaliveApplier.valueOf(option, rule.policy);
    return option == KeepaliveOption.SO_KEEPALIVE ? (Object) (kept != 0) : (Object) kept;
  }

  /**
   * A client's call before the socket connects: the destination, so the rule, is not known yet.
   * The call goes through; the connect then settles it ({@link #settle}). A value every rule's
   * policy sets anyway needs no settling and is not remembered (Kafka's {@code
   * setKeepAlive(true)}, with policies that all switch keepalive on).
   */
  private static void before(Settings s, Object socket, KeepaliveOption option, int v) {
    if (s.uniform[option.ordinal()] == v || s.uniform[option.ordinal()] == Settings.ANY) {
      return;
    }
    String caller = IgnoredOverrides.caller(AGENT_PACKAGE);
    synchronized (PENDING) {
      Pending p = PENDING.computeIfAbsent(socket, k -> new Pending());
      p.set(option, v, caller);
      if (caller.startsWith(LIBRARY_PACKAGE)) {
        p.explicit = true;
      }
    }
    pendingUsed = true;
  }

  /**
   * After the policy was applied at connect: a client's earlier calls are ignored (pinned: logged)
   * or set again over the policy (not pinned: clients win).
   */
  private static <S> void settle(Settings s, Kind<S> kind, S socket, Rule rule, Pending p,
      InetSocketAddress remote) throws IOException {
    for (KeepaliveOption option : KeepaliveOption.values()) {
      if (!p.isSet(option) || !pins(rule.policy, option)) {
        continue;
      }
      int v = p.value(option);
      if (v == KeepaliveApplier.valueOf(option, rule.policy)) {
        continue;
      }
      if (s.pinned) {
        ignored(rule, option, v, p.caller(option) + ", before it connected,",
            "a connection to " + remote, kind.name);
      } else {
        boolean[] busy = BUSY.get();
        busy[APPLYING] = true;
        try {
          kind.access.write(socket, option, v);
        } catch (IOException | RuntimeException e) {
          // The client's own value, refused now as the client's own call was not: say so.
          refused(option, rule, kind.name, remote, "setting the client's " + option.kernelName()
              + "=" + v + " again failed: " + describe(e), kind.access.platform(socket));
        } finally {
          busy[APPLYING] = false;
        }
      }
    }
  }

  private static void ignored(Rule rule, KeepaliveOption option, int value, String caller,
      String where, String kind) {
    KeepaliveCounters.recordIgnoredOverride(option);
    String shown = show(option, value);
    String kept = show(option, KeepaliveApplier.valueOf(option, rule.policy));
    if (IgnoredOverrides.firstTime(option.kernelName() + "=" + shown + " kept " + rule.policy)) {
      warnOnce(null, () -> String.format(Locale.ROOT,
          "Ignored %s=%s set by %s on %s (%s): keepalive-agent pins its keepalive to %s (%s, %s),"
              + " so %s stays %s. To let clients' settings win, start the agent with %s=false; to"
              + " silence this, configure the client to leave keepalive alone or to set the"
              + " policy's values. Logged once per JVM for this override.",
          option.kernelName(), shown, caller, where, kind, rule.policy, rule.key, rule.source,
          option.kernelName(), kept, Settings.PINNED));
    }
  }

  private static String show(KeepaliveOption option, int value) {
    return option == KeepaliveOption.SO_KEEPALIVE ? Boolean.toString(value != 0)
        : Integer.toString(value);
  }

  /** A disabled policy pins SO_KEEPALIVE alone, as KeepaliveSocketFactory's sockets do. */
  private static boolean pins(KeepalivePolicy policy, KeepaliveOption option) {
    if (option == KeepaliveOption.SO_KEEPALIVE) {
      return true;
    }
    return policy.enabled() && option != KeepaliveOption.TCP_USER_TIMEOUT;
  }

  static KeepaliveOption optionOf(SocketOption<?> name) {
    if (name == StandardSocketOptions.SO_KEEPALIVE) {
      return KeepaliveOption.SO_KEEPALIVE;
    }
    if (name == null) {
      return null;
    }
    if (name == Tcp.IDLE) {
      return KeepaliveOption.TCP_KEEPIDLE;
    }
    if (name == Tcp.INTERVAL) {
      return KeepaliveOption.TCP_KEEPINTERVAL;
    }
    if (name == Tcp.COUNT) {
      return KeepaliveOption.TCP_KEEPCOUNT;
    }
    return null;
  }

  private static boolean isFactorySocket(Object socket) {
    return socket.getClass().getName().equals(FACTORY_SOCKET);
  }

  // ---------------------------------------------------------------------------------------------
  // The sockets a client configured before connecting

  /** What a client set before connecting, and whether the application's own library did. */
  static final class Pending {
    private int set;
    private final int[] values = new int[KeepaliveOption.values().length];
    private final String[] callers = new String[KeepaliveOption.values().length];
    boolean explicit;

    void set(KeepaliveOption option, int value, String caller) {
      set |= 1 << option.ordinal();
      values[option.ordinal()] = value;
      callers[option.ordinal()] = caller;
    }

    boolean isSet(KeepaliveOption option) {
      return (set & (1 << option.ordinal())) != 0;
    }

    int value(KeepaliveOption option) {
      return values[option.ordinal()];
    }

    String caller(KeepaliveOption option) {
      return callers[option.ordinal()];
    }
  }

  private static Pending takePending(Object socket) {
    synchronized (PENDING) {
      Pending p = PENDING.get(socket);
      if (p != null && !p.explicit) {
        PENDING.remove(socket);
      }
      return p;
    }
  }

  private static boolean isExplicit(Object socket) {
    if (!pendingUsed) {
      return false;
    }
    Pending p = PENDING.get(socket);
    return p != null && p.explicit;
  }

  private static void markExplicit(Object socket) {
    synchronized (PENDING) {
      PENDING.computeIfAbsent(socket, k -> new Pending()).explicit = true;
    }
    pendingUsed = true;
  }

  // ---------------------------------------------------------------------------------------------
  // Netty's native channels (classes in the application's class loader)

  /**
   * Netty's epoll or io_uring channel is about to connect to {@code remote}: before the SYN.
   *
   * @param channel the channel
   * @param remote the peer
   * @throws Exception in strict mode, what failed (Netty then fails the connect promise)
   */
  public static void nettyConnect(Object channel, Object remote) throws Exception {
    Settings s = settings;
    if (s == null || !(remote instanceof InetSocketAddress)) {
      return;
    }
    NettyAccess access = NettyAccess.of(channel);
    if (access == null) {
      return;
    }
    apply(s, access, access.transport, channel, s.rules.forConnection((InetSocketAddress) remote),
        (InetSocketAddress) remote, null);
  }

  /**
   * Netty registers a channel with its event loop: for a connection a server channel accepted,
   * after the bootstrap's {@code childOption}s were set and before any handler sees it.
   *
   * @param channel the channel
   * @throws Exception in strict mode, what failed (Netty then closes the channel)
   */
  public static void nettyRegister(Object channel) throws Exception {
    Settings s = settings;
    if (s == null) {
      return;
    }
    NettyAccess access = NettyAccess.of(channel);
    if (access == null || !access.accepted(channel)) {
      return;
    }
    int port = access.localPort(channel);
    if (port < 0) {
      return;
    }
    apply(s, access, access.transport, channel, s.rules.forAccepted(port), null, null);
  }

  // ---------------------------------------------------------------------------------------------
  // Logging: through System.Logger "dev.keepalive.agent", once per JVM for each distinct line

  static final String LOGGER = Hooks.class.getPackage().getName();

  /**
   * Logs a warning once per JVM for {@code key} (always when {@code key} is null: the caller
   * decided), unless this thread is already logging (a logging backend that opens a socket).
   */
  static void warnOnce(String key, Supplier<String> message) {
    if (key != null && !IgnoredOverrides.firstTime(key)) {
      return;
    }
    boolean[] busy = BUSY.get();
    if (busy[LOGGING]) {
      // A logging backend that opened a connection while logging one of these lines: printed on
      // stderr rather than recursing into the logger.
      System.err.println("keepalive-agent WARNING: " + message.get());
      return;
    }
    busy[LOGGING] = true;
    try {
      System.getLogger(LOGGER).log(System.Logger.Level.WARNING, message);
    } finally {
      busy[LOGGING] = false;
    }
  }

  private static String describe(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }
}
