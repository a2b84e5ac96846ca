package dev.keepalive.frameworks;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.keepalive.KernelDefaults;
import dev.keepalive.KeepalivePolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import jdk.net.ExtendedSocketOptions;

/**
 * A live Netty channel's keepalive as the kernel reports it, read with this test's own option table
 * (getsockopt through the transport), not with the library under test.
 *
 * @param userTimeoutMillis -1 where the transport cannot read it (NIO: the JDK has no such option)
 */
record Seen(String transport, boolean keepalive, int idle, int interval, int probes,
    int userTimeoutMillis) {

  static Seen of(Channel channel) {
    ChannelConfig c = channel.config();
    if (channel instanceof EpollSocketChannel) {
      return new Seen("epoll", c.getOption(ChannelOption.SO_KEEPALIVE),
          c.getOption(EpollChannelOption.TCP_KEEPIDLE), c.getOption(EpollChannelOption.TCP_KEEPINTVL),
          c.getOption(EpollChannelOption.TCP_KEEPCNT),
          c.getOption(EpollChannelOption.TCP_USER_TIMEOUT));
    }
    if (channel instanceof NioSocketChannel) {
      return new Seen("nio", c.getOption(ChannelOption.SO_KEEPALIVE),
          c.getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE)),
          c.getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL)),
          c.getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT)), -1);
    }
    throw new IllegalArgumentException("no option table for " + channel.getClass().getName());
  }

  /** What a channel of {@code transport} shows once {@code policy} (enabled) took. */
  static Seen expected(String transport, KeepalivePolicy policy) {
    int userTimeout = transport.equals("nio") ? -1
        : policy.hasUserTimeout() ? policy.userTimeoutMillis() : 0;
    return new Seen(transport, true, policy.idleSeconds(), policy.intervalSeconds(),
        policy.probes(), userTimeout);
  }

  /**
   * What a channel shows with SO_KEEPALIVE as given and no tuning option set: this network
   * namespace's defaults (7200/75/9 unless changed), no user timeout.
   */
  static Seen kernelDefaults(String transport, boolean keepalive) {
    KeepalivePolicy d = namespaceDefaults();
    return new Seen(transport, keepalive, d.idleSeconds(), d.intervalSeconds(), d.probes(),
        transport.equals("nio") ? -1 : 0);
  }

  static KeepalivePolicy namespaceDefaults() {
    return KernelDefaults.current().policy().orElseThrow(
        () -> new IllegalStateException("no kernel defaults on this platform"));
  }

  /**
   * So that a test can fail: an option never set reads back as the namespace default, which must
   * differ from the policy in every field.
   */
  static void assertDefaultsDifferFrom(KeepalivePolicy policy) {
    KeepalivePolicy d = namespaceDefaults();
    assertNotEquals(d.idleSeconds(), policy.idleSeconds(), "idle");
    assertNotEquals(d.intervalSeconds(), policy.intervalSeconds(), "interval");
    assertNotEquals(d.probes(), policy.probes(), "probes");
  }
}
