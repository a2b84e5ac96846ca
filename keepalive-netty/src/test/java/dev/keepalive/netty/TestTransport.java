package dev.keepalive.netty;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.function.Supplier;
import jdk.net.ExtendedSocketOptions;

/**
 * The transports the tests run on, with the options to read a channel back written out again here
 * (not taken from the library), so a wrong entry in the library's table fails a test. What Netty
 * 4.1 and 4.2 spell differently (groups, io_uring) comes from {@link NettyLine}.
 */
enum TestTransport {
  NIO("Netty NIO", NettyLine::nioGroup, NioSocketChannel.class, NioServerSocketChannel.class,
      NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE),
      NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL),
      NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), null),
  EPOLL("Netty epoll", NettyLine::epollGroup, EpollSocketChannel.class,
      EpollServerSocketChannel.class, EpollChannelOption.TCP_KEEPIDLE,
      EpollChannelOption.TCP_KEEPINTVL, EpollChannelOption.TCP_KEEPCNT,
      EpollChannelOption.TCP_USER_TIMEOUT),
  IO_URING(NettyLine.IO_URING_NAME, NettyLine::ioUringGroup, NettyLine.ioUringSocketChannel(),
      NettyLine.ioUringServerChannel(), NettyLine.ioUringOptions().get(0),
      NettyLine.ioUringOptions().get(1), NettyLine.ioUringOptions().get(2),
      NettyLine.ioUringOptions().get(3));

  final String displayName;
  private final Supplier<EventLoopGroup> groups;
  final Class<? extends Channel> socketChannel;
  final Class<? extends ServerChannel> serverChannel;
  final ChannelOption<Integer> idle;
  final ChannelOption<Integer> interval;
  final ChannelOption<Integer> count;
  /** Null where the transport has none. */
  final ChannelOption<Integer> userTimeout;

  TestTransport(String displayName, Supplier<EventLoopGroup> groups,
      Class<? extends Channel> socketChannel, Class<? extends ServerChannel> serverChannel,
      ChannelOption<Integer> idle, ChannelOption<Integer> interval, ChannelOption<Integer> count,
      ChannelOption<Integer> userTimeout) {
    this.displayName = displayName;
    this.groups = groups;
    this.socketChannel = socketChannel;
    this.serverChannel = serverChannel;
    this.idle = idle;
    this.interval = interval;
    this.count = count;
    this.userTimeout = userTimeout;
  }

  /** Skips the calling test, printing why, when the transport cannot run on this machine. */
  TestTransport requireAvailable() {
    switch (this) {
      case EPOLL:
        assumeTrue(Epoll.isAvailable(), () -> skip(Epoll.unavailabilityCause()));
        break;
      case IO_URING:
        assumeTrue(NettyLine.ioUringAvailable(),
            () -> skip(NettyLine.ioUringUnavailabilityCause()));
        break;
      default:
        break;
    }
    return this;
  }

  private String skip(Throwable cause) {
    String reason = displayName + " is unavailable on this machine: " + cause;
    System.out.println("SKIPPED: " + reason);
    return reason;
  }

  EventLoopGroup newGroup() {
    return groups.get();
  }

  /** The transport's UDP channel class (NIO and epoll only). */
  static Class<? extends Channel> datagramChannel(TestTransport transport) {
    switch (transport) {
      case NIO:
        return io.netty.channel.socket.nio.NioDatagramChannel.class;
      case EPOLL:
        return io.netty.channel.epoll.EpollDatagramChannel.class;
      default:
        throw new IllegalArgumentException("no datagram channel here for " + transport);
    }
  }

  boolean hasUserTimeout() {
    return userTimeout != null;
  }
}
