package dev.keepalive.kernel;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Optional;

/** The Netty transports the proof runs on; everything here is on this module's class path. */
enum NettyTransport {
  NIO {
    @Override
    Optional<String> unavailability() {
      return Optional.empty();
    }

    @Override
    IoHandlerFactory ioHandlerFactory() {
      return NioIoHandler.newFactory();
    }

    @Override
    Class<? extends SocketChannel> socketChannel() {
      return NioSocketChannel.class;
    }

    @Override
    Class<? extends ServerChannel> serverChannel() {
      return NioServerSocketChannel.class;
    }
  },
  EPOLL {
    @Override
    Optional<String> unavailability() {
      return Epoll.isAvailable() ? Optional.empty()
          : Optional.of("epoll unavailable: " + Epoll.unavailabilityCause());
    }

    @Override
    IoHandlerFactory ioHandlerFactory() {
      return EpollIoHandler.newFactory();
    }

    @Override
    Class<? extends SocketChannel> socketChannel() {
      return EpollSocketChannel.class;
    }

    @Override
    Class<? extends ServerChannel> serverChannel() {
      return EpollServerSocketChannel.class;
    }
  },
  IO_URING {
    @Override
    Optional<String> unavailability() {
      return IoUring.isAvailable() ? Optional.empty()
          : Optional.of("io_uring unavailable: " + IoUring.unavailabilityCause());
    }

    @Override
    IoHandlerFactory ioHandlerFactory() {
      return IoUringIoHandler.newFactory();
    }

    @Override
    Class<? extends SocketChannel> socketChannel() {
      return IoUringSocketChannel.class;
    }

    @Override
    Class<? extends ServerChannel> serverChannel() {
      return IoUringServerSocketChannel.class;
    }
  };

  /** Why this transport cannot run here, or empty if it can. */
  abstract Optional<String> unavailability();

  abstract IoHandlerFactory ioHandlerFactory();

  abstract Class<? extends SocketChannel> socketChannel();

  abstract Class<? extends ServerChannel> serverChannel();
}
