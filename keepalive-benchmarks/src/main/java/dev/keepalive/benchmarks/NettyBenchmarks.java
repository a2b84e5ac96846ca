package dev.keepalive.benchmarks;

import dev.keepalive.ApplyReport;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.netty.NettyKeepalive;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code NettyKeepalive.apply} against the raw {@code channel.config().setOption} calls, on a live
 * loopback client channel of each transport. The raw case uses option constants made once, as a
 * careful user would write it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NettyBenchmarks {

  private static final ChannelOption<Integer> NIO_IDLE =
      NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE);
  private static final ChannelOption<Integer> NIO_INTERVAL =
      NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL);
  private static final ChannelOption<Integer> NIO_COUNT =
      NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT);

  @Param({"nio", "epoll"})
  public String transport;

  private final KeepalivePolicy policy = KeepalivePolicy.ofSeconds(90, 15, 2);
  private EventLoopGroup group;
  private Channel server;
  private Channel client;
  private ChannelOption<Integer> idle;
  private ChannelOption<Integer> interval;
  private ChannelOption<Integer> count;
  /** Null on NIO, which has no TCP_USER_TIMEOUT. */
  private ChannelOption<Integer> userTimeout;

  @Setup
  public void open() throws InterruptedException {
    boolean epoll = "epoll".equals(transport);
    if (epoll && !Epoll.isAvailable()) {
      throw new IllegalStateException("epoll unavailable: " + Epoll.unavailabilityCause());
    }
    group = new MultiThreadIoEventLoopGroup(1,
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    server = new ServerBootstrap().group(group)
        .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        .childHandler(new ChannelInboundHandlerAdapter())
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    client = new Bootstrap().group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .handler(new ChannelInboundHandlerAdapter())
        .connect(server.localAddress()).sync().channel();
    idle = epoll ? EpollChannelOption.TCP_KEEPIDLE : NIO_IDLE;
    interval = epoll ? EpollChannelOption.TCP_KEEPINTVL : NIO_INTERVAL;
    count = epoll ? EpollChannelOption.TCP_KEEPCNT : NIO_COUNT;
    userTimeout = epoll ? EpollChannelOption.TCP_USER_TIMEOUT : null;
  }

  @TearDown
  public void close() throws InterruptedException {
    client.close().sync();
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Benchmark
  public boolean applyRaw() {
    ChannelConfig config = client.config();
    return config.setOption(idle, policy.idleSeconds())
        & config.setOption(interval, policy.intervalSeconds())
        & config.setOption(count, policy.probes())
        & config.setOption(ChannelOption.SO_KEEPALIVE, Boolean.TRUE);
  }

  /**
   * The raw calls that make the channel exactly the policy, as {@code applyLibrary} does: on a
   * transport with TCP_USER_TIMEOUT (epoll), a policy without one also means none in force, so the
   * careful hand-written version reads it first and clears it only if one is set (never here).
   */
  @Benchmark
  public boolean applyRawExact() {
    ChannelConfig config = client.config();
    if (userTimeout != null) {
      Integer inForce = config.getOption(userTimeout);
      if (inForce != null && inForce != 0) {
        config.setOption(userTimeout, 0);
      }
    }
    return config.setOption(idle, policy.idleSeconds())
        & config.setOption(interval, policy.intervalSeconds())
        & config.setOption(count, policy.probes())
        & config.setOption(ChannelOption.SO_KEEPALIVE, Boolean.TRUE);
  }

  @Benchmark
  public ApplyReport applyLibrary() {
    return NettyKeepalive.apply(client, policy);
  }
}
