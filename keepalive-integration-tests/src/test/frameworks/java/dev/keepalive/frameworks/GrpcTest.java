package dev.keepalive.frameworks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.netty.NettyKeepalive;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gRPC-java over {@code grpc-netty} (unshaded), plaintext, a real unary call: the policy
 * as channel options ({@code withChildOption}/{@code withOption}) for the {@code channelType}
 * gRPC is told to use, read back from the kernel on both ends. gRPC exposes no channel, so the
 * test reaches them through the builders' {@code channelFactory}: the client's factory records the
 * channel it makes, the server's makes a listener whose first handler sees each accepted channel
 * (a listener's pipeline reads its accepted channels as messages, before Netty's acceptor). Run
 * on both Netty lines: 1.85.1 on Netty 4.2 here, 1.79.0 (the last on Netty 4.1) in
 * keepalive-netty41-tests ({@link FrameworkLine}).
 */
class GrpcTest {

  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(31, 7, 4);
  static final KeepalivePolicy WITH_USER_TIMEOUT = POLICY.withUserTimeoutAtDetectionDeadline();

  /** A hand-written unary method with a byte-array marshaller: no protoc. */
  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("keepalive.Echo", "Echo"))
      .setRequestMarshaller(BYTES)
      .setResponseMarshaller(BYTES)
      .build();
  static final ServerServiceDefinition ECHO_SERVICE = ServerServiceDefinition.builder("keepalive.Echo")
      .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, reply) -> {
        reply.onNext(request);
        reply.onCompleted();
      }))
      .build();

  @BeforeAll
  static void defaultsDiffer() {
    Seen.assertDefaultsDifferFrom(POLICY);
  }

  /** The listener's first handler: every accepted channel passes it as a message. */
  @ChannelHandler.Sharable
  static final class Accepted extends ChannelInboundHandlerAdapter {
    final BlockingQueue<Channel> channels = new LinkedBlockingQueue<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel child) {
        channels.add(child);
      }
      ctx.fireChannelRead(msg);
    }

    <C extends ServerChannel> ChannelFactory<C> listeners(Supplier<C> make) {
      return () -> {
        C listener = make.get();
        listener.pipeline().addFirst(this);
        return listener;
      };
    }
  }

  @ParameterizedTest(name = "epoll={0}")
  @ValueSource(booleans = {false, true})
  void unaryCallRunsOnChannelsCarryingThePolicy(boolean epoll) throws Exception {
    if (epoll) {
      assumeTrue(Epoll.isAvailable(), () -> "epoll not available: " + Epoll.unavailabilityCause());
    }
    KeepalivePolicy policy = epoll ? WITH_USER_TIMEOUT : POLICY;
    Class<? extends ServerChannel> serverType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    Class<? extends Channel> clientType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    EventLoopGroup boss = FrameworkLine.group(epoll, 1);
    EventLoopGroup workers = FrameworkLine.group(epoll, 2);
    Accepted accepted = new Accepted();
    BlockingQueue<Channel> connected = new LinkedBlockingQueue<>();
    Server server = null;
    ManagedChannel channel = null;
    try {
      // The recipe, with channelFactory in place of channelType(serverType) to see the channels.
      NettyServerBuilder serverBuilder = NettyServerBuilder
          .forAddress(new InetSocketAddress("127.0.0.1", 0))
          .channelFactory(accepted.listeners(epoll ? EpollServerSocketChannel::new
              : NioServerSocketChannel::new))
          .bossEventLoopGroup(boss)
          .workerEventLoopGroup(workers)
          .addService(ECHO_SERVICE);
      NettyKeepalive.options(serverType, policy, serverBuilder::withChildOption);
      server = serverBuilder.build().start();
      int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();

      NettyChannelBuilder channelBuilder = NettyChannelBuilder.forAddress("127.0.0.1", port)
          .channelFactory(() -> {
            Channel c = epoll ? new EpollSocketChannel() : new NioSocketChannel();
            connected.add(c);
            return c;
          })
          .eventLoopGroup(workers)
          .usePlaintext();
      NettyKeepalive.options(clientType, policy, channelBuilder::withOption);
      channel = channelBuilder.build();

      byte[] reply = ClientCalls.blockingUnaryCall(channel, ECHO,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          "ping".getBytes(StandardCharsets.US_ASCII));
      assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), reply);

      Seen expected = Seen.expected(epoll ? "epoll" : "nio", policy);
      Channel serverEnd = accepted.channels.poll(10, TimeUnit.SECONDS);
      Channel clientEnd = connected.poll(10, TimeUnit.SECONDS);
      assertNotNull(serverEnd, "the server accepted a channel");
      assertNotNull(clientEnd, "the client made a channel");
      assertEquals(expected, Seen.of(serverEnd), "server end");
      assertEquals(expected, Seen.of(clientEnd), "client end");
      assertTrue(accepted.channels.isEmpty() && connected.isEmpty(), "one connection");
      // What an application's own test would call on the recorded channels.
      assertEquals(policy, NettyKeepalive.inspect(serverEnd));
      assertEquals(policy, NettyKeepalive.inspect(clientEnd));

      // The kernel's own view, as an application without the channels would check it.
      if (Ss.available()) {
        List<Ss.Connection> seen = Ss.awaitKeepaliveTimers(port, 2, Duration.ofSeconds(5));
        assertEquals(2, seen.size(), "both ends: " + seen);
        for (Ss.Connection c : seen) {
          assertTrue(c.keepaliveSecondsLeft() > policy.idleSeconds() - 10
              && c.keepaliveSecondsLeft() <= policy.idleSeconds(), "idle " + c);
        }
      }
    } finally {
      shutdown(channel, server, boss, workers);
    }
  }

  /**
   * The trap: options written for NIO, no {@code channelType} and no event-loop groups. gRPC picks
   * epoll because the native jar is there, Netty logs one "Unknown channel option" WARN per NIO
   * option and end, and the connection runs with SO_KEEPALIVE on but the kernel's 7200 s idle.
   */
  @Test
  void nioOptionsWithoutChannelTypeEndUpOnEpollWithTheKernelsTwoHours() throws Exception {
    assumeTrue(Epoll.isAvailable(), () -> "epoll not available: " + Epoll.unavailabilityCause());
    assumeTrue(Ss.available(), "ss (iproute2) is needed to read a connection gRPC hides");
    Server server = null;
    ManagedChannel channel = null;
    try (CapturedLog log = CapturedLog.of("io.netty.bootstrap")) {
      NettyServerBuilder serverBuilder = NettyServerBuilder
          .forAddress(new InetSocketAddress("127.0.0.1", 0))
          .addService(ECHO_SERVICE);
      NettyKeepalive.options(NioServerSocketChannel.class, POLICY, serverBuilder::withChildOption);
      server = serverBuilder.build().start();
      int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();

      NettyChannelBuilder channelBuilder = NettyChannelBuilder.forAddress("127.0.0.1", port)
          .usePlaintext();
      NettyKeepalive.options(NioSocketChannel.class, POLICY, channelBuilder::withOption);
      channel = channelBuilder.build();
      ClientCalls.blockingUnaryCall(channel, ECHO,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[] {1});

      List<Ss.Connection> seen = Ss.awaitKeepaliveTimers(port, 2, Duration.ofSeconds(5));
      assertEquals(2, seen.size(), "both ends: " + seen);
      long defaultIdle = Seen.namespaceDefaults().idleSeconds();
      for (Ss.Connection c : seen) {
        assertTrue(c.keepaliveSecondsLeft() > defaultIdle - 120, "the kernel's idle: " + c);
      }
      assertEquals(6, log.matching(Level.WARNING, "Unknown channel option").size(),
          "three NIO tuning options on each end, each only logged: " + log.records().size());
    } finally {
      shutdown(channel, server);
    }
  }

  private static void shutdown(ManagedChannel channel, Server server, EventLoopGroup... groups)
      throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
      assertTrue(channel.awaitTermination(10, TimeUnit.SECONDS), "channel terminated");
    }
    if (server != null) {
      server.shutdownNow();
      assertTrue(server.awaitTermination(10, TimeUnit.SECONDS), "server terminated");
    }
    for (EventLoopGroup g : groups) {
      assertTrue(g.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS),
          "event loops stopped");
    }
  }
}
