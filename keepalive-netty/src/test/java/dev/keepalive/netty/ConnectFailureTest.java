package dev.keepalive.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A policy refused on a client channel fails the connect future with the keepalive exception
 * itself, never with a bare ClosedChannelException, whichever way the policy and the channel got
 * there: {@code configure(Bootstrap)} with {@code channel(Class)} or {@code channelFactory}, or
 * {@link NettyKeepalive#initializer} from a framework-style channel hook.
 */
class ConnectFailureTest {

  /** NIO has no TCP_USER_TIMEOUT (the JDK has none), so this is refused on NIO. */
  private static final KeepalivePolicy REFUSED_ON_NIO =
      NettyKeepaliveTest.POLICY.withUserTimeoutAtDetectionDeadline();

  private EventLoopGroup group;
  private Channel listener;
  private final Peers.Recorder server = new Peers.Recorder();

  @BeforeEach
  void listen() throws Exception {
    group = TestTransport.NIO.newGroup();
    listener = new ServerBootstrap().group(group).channel(TestTransport.NIO.serverChannel)
        .childHandler(server).bind("127.0.0.1", 0).sync().channel();
  }

  @AfterEach
  void shutDown() {
    listener.close().awaitUninterruptibly(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS)
        .awaitUninterruptibly(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** Connects with a bounded wait; the future is done when this returns. */
  private ChannelFuture connect(Bootstrap bootstrap) throws InterruptedException {
    ChannelFuture connected = bootstrap.connect(listener.localAddress());
    assertTrue(connected.await(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS),
        "connect did not complete within " + Peers.TIMEOUT_SECONDS + " s");
    return connected;
  }

  private void assertRefusedWithTheKeepaliveException(ChannelFuture connected,
      Peers.Recorder app) throws InterruptedException {
    assertFalse(connected.isSuccess(), "connected without the policy");
    UnsupportedKeepaliveOptionException e =
        assertInstanceOf(UnsupportedKeepaliveOptionException.class, connected.cause(),
            "the connect future carries the refusal itself");
    assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
    assertEquals("Netty NIO", e.platform());
    assertTrue(connected.channel().closeFuture().await(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS),
        "the channel is closed");
    assertFalse(app.active.isDone(), "the application never saw the channel active");
    assertFalse(app.exception.isDone(),
        "like any failed connect, reported through the future alone, not exceptionCaught");
  }

  @Test
  void bootstrapWithChannelClassFailsTheConnectWithTheRefusal() throws Exception {
    Peers.Recorder app = new Peers.Recorder();
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(app);
    assertRefusedWithTheKeepaliveException(connect(NettyKeepalive.configure(b, REFUSED_ON_NIO)),
        app);
  }

  @Test
  void bootstrapWithChannelFactoryFailsTheConnectWithTheRefusal() throws Exception {
    // Frameworks build channels through a factory: the transport is known only at registration.
    Peers.Recorder app = new Peers.Recorder();
    Bootstrap b = new Bootstrap().group(group).channelFactory(NioSocketChannel::new).handler(app);
    assertRefusedWithTheKeepaliveException(connect(NettyKeepalive.configure(b, REFUSED_ON_NIO)),
        app);
  }

  /** What Reactor Netty's doOnChannelInit or a Lettuce NettyCustomizer hands the application. */
  private static ChannelHandler hook(Peers.Recorder app,
      Function<Channel, ChannelHandler> onChannelInit) {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast("app", app);
        ch.pipeline().addFirst(onChannelInit.apply(ch));
      }
    };
  }

  @Test
  void initializerInAChannelHookFailsTheConnectWithTheRefusal() throws Exception {
    Peers.Recorder app = new Peers.Recorder();
    ChannelHandler keepalive = NettyKeepalive.initializer(REFUSED_ON_NIO);
    Bootstrap b = new Bootstrap().group(group).channelFactory(NioSocketChannel::new)
        .handler(hook(app, ch -> keepalive));
    assertRefusedWithTheKeepaliveException(connect(b), app);
  }

  @Test
  void theRefusalIsTheSameInstanceThatApplyWouldThrow() throws Exception {
    // Not wrapped: callers match on the type and read option() and platform() from it.
    Peers.Recorder app = new Peers.Recorder();
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(app);
    ChannelFuture connected = connect(NettyKeepalive.configure(b, REFUSED_ON_NIO));
    assertNull(connected.cause().getCause());
    assertSame(UnsupportedKeepaliveOptionException.class, connected.cause().getClass());
  }

  @Test
  void initializerAppliesThePolicyOnBothEndsAndLeaves() throws Exception {
    KeepalivePolicy policy = NettyKeepaliveTest.POLICY;
    Peers.Recorder app = new Peers.Recorder();
    Peers.Recorder accepting = new Peers.Recorder();
    ChannelHandler keepalive = NettyKeepalive.initializer(policy);
    Channel listening = new ServerBootstrap().group(group).channel(TestTransport.NIO.serverChannel)
        .childHandler(hook(accepting, ch -> keepalive)).bind("127.0.0.1", 0).sync().channel();
    try {
      Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(hook(app, ch -> keepalive));
      ChannelFuture connected = b.connect(listening.localAddress());
      assertTrue(connected.await(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS));
      assertTrue(connected.isSuccess(), () -> "connect failed: " + connected.cause());
      Channel accepted = accepting.active.get(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Channel client = app.active.get(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Observed expected = new Observed(true, 31, 7, 4, -1);
      assertEquals(expected, Observed.of(TestTransport.NIO, client));
      assertEquals(expected, Observed.of(TestTransport.NIO, accepted));
      assertEquals(List.of("app"), List.copyOf(client.pipeline().toMap().keySet()));
      assertEquals(List.of("app"), List.copyOf(accepted.pipeline().toMap().keySet()));
      client.close().awaitUninterruptibly(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } finally {
      listening.close().awaitUninterruptibly(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /**
   * An accepted channel has nobody waiting on a future: the refusal goes down the pipeline. Inside
   * a framework's ChannelInitializer (where channel hooks run) that initializer is next in line:
   * Netty's ChannelInitializer logs "Failed to initialize a channel. Closing" with the refusal and
   * closes the channel. Captured here instead of printed.
   */
  @Test
  void initializerOnAnAcceptedChannelInAHookClosesItWithTheRefusalLogged() throws Exception {
    Logger netty = Logger.getLogger(ChannelInitializer.class.getName());
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        logged.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    boolean parents = netty.getUseParentHandlers();
    netty.addHandler(capture);
    netty.setUseParentHandlers(false);
    Peers.Recorder accepting = new Peers.Recorder();
    ChannelHandler keepalive = NettyKeepalive.initializer(REFUSED_ON_NIO);
    Channel listening = new ServerBootstrap().group(group).channel(TestTransport.NIO.serverChannel)
        .childHandler(hook(accepting, ch -> keepalive)).bind("127.0.0.1", 0).sync().channel();
    try {
      Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new Peers.Recorder()).connect(listening.localAddress()).sync().channel();
      assertTrue(client.closeFuture().await(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS),
          "the client sees the server close the connection");
      assertFalse(accepting.active.isDone(), "the application never saw it active");
      assertEquals(1, logged.size(), () -> "logged: " + logged);
      UnsupportedKeepaliveOptionException e = assertInstanceOf(
          UnsupportedKeepaliveOptionException.class, logged.get(0).getThrown());
      assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
    } finally {
      listening.close().awaitUninterruptibly(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
      netty.removeHandler(capture);
      netty.setUseParentHandlers(parents);
    }
  }
}
