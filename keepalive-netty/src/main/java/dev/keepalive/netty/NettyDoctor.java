package dev.keepalive.netty;

import dev.keepalive.internal.cli.DoctorTransport;
import dev.keepalive.internal.cli.DoctorTransports;
import dev.keepalive.spi.SocketOptionAccess;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.Version;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * keepalive-netty's transports for the keepalive doctor (keepalive-jdk), which finds them through
 * {@link DoctorTransports} with {@link java.util.ServiceLoader}: Netty NIO, epoll and io_uring (Netty
 * 4.2's, or the incubator's on 4.1), each said to be missing, with the jar to add, where it cannot
 * run. A transport's loopback connection is a plain client {@link Bootstrap} on a one-thread event
 * loop of its own; the doctor applies and reads back through {@link ChannelAccess}, the operations
 * {@link NettyKeepalive#apply} and {@link NettyKeepalive#inspect} run on. kqueue is not examined:
 * it runs on macOS and BSD only, and cannot be tested here.
 *
 * <p>The transports' classes are named by string and touched only in the nested holders, which load
 * once a transport is known to be on the class path: an application without epoll or io_uring
 * sees no {@code NoClassDefFoundError}. Netty 4.1 and 4.2 make event loops differently (4.2's
 * {@code MultiThreadIoEventLoopGroup} with an {@code IoHandler}; 4.1's per-transport groups, which
 * 4.2 deprecates): the line is told from the presence of 4.2's {@code IoHandlerFactory}.
 */
final class NettyDoctor {

  private static final String CHANNEL = "io.netty.channel.Channel";
  private static final String EPOLL = "io.netty.channel.epoll.Epoll";
  private static final String IO_URING = "io.netty.channel.uring.IoUring";
  private static final String INCUBATOR_IO_URING = "io.netty.incubator.channel.uring.IOUring";
  private static final String IO_HANDLER_FACTORY = "io.netty.channel.IoHandlerFactory";

  private NettyDoctor() {}

  /**
   * The {@link DoctorTransports} service keepalive-netty provides. Public only because {@link
   * java.util.ServiceLoader} instantiates it; its enclosing class is package-private, so it is no
   * API.
   */
  public static final class Provider implements DoctorTransports {

    /** Made by {@link java.util.ServiceLoader}. */
    public Provider() {}

    @Override
    public String description() {
      return present(CHANNEL) ? "keepalive-netty with Netty " + nettyVersion()
          : "keepalive-netty, but no Netty: io.netty:netty-transport is not on the class path";
    }

    @Override
    public List<DoctorTransport> transports() {
      if (!present(CHANNEL)) {
        return new ArrayList<>();
      }
      boolean line42 = present(IO_HANDLER_FACTORY);
      List<DoctorTransport> transports = new ArrayList<>(3);
      transports.add(new Kind("Netty NIO", null) {
        @Override
        EventLoopGroup group() {
          return line42 ? Line42.nio() : Line41.nio();
        }

        @Override
        Class<? extends Channel> channelClass() {
          return io.netty.channel.socket.nio.NioSocketChannel.class;
        }
      });
      transports.add(new Kind("Netty epoll", !present(EPOLL)
          ? "not on the class path: add io.netty:netty-transport-native-epoll with the classifier"
              + " of this machine (linux-x86_64, linux-aarch_64)"
          : Natives.epollUnavailable()) {
        @Override
        EventLoopGroup group() {
          return line42 ? Line42.epoll() : Line41.epoll();
        }

        @Override
        Class<? extends Channel> channelClass() {
          return io.netty.channel.epoll.EpollSocketChannel.class;
        }
      });
      if (line42 && present(IO_URING)) {
        transports.add(new Kind("Netty io_uring", Natives.ioUringUnavailable()) {
          @Override
          EventLoopGroup group() {
            return Line42.ioUring();
          }

          @Override
          Class<? extends Channel> channelClass() {
            return io.netty.channel.uring.IoUringSocketChannel.class;
          }
        });
      } else if (!line42 && present(INCUBATOR_IO_URING)) {
        transports.add(new Kind("Netty io_uring (incubator)",
            Natives.incubatorIoUringUnavailable()) {
          @Override
          EventLoopGroup group() {
            return Line41.incubatorIoUring();
          }

          @Override
          Class<? extends Channel> channelClass() {
            return io.netty.incubator.channel.uring.IOUringSocketChannel.class;
          }
        });
      } else {
        transports.add(new Kind("Netty io_uring", "not on the class path: add"
            + " io.netty:netty-transport-native-io_uring with the classifier of this machine"
            + (line42 ? "" : "; on Netty 4.1, io.netty.incubator:netty-incubator-transport-native-io_uring")) {
          @Override
          EventLoopGroup group() {
            throw new IllegalStateException("io_uring is not on the class path");
          }

          @Override
          Class<? extends Channel> channelClass() {
            throw new IllegalStateException("io_uring is not on the class path");
          }
        });
      }
      return transports;
    }
  }

  /** Netty's version, as its jars' metadata say. */
  static String nettyVersion() {
    Map<String, Version> versions = Version.identify(NettyDoctor.class.getClassLoader());
    Version transport = versions.get("netty-transport");
    if (transport == null) {
      transport = versions.get("netty-common");
    }
    return transport == null ? "(version unknown)" : transport.artifactVersion();
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, NettyDoctor.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** One transport: a client bootstrap on a one-thread group of its own. */
  private abstract static class Kind implements DoctorTransport {
    private final String name;
    private final String unavailable;

    Kind(String name, String unavailable) {
      this.name = name;
      this.unavailable = unavailable;
    }

    abstract EventLoopGroup group();

    abstract Class<? extends Channel> channelClass();

    @Override
    public String name() {
      return name;
    }

    @Override
    public String unavailable() {
      return unavailable;
    }

    @Override
    public Connection<?> connect(InetSocketAddress server, Duration timeout) throws Exception {
      EventLoopGroup group = group();
      try {
        ChannelFuture connect = new Bootstrap().group(group).channel(channelClass())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                timeout.toMillis()))
            .handler(new ChannelInboundHandlerAdapter())
            .connect(server);
        if (!connect.awaitUninterruptibly(timeout.toMillis() + 1000)) {
          connect.channel().close();
          throw new java.net.SocketTimeoutException("connect to " + server + " did not finish in "
              + timeout);
        }
        if (!connect.isSuccess()) {
          Throwable cause = connect.cause();
          throw cause instanceof Exception ? (Exception) cause : new Exception(cause);
        }
        return new Open(connect.channel(), group);
      } catch (Exception | Error e) {
        stop(group);
        throw e;
      }
    }
  }

  private static final class Open implements DoctorTransport.Connection<Channel> {
    private final Channel channel;
    private final EventLoopGroup group;

    Open(Channel channel, EventLoopGroup group) {
      this.channel = channel;
      this.group = group;
    }

    @Override
    public SocketOptionAccess<Channel, ?> access() {
      return ChannelAccess.INSTANCE;
    }

    @Override
    public Channel socket() {
      return channel;
    }

    @Override
    public void close() {
      channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      stop(group);
    }
  }

  private static void stop(EventLoopGroup group) {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** Why a native transport cannot run here; loaded only once its classes are known present. */
  private static final class Natives {
    private Natives() {}

    static String epollUnavailable() {
      return io.netty.channel.epoll.Epoll.isAvailable() ? null
          : "Epoll.isAvailable() is false: " + io.netty.channel.epoll.Epoll.unavailabilityCause();
    }

    static String ioUringUnavailable() {
      return io.netty.channel.uring.IoUring.isAvailable() ? null
          : "IoUring.isAvailable() is false: " + io.netty.channel.uring.IoUring.unavailabilityCause();
    }

    static String incubatorIoUringUnavailable() {
      return io.netty.incubator.channel.uring.IOUring.isAvailable() ? null
          : "IOUring.isAvailable() is false: "
              + io.netty.incubator.channel.uring.IOUring.unavailabilityCause();
    }
  }

  /** Netty 4.2's event loops: one MultiThreadIoEventLoopGroup per transport's IoHandler. */
  private static final class Line42 {
    private Line42() {}

    static EventLoopGroup nio() {
      return new io.netty.channel.MultiThreadIoEventLoopGroup(1,
          io.netty.channel.nio.NioIoHandler.newFactory());
    }

    static EventLoopGroup epoll() {
      return new io.netty.channel.MultiThreadIoEventLoopGroup(1,
          io.netty.channel.epoll.EpollIoHandler.newFactory());
    }

    static EventLoopGroup ioUring() {
      return new io.netty.channel.MultiThreadIoEventLoopGroup(1,
          io.netty.channel.uring.IoUringIoHandler.newFactory());
    }
  }

  /** Netty 4.1's event loops, one group class per transport (deprecated in 4.2, unused there). */
  @SuppressWarnings("deprecation")
  private static final class Line41 {
    private Line41() {}

    static EventLoopGroup nio() {
      return new io.netty.channel.nio.NioEventLoopGroup(1);
    }

    static EventLoopGroup epoll() {
      return new io.netty.channel.epoll.EpollEventLoopGroup(1);
    }

    static EventLoopGroup incubatorIoUring() {
      return new io.netty.incubator.channel.uring.IOUringEventLoopGroup(1);
    }
  }
}
