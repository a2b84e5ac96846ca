package dev.keepalive.frameworks;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;

/**
 * What the shared framework tests (keepalive-integration-tests/src/test/frameworks/java) need that
 * differs between the Netty lines: this is the Netty 4.1 copy (gRPC-java 1.79, the last on 4.1;
 * Lettuce 6.6, Spring Boot 3.5's); keepalive-integration-tests has the 4.2 one.
 */
final class FrameworkLine {

  /** For messages: which line and framework versions these tests ran on. */
  static final String NAME = "Netty 4.1, gRPC-java 1.79, Lettuce 6.6";

  private FrameworkLine() {}

  /** An event-loop group of {@code threads} for epoll or NIO, as gRPC's builders take it. */
  static EventLoopGroup group(boolean epoll, int threads) {
    return epoll ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
  }

  /**
   * What Lettuce alone leaves on its epoll channel: 6.6's {@code KeepAliveOptions} are off by
   * default (7.x switched them on), so SO_KEEPALIVE is off and the namespace's defaults unused.
   */
  static Seen lettuceAlone() {
    return Seen.kernelDefaults("epoll", false);
  }
}
