package dev.keepalive.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.util.List;

/**
 * What the shared tests need that Netty 4.1 and 4.2 spell differently: event loop groups (4.2's
 * {@code MultiThreadIoEventLoopGroup} with an IoHandler; 4.1's per-transport groups, deprecated in
 * 4.2) and io_uring (4.2's {@code io.netty.channel.uring}; 4.1's incubator). This is the 4.2 copy;
 * keepalive-netty41-tests has the 4.1 one. Only methods name transport classes, so loading this
 * class loads none of them (WithoutNativeTransportsTest runs without the native jars).
 */
final class NettyLine {
  static final String NAME = "4.2";
  static final String IO_URING_NAME = "Netty io_uring";

  private NettyLine() {}

  static EventLoopGroup nioGroup() {
    return new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  static EventLoopGroup epollGroup() {
    return new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  }

  static EventLoopGroup ioUringGroup() {
    return new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
  }

  static Class<? extends Channel> ioUringSocketChannel() {
    return IoUringSocketChannel.class;
  }

  static Class<? extends ServerChannel> ioUringServerChannel() {
    return IoUringServerSocketChannel.class;
  }

  /** idle, interval, count, user timeout. */
  static List<ChannelOption<Integer>> ioUringOptions() {
    return List.of(IoUringChannelOption.TCP_KEEPIDLE,
        IoUringChannelOption.TCP_KEEPINTVL, IoUringChannelOption.TCP_KEEPCNT,
        IoUringChannelOption.TCP_USER_TIMEOUT);
  }

  static boolean ioUringAvailable() {
    return IoUring.isAvailable();
  }

  static Throwable ioUringUnavailabilityCause() {
    return IoUring.unavailabilityCause();
  }
}
