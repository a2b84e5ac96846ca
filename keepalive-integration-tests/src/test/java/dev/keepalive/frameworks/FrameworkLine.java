package dev.keepalive.frameworks;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;

/**
 * What the shared framework tests (src/test/frameworks/java) need that differs between the Netty
 * lines: this is the Netty 4.2 copy (gRPC-java 1.85, Lettuce 7); keepalive-netty41-tests has the
 * 4.1 one (gRPC-java 1.79, Lettuce 6).
 */
final class FrameworkLine {

  /** For messages: which line and framework versions these tests ran on. */
  static final String NAME = "Netty 4.2, gRPC-java 1.85, Lettuce 7.7";

  private FrameworkLine() {}

  /** An event-loop group of {@code threads} for epoll or NIO, as gRPC's builders take it. */
  static EventLoopGroup group(boolean epoll, int threads) {
    return new MultiThreadIoEventLoopGroup(threads,
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  /**
   * What Lettuce alone leaves on its epoll channel: 7.x switches keepalive on with its {@code
   * KeepAliveOptions} defaults, 13 s idle, 13 s interval, 3 probes.
   */
  static Seen lettuceAlone() {
    return new Seen("epoll", true, 13, 13, 3, 0);
  }
}
