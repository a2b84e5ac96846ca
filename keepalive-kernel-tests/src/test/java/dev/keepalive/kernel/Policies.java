package dev.keepalive.kernel;

import dev.keepalive.KeepalivePolicy;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringSocketChannel;
import jdk.net.ExtendedSocketOptions;

/**
 * HARNESS BRING-UP ONLY: raw Netty options until keepalive-netty lands on main; replaced by
 * NettyKeepalive.configure.
 */
final class Policies {

  private Policies() {}

  static void configure(Bootstrap bootstrap, KeepalivePolicy policy, Class<?> type) {
    set(type, policy, new Sink() {
      @Override
      public <T> void option(ChannelOption<T> o, T v) {
        bootstrap.option(o, v);
      }
    });
  }

  static void configure(ServerBootstrap bootstrap, KeepalivePolicy policy, Class<?> childType) {
    set(childType, policy, new Sink() {
      @Override
      public <T> void option(ChannelOption<T> o, T v) {
        bootstrap.childOption(o, v);
      }
    });
  }

  private interface Sink {
    <T> void option(ChannelOption<T> option, T value);
  }

  private static void set(Class<?> type, KeepalivePolicy p, Sink sink) {
    if (EpollSocketChannel.class.isAssignableFrom(type)) {
      sink.option(EpollChannelOption.TCP_KEEPIDLE, p.idleSeconds());
      sink.option(EpollChannelOption.TCP_KEEPINTVL, p.intervalSeconds());
      sink.option(EpollChannelOption.TCP_KEEPCNT, p.probes());
      if (p.hasUserTimeout()) {
        sink.option(EpollChannelOption.TCP_USER_TIMEOUT, p.userTimeoutMillis());
      }
    } else if (IoUringSocketChannel.class.isAssignableFrom(type)) {
      sink.option(IoUringChannelOption.TCP_KEEPIDLE, p.idleSeconds());
      sink.option(IoUringChannelOption.TCP_KEEPINTVL, p.intervalSeconds());
      sink.option(IoUringChannelOption.TCP_KEEPCNT, p.probes());
      if (p.hasUserTimeout()) {
        sink.option(IoUringChannelOption.TCP_USER_TIMEOUT, p.userTimeoutMillis());
      }
    } else {
      sink.option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), p.idleSeconds());
      sink.option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), p.intervalSeconds());
      sink.option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), p.probes());
    }
    sink.option(ChannelOption.SO_KEEPALIVE, true);
  }

}
