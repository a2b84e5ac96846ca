package dev.keepalive.netty;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A real server and client on loopback: the listening channel, the channel it accepted and the
 * client channel, on one transport. Every wait is bounded.
 */
final class Peers implements AutoCloseable {
  static final long TIMEOUT_SECONDS = 10;

  final TestTransport transport;
  final Channel listener;
  final Channel client;
  final ChannelFuture connected;
  /** What the application's own child handler saw: user events and exceptions. */
  final Recorder server;
  /** What the application's own client handler saw. */
  final Recorder clientSide;
  private final EventLoopGroup group;

  private Peers(TestTransport transport, EventLoopGroup group, Channel listener,
      ChannelFuture connected, Recorder server, Recorder clientSide) {
    this.transport = transport;
    this.group = group;
    this.listener = listener;
    this.connected = connected;
    this.client = connected.channel();
    this.server = server;
    this.clientSide = clientSide;
  }

  static InetAddress loopback(String literal) {
    InetAddress address;
    try {
      address = InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
    if (literal.contains(":")) {
      boolean usable;
      try (ServerSocket probe = new ServerSocket(0, 1, address)) {
        usable = probe.isBound();
      } catch (IOException e) {
        usable = false;
      }
      assumeTrue(usable, "IPv6 loopback ::1 is not configured on this machine; IPv6 case skipped");
    }
    return address;
  }

  static Peers connect(TestTransport transport, InetAddress address) throws Exception {
    return connect(transport, address, UnaryOperator.identity(), UnaryOperator.identity());
  }

  /**
   * Binds a server and connects a client; {@code server} and {@code client} may configure the
   * bootstraps after their handlers are set, as an application would.
   */
  static Peers connect(TestTransport transport, InetAddress address,
      UnaryOperator<ServerBootstrap> server, UnaryOperator<Bootstrap> client) throws Exception {
    EventLoopGroup group = transport.requireAvailable().newGroup();
    Recorder serverRecorder = new Recorder();
    Recorder clientRecorder = new Recorder();
    try {
      ServerBootstrap sb = new ServerBootstrap().group(group).channel(transport.serverChannel)
          .childHandler(initializer(serverRecorder));
      Channel listener = server.apply(sb).bind(address, 0).sync().channel();
      Bootstrap cb = new Bootstrap().group(group).channel(transport.socketChannel)
          .handler(initializer(clientRecorder));
      ChannelFuture connected = client.apply(cb).connect(listener.localAddress());
      // Bounded; the connect may fail on purpose (a refused policy closes the channel).
      if (!connected.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("connect did not complete within " + TIMEOUT_SECONDS + " s");
      }
      return new Peers(transport, group, listener, connected, serverRecorder, clientRecorder);
    } catch (Exception | Error e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** The channel the server accepted, once it is active. */
  Channel accepted() throws Exception {
    return server.active.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    client.close().awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    // The accepted end too, before its event loop stops: a channel closed by the group's own
    // shutdown deregisters on a terminated loop, which Netty 4.1's io_uring incubator logs as a
    // WARN ("Can't invoke task later as EventLoop rejected it").
    Channel accepted = server.active.getNow(null);
    if (accepted != null) {
      accepted.close().awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    listener.close().awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS)
        .awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static ChannelHandler initializer(Recorder recorder) {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast("app", recorder);
      }
    };
  }

  /** The application's handler: records what reached it. */
  @ChannelHandler.Sharable
  static final class Recorder extends ChannelInboundHandlerAdapter {
    final CompletableFuture<Channel> active = new CompletableFuture<>();
    final CompletableFuture<Channel> inactive = new CompletableFuture<>();
    final CompletableFuture<Throwable> exception = new CompletableFuture<>();
    final List<Object> userEvents = new CopyOnWriteArrayList<>();
    /** The channel's pipeline handler names as the application first saw it active. */
    volatile List<String> pipelineWhenActive;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      pipelineWhenActive = ctx.pipeline().names();
      active.complete(ctx.channel());
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      inactive.complete(ctx.channel());
      ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      userEvents.add(evt);
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      exception.complete(cause);
      ctx.close();
    }
  }
}
