package dev.keepalive.netty;

import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The "NIO options, epoll picked" trap: NIO channel options handed to a framework that picks its
 * transport by itself (gRPC-java without {@code channelType}, Reactor Netty, Lettuce) are ignored
 * once it picks epoll, with only Netty's "Unknown channel option" WARN, and the connections run
 * with the kernel's defaults (7200 s idle). Measured with gRPC-java 1.85.1 (issue 11). It can be
 * seen coming where epoll is available; then a WARNING is logged, once per JVM.
 */
final class NioTrap {

  private static final System.Logger LOG = System.getLogger(NettyKeepalive.class.getName());
  private static final String EPOLL = "io.netty.channel.epoll.Epoll";
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private NioTrap() {}

  static void check(Class<?> channelType) {
    if (WARNED.get() || !(NioSocketChannel.class.isAssignableFrom(channelType)
        || NioServerSocketChannel.class.isAssignableFrom(channelType))) {
      return;
    }
    if (epollAvailable() && WARNED.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, message(channelType));
    }
  }

  static String message(Class<?> channelType) {
    boolean server = NioServerSocketChannel.class.isAssignableFrom(channelType);
    String epoll = server ? "EpollServerSocketChannel" : "EpollSocketChannel";
    return "NettyKeepalive.options(" + channelType.getSimpleName() + ".class, ...): Netty's epoll "
        + "transport is available here, and a framework that picks its transport by itself "
        + "(gRPC-java without channelType, Reactor Netty, Lettuce) then uses epoll, which ignores "
        + "these NIO options with only a WARN (\"Unknown channel option\"): its connections run "
        + "with the kernel's keepalive defaults. Name the transport: give the framework the same "
        + "channel class (gRPC: channelType(" + channelType.getSimpleName() + ".class)), or hand "
        + "it options(" + epoll + ".class, ...) with channelType(" + epoll + ".class); check one "
        + "live channel with NettyKeepalive.inspect. (Logged once per JVM.)";
  }

  /** Only if the epoll classes are there at all: never loads them, or anything, otherwise. */
  private static boolean epollAvailable() {
    try {
      Class.forName(EPOLL, false, NioTrap.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
    try {
      return EpollProbe.available();
    } catch (LinkageError e) {
      // The classes without a usable native library or its dependencies: epoll cannot be picked.
      return false;
    }
  }

  /** For tests: the next trap warns again. */
  static void reset() {
    WARNED.set(false);
  }

  private static final class EpollProbe {
    static boolean available() {
      return io.netty.channel.epoll.Epoll.isAvailable();
    }
  }
}
