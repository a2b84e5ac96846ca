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
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;

/**
 * Where the proof hands a policy to a socket. HARNESS BRING-UP ONLY: raw options until the
 * adapters land on main; every method here is replaced by the library's call.
 */
final class Policies {

  private Policies() {}

  static void apply(Socket socket, KeepalivePolicy policy) throws IOException {
    socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, policy.idleSeconds());
    socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, policy.intervalSeconds());
    socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, policy.probes());
    socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
  }

  static void apply(NetworkChannel channel, KeepalivePolicy policy) throws IOException {
    channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, policy.idleSeconds());
    channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, policy.intervalSeconds());
    channel.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, policy.probes());
    channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
  }

  static Socket accept(ServerSocket server, KeepalivePolicy policy) throws IOException {
    Socket s = server.accept();
    apply(s, policy);
    return s;
  }

  static SocketChannel accept(ServerSocketChannel server, KeepalivePolicy policy)
      throws IOException {
    SocketChannel s = server.accept();
    if (s != null) {
      apply(s, policy);
    }
    return s;
  }

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
