package dev.keepalive.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's Netty examples, line for line, with their claimed results. */
class ReadmeExamplesTest {

  @ChannelHandler.Sharable
  static final class EchoHandler extends ChannelInboundHandlerAdapter {
    final CompletableFuture<Channel> active = new CompletableFuture<>();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      active.complete(ctx.channel());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }
  }

  @Test
  void serverAndClient() throws Exception {
    EchoHandler echo = new EchoHandler();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    try {
      // --- README: server ---
      KeepalivePolicy policy = KeepalivePolicy.ofSeconds(60, 10, 3); // a dead peer is found in 90 s

      ServerBootstrap server = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(echo);
            }
          });
      NettyKeepalive.configure(server, policy); // after childHandler(...): it wraps it
      Channel listener = server.bind("127.0.0.1", 0).sync().channel();
      // --- end ---

      // --- README: client ---
      Bootstrap client = new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .handler(new ChannelInboundHandlerAdapter());
      NettyKeepalive.configure(client, policy);
      Channel channel = client.connect(listener.localAddress()).sync().channel();
      // --- end ---

      assertEquals(Duration.ofSeconds(90), policy.detectionDeadline());
      assertEquals(policy, NettyKeepalive.inspect(echo.active.get(10, TimeUnit.SECONDS)));
      assertEquals(policy, NettyKeepalive.inspect(channel));

      // --- README: a live channel ---
      KeepalivePolicy faster = KeepalivePolicy.ofSeconds(20, 5, 3);
      NettyKeepalive.apply(channel, faster);                         // strict: all or an exception
      KeepalivePolicy inForce = NettyKeepalive.inspect(channel);     // idle=20s,interval=5s,probes=3

      KeepalivePolicy withUserTimeout = faster.withUserTimeoutAtDetectionDeadline(); // 35000 ms
      // NIO cannot set TCP_USER_TIMEOUT: strict refuses before touching the channel ...
      UnsupportedKeepaliveOptionException refused = assertThrows(
          UnsupportedKeepaliveOptionException.class,
          () -> NettyKeepalive.apply(channel, withUserTimeout));
      // ... lenient applies the rest and says what it skipped.
      ApplyReport report = NettyKeepalive.apply(channel, withUserTimeout, ApplyMode.LENIENT);
      report.notApplied();                                           // [TCP_USER_TIMEOUT]
      // --- end ---

      assertEquals("idle=20s,interval=5s,probes=3", inForce.toString());
      assertEquals(35_000, withUserTimeout.userTimeoutMillis());
      assertEquals("TCP_USER_TIMEOUT (userTimeout) cannot be set on Netty NIO: the JDK has no "
          + "TCP_USER_TIMEOUT (jdk.net.ExtendedSocketOptions); use the epoll or io_uring transport",
          refused.getMessage());
      assertEquals(Set.of(KeepaliveOption.TCP_USER_TIMEOUT), report.notApplied());
      channel.close().sync();
      listener.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void epollServerWithUserTimeout() throws Exception {
    assumeTrue(Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
    EchoHandler echo = new EchoHandler();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
    try {
      // --- README: epoll with a user timeout ---
      KeepalivePolicy policy = KeepalivePolicy.ofSeconds(60, 10, 3)
          .withUserTimeoutAtDetectionDeadline(); // unacknowledged data also fails after 90 s

      ServerBootstrap server = new ServerBootstrap()
          .group(group)
          .channel(EpollServerSocketChannel.class)
          .childHandler(echo);
      NettyKeepalive.configure(server, policy);
      // --- end ---
      Channel listener = server.bind("127.0.0.1", 0).sync().channel();
      Channel channel = new Bootstrap().group(group).channel(EpollSocketChannel.class)
          .handler(new ChannelInboundHandlerAdapter()).connect(listener.localAddress()).sync()
          .channel();
      Channel accepted = echo.active.get(10, TimeUnit.SECONDS);
      assertEquals(policy, NettyKeepalive.inspect(accepted));
      assertEquals(90_000, policy.userTimeoutMillis());
      assertTrue(NettyKeepalive.inspect(channel).userTimeout().isEmpty(), "client not configured");
      channel.close().sync();
      listener.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  /** What the gRPC-java example does, with Netty's own builder standing in for gRPC's. */
  @Test
  void channelOptionsForBuilders() throws Exception {
    assumeTrue(Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
    EchoHandler echo = new EchoHandler();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
    try {
      KeepalivePolicy policy = KeepalivePolicy.ofSeconds(60, 10, 3)
          .withUserTimeoutAtDetectionDeadline();
      ServerBootstrap builder = new ServerBootstrap().group(group)
          .channel(EpollServerSocketChannel.class).childHandler(echo);
      // README: NettyKeepalive.options(EpollServerSocketChannel.class, policy, builder::withChildOption);
      NettyKeepalive.options(EpollServerSocketChannel.class, policy, builder::childOption);
      Channel listener = builder.bind("127.0.0.1", 0).sync().channel();
      Channel channel = new Bootstrap().group(group).channel(EpollSocketChannel.class)
          .handler(new ChannelInboundHandlerAdapter()).connect(listener.localAddress()).sync()
          .channel();
      assertEquals(policy, NettyKeepalive.inspect(echo.active.get(10, TimeUnit.SECONDS)));
      channel.close().sync();
      listener.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  /** What the Reactor Netty example's doOnChannelInit callback does, in a plain initializer. */
  @Test
  void applyingInAChannelInitializer() throws Exception {
    EchoHandler echo = new EchoHandler();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(60, 10, 3);
    try {
      ServerBootstrap server = new ServerBootstrap().group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              // README: .doOnChannelInit((observer, channel, remote) -> NettyKeepalive.apply(channel, policy))
              NettyKeepalive.apply(ch, policy);
              ch.pipeline().addLast(echo);
            }
          });
      Channel listener = server.bind("127.0.0.1", 0).sync().channel();
      Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInboundHandlerAdapter()).connect(listener.localAddress()).sync()
          .channel();
      assertEquals(policy, NettyKeepalive.inspect(echo.active.get(10, TimeUnit.SECONDS)));
      channel.close().sync();
      listener.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }
}
