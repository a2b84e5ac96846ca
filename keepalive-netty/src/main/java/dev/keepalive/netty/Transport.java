package dev.keepalive.netty;

import dev.keepalive.KeepaliveOption;
import dev.keepalive.Platform;
import dev.keepalive.jdk.JdkOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.SocketOption;
import java.util.Optional;

/**
 * One Netty transport's keepalive options: the per-transport table the single apply loop in
 * {@link NettyKeepalive} reads. SO_KEEPALIVE is {@link ChannelOption#SO_KEEPALIVE} everywhere; the
 * tuning options differ per transport, and a null entry means the transport cannot set that option
 * (the reason says why).
 *
 * <p>The native transports are optional dependencies. Their classes are touched only from the
 * nested holders below, and a holder is loaded only after a channel of that transport was seen, so
 * its classes are on the class path by then: an application without epoll, io_uring or kqueue never
 * sees a {@code NoClassDefFoundError} from this module.
 */
final class Transport {

  // Channel classes are matched by name, not by class literal, so that checking for epoll on a
  // class path without it loads nothing of epoll.
  private static final String EPOLL_CHANNEL = "io.netty.channel.epoll.EpollSocketChannel";
  private static final String IO_URING_CHANNEL = "io.netty.channel.uring.IoUringSocketChannel";
  /** Netty 4.1's io_uring: netty-incubator-transport-classes-io_uring. */
  private static final String INCUBATOR_IO_URING_CHANNEL =
      "io.netty.incubator.channel.uring.IOUringSocketChannel";
  private static final String KQUEUE_CHANNEL = "io.netty.channel.kqueue.KQueueSocketChannel";
  private static final String EPOLL_SERVER = "io.netty.channel.epoll.EpollServerSocketChannel";
  private static final String IO_URING_SERVER = "io.netty.channel.uring.IoUringServerSocketChannel";
  private static final String INCUBATOR_IO_URING_SERVER =
      "io.netty.incubator.channel.uring.IOUringServerSocketChannel";
  private static final String KQUEUE_SERVER = "io.netty.channel.kqueue.KQueueServerSocketChannel";

  private static final ClassValue<Transport> BY_CHANNEL_CLASS = new ClassValue<Transport>() {
    @Override
    protected Transport computeValue(Class<?> type) {
      return forChannelClass(type);
    }
  };

  private static final String NO_JDK_USER_TIMEOUT =
      "the JDK has no TCP_USER_TIMEOUT (jdk.net.ExtendedSocketOptions); use the epoll or io_uring "
          + "transport";

  final String name;
  /** A server (listening) channel: keepalive belongs on the channels it accepts. */
  final boolean listener;
  /** A UDP channel: TCP keepalive, SO_KEEPALIVE included, does not apply at all. */
  final boolean datagram;
  final ChannelOption<Integer> idle;
  final ChannelOption<Integer> interval;
  final ChannelOption<Integer> count;
  final ChannelOption<Integer> userTimeout;
  private final String tuningMissing;
  private final String userTimeoutMissing;

  private Transport(String name, boolean listener, ChannelOption<Integer> idle,
      ChannelOption<Integer> interval, ChannelOption<Integer> count,
      ChannelOption<Integer> userTimeout, String tuningMissing, String userTimeoutMissing) {
    this.name = name;
    this.listener = listener;
    this.datagram = false;
    this.idle = idle;
    this.interval = interval;
    this.count = count;
    this.userTimeout = userTimeout;
    this.tuningMissing = tuningMissing;
    this.userTimeoutMissing = userTimeoutMissing;
  }

  static Transport of(Channel channel) {
    return BY_CHANNEL_CLASS.get(channel.getClass());
  }

  /**
   * The transport's option for a tuning option (SO_KEEPALIVE is ChannelOption.SO_KEEPALIVE on every
   * transport and is not in the table).
   *
   * @return null if the transport cannot set it
   */
  ChannelOption<Integer> option(KeepaliveOption option) {
    switch (option) {
      case TCP_KEEPIDLE:
        return idle;
      case TCP_KEEPINTERVAL:
        return interval;
      case TCP_KEEPCOUNT:
        return count;
      case TCP_USER_TIMEOUT:
        return userTimeout;
      default:
        throw new AssertionError(option);
    }
  }

  /** Why {@link #option} is null for {@code option}. */
  String missingReason(KeepaliveOption option) {
    return option == KeepaliveOption.TCP_USER_TIMEOUT && userTimeoutMissing != null
        ? userTimeoutMissing : tuningMissing;
  }

  @Override
  public String toString() {
    return name;
  }

  /** A UDP channel's entry: every option, SO_KEEPALIVE included, is refused with the reason. */
  private Transport(String name, String reason) {
    this.name = name;
    this.listener = false;
    this.datagram = true;
    this.idle = null;
    this.interval = null;
    this.count = null;
    this.userTimeout = null;
    this.tuningMissing = reason;
    this.userTimeoutMissing = reason;
  }

  static Transport forChannelClass(Class<?> type) {
    if (io.netty.channel.socket.DatagramChannel.class.isAssignableFrom(type)) {
      return new Transport("Netty " + type.getName(), "it is a UDP channel: TCP keepalive does not"
          + " apply to UDP; configure the TCP bootstrap (a SocketChannel) instead");
    }
    if (ServerChannel.class.isAssignableFrom(type)) {
      return new Transport("Netty " + type.getName(), true, null, null, null, null,
          "a server channel listens; keepalive belongs on the channels it accepts", null);
    }
    if (NioSocketChannel.class.isAssignableFrom(type)) {
      return Nio.TRANSPORT;
    }
    return nativeByName(type, EPOLL_CHANNEL, IO_URING_CHANNEL, INCUBATOR_IO_URING_CHANNEL,
        KQUEUE_CHANNEL, "it is none of the transports keepalive-netty knows: NIO (NioSocketChannel),"
        + " epoll, io_uring (Netty 4.2's, or the incubator's on 4.1) and kqueue socket channels");
  }

  static Transport forOptionsOf(Class<?> type) {
    if (!ServerChannel.class.isAssignableFrom(type)) {
      return forChannelClass(type);
    }
    if (io.netty.channel.socket.nio.NioServerSocketChannel.class.isAssignableFrom(type)) {
      return Nio.TRANSPORT;
    }
    return nativeByName(type, EPOLL_SERVER, IO_URING_SERVER, INCUBATOR_IO_URING_SERVER,
        KQUEUE_SERVER, "it is none of the server channels keepalive-netty knows: NIO"
        + " (NioServerSocketChannel), epoll, io_uring (Netty 4.2's, or the incubator's on 4.1) and"
        + " kqueue server socket channels");
  }

  /** The native transport {@code type} or a superclass is named for; by name, so nothing loads. */
  private static Transport nativeByName(Class<?> type, String epoll, String ioUring,
      String incubatorIoUring, String kqueue, String unknownReason) {
    try {
      for (Class<?> c = type; c != null; c = c.getSuperclass()) {
        String n = c.getName();
        if (epoll.equals(n)) {
          return Epoll.TRANSPORT;
        }
        if (ioUring.equals(n)) {
          return IoUring.TRANSPORT;
        }
        if (incubatorIoUring.equals(n)) {
          return IncubatorIoUring.TRANSPORT;
        }
        if (kqueue.equals(n)) {
          return KQueue.forPlatform(Platform.current());
        }
      }
    } catch (LinkageError e) {
      // The channel's class loader sees the transport, ours does not (an OSGi or plugin layout).
      return unknown(type, "its transport classes are not visible to keepalive-netty: " + e);
    }
    return unknown(type, unknownReason);
  }

  private static Transport unknown(Class<?> type, String reason) {
    return new Transport("Netty " + type.getName(), false, null, null, null, null, reason, null);
  }

  static Transport nio() {
    if (!JdkOptions.extendedOptionsAvailable()) {
      return new Transport("Netty NIO", false, null, null, null, null,
          "jdk.net is not in this runtime (" + JdkOptions.runtime() + "); add the jdk.net module "
              + "to the image, or use the epoll or io_uring transport", NO_JDK_USER_TIMEOUT);
    }
    return new Transport("Netty NIO", false, nioOption(KeepaliveOption.TCP_KEEPIDLE),
        nioOption(KeepaliveOption.TCP_KEEPINTERVAL), nioOption(KeepaliveOption.TCP_KEEPCOUNT), null,
        null, NO_JDK_USER_TIMEOUT);
  }

  private static ChannelOption<Integer> nioOption(KeepaliveOption option) {
    Optional<SocketOption<Integer>> jdk = JdkOptions.tcpOption(option);
    // NioChannelOption.of makes a new ChannelOption each call: made once here and shared.
    return jdk.isPresent() ? NioChannelOption.of(jdk.get()) : null;
  }

  private static final class Nio {
    static final Transport TRANSPORT = nio();
  }

  /** Loaded only after an epoll channel was seen. */
  private static final class Epoll {
    static final Transport TRANSPORT = new Transport("Netty epoll", false,
        io.netty.channel.epoll.EpollChannelOption.TCP_KEEPIDLE,
        io.netty.channel.epoll.EpollChannelOption.TCP_KEEPINTVL,
        io.netty.channel.epoll.EpollChannelOption.TCP_KEEPCNT,
        io.netty.channel.epoll.EpollChannelOption.TCP_USER_TIMEOUT, null, null);
  }

  /** Loaded only after an io_uring channel was seen. */
  private static final class IoUring {
    static final Transport TRANSPORT = new Transport("Netty io_uring", false,
        io.netty.channel.uring.IoUringChannelOption.TCP_KEEPIDLE,
        io.netty.channel.uring.IoUringChannelOption.TCP_KEEPINTVL,
        io.netty.channel.uring.IoUringChannelOption.TCP_KEEPCNT,
        io.netty.channel.uring.IoUringChannelOption.TCP_USER_TIMEOUT, null, null);
  }

  /**
   * Loaded only after an incubator io_uring channel was seen: Netty 4.1 has io_uring only as
   * netty-incubator-transport-io_uring, with the same four options under other names.
   */
  private static final class IncubatorIoUring {
    static final Transport TRANSPORT = new Transport("Netty io_uring (incubator)", false,
        io.netty.incubator.channel.uring.IOUringChannelOption.TCP_KEEPIDLE,
        io.netty.incubator.channel.uring.IOUringChannelOption.TCP_KEEPINTVL,
        io.netty.incubator.channel.uring.IOUringChannelOption.TCP_KEEPCNT,
        io.netty.incubator.channel.uring.IOUringChannelOption.TCP_USER_TIMEOUT, null, null);
  }

  /**
   * Loaded only after a kqueue channel was seen. Netty's kqueue transport has no keepalive tuning
   * options (netty#9780), so they are raw setsockopt calls through {@code IntegerUnixChannelOption}
   * with the constants of XNU's bsd/netinet/tcp.h. The other kqueue systems (FreeBSD, OpenBSD) number
   * these options differently, so only macOS gets them.
   */
  static final class KQueue {
    static final int IPPROTO_TCP = 6;
    /** macOS's name for TCP_KEEPIDLE: seconds idle before the first probe. */
    static final int TCP_KEEPALIVE = 0x10;
    static final int TCP_KEEPINTVL = 0x101;
    static final int TCP_KEEPCNT = 0x102;

    private static volatile Transport macos;

    static Transport forPlatform(Platform platform) {
      if (platform != Platform.MACOS) {
        return new Transport("Netty kqueue on " + System.getProperty("os.name", "?"), false, null,
            null, null, null, "keepalive-netty knows the kqueue TCP_KEEP* constants of macOS "
                + "only; on this system use the NIO transport", null);
      }
      Transport t = macos;
      if (t == null) {
        t = macosTable();
        macos = t;
      }
      return t;
    }

    static Transport macosTable() {
      return new Transport("Netty kqueue", false,
          new io.netty.channel.unix.IntegerUnixChannelOption("TCP_KEEPALIVE", IPPROTO_TCP,
              TCP_KEEPALIVE),
          new io.netty.channel.unix.IntegerUnixChannelOption("TCP_KEEPINTVL", IPPROTO_TCP,
              TCP_KEEPINTVL),
          new io.netty.channel.unix.IntegerUnixChannelOption("TCP_KEEPCNT", IPPROTO_TCP,
              TCP_KEEPCNT),
          null, null, "macOS has no TCP_USER_TIMEOUT (TCP_RXT_CONNDROPTIME differs in meaning)");
    }
  }
}
