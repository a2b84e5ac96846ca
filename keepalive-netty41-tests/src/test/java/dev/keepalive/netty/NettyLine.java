package dev.keepalive.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.incubator.channel.uring.IOUring;
import io.netty.incubator.channel.uring.IOUringChannelOption;
import io.netty.incubator.channel.uring.IOUringEventLoopGroup;
import io.netty.incubator.channel.uring.IOUringServerSocketChannel;
import io.netty.incubator.channel.uring.IOUringSocketChannel;

import java.util.List;

/**
 * The Netty 4.1 copy of keepalive-netty's test-side NettyLine: 4.1's per-transport event loop
 * groups, and io_uring from netty-incubator-transport-io_uring. Only methods name transport
 * classes, so loading this class loads none of them.
 */
final class NettyLine {
  static final String NAME = "4.1";
  static final String IO_URING_NAME = "Netty io_uring (incubator)";

  private NettyLine() {}

  static EventLoopGroup nioGroup() {
    return new NioEventLoopGroup(1);
  }

  static EventLoopGroup epollGroup() {
    return new EpollEventLoopGroup(1);
  }

  static EventLoopGroup ioUringGroup() {
    return new IOUringEventLoopGroup(1);
  }

  static Class<? extends Channel> ioUringSocketChannel() {
    return IOUringSocketChannel.class;
  }

  static Class<? extends ServerChannel> ioUringServerChannel() {
    return IOUringServerSocketChannel.class;
  }

  /** idle, interval, count, user timeout. */
  static List<ChannelOption<Integer>> ioUringOptions() {
    return List.of(IOUringChannelOption.TCP_KEEPIDLE,
        IOUringChannelOption.TCP_KEEPINTVL, IOUringChannelOption.TCP_KEEPCNT,
        IOUringChannelOption.TCP_USER_TIMEOUT);
  }

  static boolean ioUringAvailable() {
    return IOUring.isAvailable();
  }

  static Throwable ioUringUnavailabilityCause() {
    return IOUring.unavailabilityCause();
  }
}
