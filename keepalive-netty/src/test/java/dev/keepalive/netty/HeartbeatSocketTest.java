package dev.keepalive.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.HeartbeatListener;
import dev.keepalive.HeartbeatTimeoutException;
import dev.keepalive.KeepalivePolicy;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.LineEncoder;
import io.netty.handler.codec.string.LineSeparator;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** HeartbeatHandler and HeartbeatResponder on real loopback connections, NIO and epoll. */
class HeartbeatSocketTest {

  /** idle 1 s, interval 1 s, 2 probes: detection deadline 3 s. */
  private static final KeepalivePolicy SHORT = KeepalivePolicy.ofSeconds(1, 1, 2);
  private static final long DEADLINE_NANOS = SHORT.detectionDeadline().toNanos();
  /** How late past the deadline a loaded 2-core CI machine may report the timeout. */
  private static final long TOLERANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(750);
  private static final HeartbeatProtocol PROTOCOL = HeartbeatProtocol.of("PING", "PONG");

  enum Transport {
    NIO(NettyLine::nioGroup, NioSocketChannel.class, NioServerSocketChannel.class),
    EPOLL(NettyLine::epollGroup, EpollSocketChannel.class, EpollServerSocketChannel.class);

    final Supplier<EventLoopGroup> groups;
    final Class<? extends SocketChannel> client;
    final Class<? extends ServerSocketChannel> server;

    Transport(Supplier<EventLoopGroup> groups, Class<? extends SocketChannel> client,
        Class<? extends ServerSocketChannel> server) {
      this.groups = groups;
      this.client = client;
      this.server = server;
    }

    void assumeAvailable() {
      if (this == EPOLL) {
        assumeTrue(Epoll.isAvailable(), () -> "epoll unavailable here: " + Epoll.unavailabilityCause());
      }
    }
  }

  static Stream<Arguments> transportsAndHosts() {
    return Stream.of(Transport.values())
        .flatMap(t -> Stream.of(Arguments.of(t, "127.0.0.1"), Arguments.of(t, "::1")));
  }

  private EventLoopGroup group;
  private Channel server;
  private Channel client;

  @AfterEach
  void closeEverything() throws Exception {
    if (client != null) {
      client.close().await(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close().await(5, TimeUnit.SECONDS);
    }
    if (group != null) {
      assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS));
    }
  }

  /** Newline-framed ASCII lines in front of {@code handlers}, as in the README. */
  static List<ChannelHandler> lines(ChannelHandler... handlers) {
    List<ChannelHandler> all = new ArrayList<>(List.of(new LineBasedFrameDecoder(256),
        new StringDecoder(US_ASCII), new LineEncoder(LineSeparator.UNIX, US_ASCII)));
    all.addAll(Arrays.asList(handlers));
    return all;
  }

  private static void assumeLoopback(String host) {
    try (java.net.ServerSocket s = new java.net.ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
    } catch (IOException e) {
      assumeTrue(false, host + " is not available on this machine (" + e + "): IPv6 test skipped");
    }
  }

  /** What the client's application sees: when it became active, messages, the first exception. */
  static final class ClientApp extends ChannelInboundHandlerAdapter {
    final Queue<Object> messages = new ConcurrentLinkedQueue<>();
    final CompletableFuture<Throwable> failure = new CompletableFuture<>();
    final AtomicLong failedAt = new AtomicLong();
    /** The peer's channel, if the test wants to know whether it was active at the failure. */
    final AtomicReference<Channel> peer = new AtomicReference<>();
    volatile boolean peerActiveAtFailure;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      messages.add(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failedAt.compareAndSet(0, System.nanoTime());
      Channel p = peer.get();
      peerActiveAtFailure = p != null && p.isActive();
      failure.complete(cause);
    }
  }

  /** Stamps channelActive before the heartbeat handler starts, so elapsed times are not short. */
  static final class ActiveStamp extends ChannelInboundHandlerAdapter {
    final AtomicLong at = new AtomicLong();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      at.set(System.nanoTime());
      ctx.fireChannelActive();
    }
  }

  static final class Counts implements HeartbeatListener {
    final AtomicInteger pings = new AtomicInteger();
    final AtomicInteger answers = new AtomicInteger();
    final AtomicReference<Duration> firstRoundTrip = new AtomicReference<>();

    @Override
    public void pingSent(int unansweredPings) {
      pings.incrementAndGet();
    }

    @Override
    public void pingAnswered(Duration roundTrip) {
      answers.incrementAndGet();
      firstRoundTrip.compareAndSet(null, roundTrip);
    }
  }

  private InetSocketAddress startServer(Transport t, String host, boolean autoRead,
      Supplier<List<ChannelHandler>> childHandlers) throws Exception {
    t.assumeAvailable();
    assumeLoopback(host);
    group = t.groups.get();
    server = new ServerBootstrap().group(group).channel(t.server)
        .childOption(ChannelOption.AUTO_READ, autoRead)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(childHandlers.get().toArray(new ChannelHandler[0]));
          }
        })
        .bind(new InetSocketAddress(InetAddress.getByName(host), 0)).sync().channel();
    return (InetSocketAddress) server.localAddress();
  }

  private HeartbeatHandler connect(Transport t, InetSocketAddress address, ActiveStamp stamp,
      Counts counts, ClientApp app) throws Exception {
    HeartbeatHandler heartbeat = new HeartbeatHandler(SHORT, PROTOCOL, counts);
    client = new Bootstrap().group(group).channel(t.client)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(lines(stamp, heartbeat, app).toArray(new ChannelHandler[0]));
          }
        })
        .connect(address).sync().channel();
    return heartbeat;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("transportsAndHosts")
  void peerThatStopsReadingIsDetectedAtTheDeadlineAndTheChannelClosed(Transport t, String host)
      throws Exception {
    // The peer's process never reads (auto-read off, no read() call): its kernel still accepts
    // and acknowledges our pings, which TCP keepalive would take for a healthy peer.
    ClientApp app = new ClientApp();
    AtomicReference<Channel> peer = app.peer;
    InetSocketAddress address = startServer(t, host, false,
        () -> List.of(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelActive(ChannelHandlerContext ctx) {
            peer.set(ctx.channel());
          }
        }));
    ActiveStamp stamp = new ActiveStamp();
    Counts counts = new Counts();
    HeartbeatHandler heartbeat = connect(t, address, stamp, counts, app);

    Throwable cause = app.failure.get(DEADLINE_NANOS + 5_000_000_000L, TimeUnit.NANOSECONDS);
    long elapsed = app.failedAt.get() - stamp.at.get();

    HeartbeatTimeoutException timeout = assertInstanceOf(HeartbeatTimeoutException.class, cause);
    assertTrue(elapsed >= DEADLINE_NANOS, "timed out early, after " + elapsed + " ns");
    assertTrue(elapsed < DEADLINE_NANOS + TOLERANCE_NANOS, "timed out late: " + elapsed + " ns");
    assertEquals(2, timeout.unansweredPings());
    assertEquals(2, counts.pings.get());
    assertTrue(client.closeFuture().await(5, TimeUnit.SECONDS), "the handler closes the channel");
    assertTrue(heartbeat.isTimedOut());
    // The handler stops its timer before it fires the exception, so this holds at once.
    assertNull(client.eventLoop().submit(heartbeat::scheduledPoll).get(5, TimeUnit.SECONDS),
        "no timer left");
    assertTrue(app.peerActiveAtFailure, "the connection was established as far as TCP could tell");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void responderAnswersPingsAndNeitherSideSeesHeartbeatMessages(Transport t) throws Exception {
    Queue<Object> peerSaw = new ConcurrentLinkedQueue<>();
    HeartbeatResponder responder = new HeartbeatResponder(PROTOCOL);
    InetSocketAddress address = startServer(t, "127.0.0.1", true,
        () -> lines(responder, new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peerSaw.add(msg);
          }
        }));
    Counts counts = new Counts();
    ClientApp app = new ClientApp();
    HeartbeatHandler heartbeat = connect(t, address, new ActiveStamp(), counts, app);
    client.writeAndFlush("HELLO").sync();

    Thread.sleep(DEADLINE_NANOS / 1_000_000 + 1_500);

    assertFalse(app.failure.isDone(), () -> "failed: " + app.failure.join());
    assertTrue(client.isActive());
    assertTrue(counts.pings.get() >= 2, "pings: " + counts.pings.get());
    assertEquals(counts.pings.get(), counts.answers.get(), "every ping answered");
    assertTrue(heartbeat.lastRoundTrip().orElseThrow().toMillis() < 250,
        "round trip " + heartbeat.lastRoundTrip());
    assertEquals(List.of("HELLO"), List.copyOf(peerSaw), "pings never reach the peer's handlers");
    assertEquals(List.of(), List.copyOf(app.messages), "pongs never reach ours");
  }

  static Stream<Transport> transports() {
    return Stream.of(Transport.values());
  }

  @Test
  void chattyPeerNeverTriggersAPing() throws Exception {
    InetSocketAddress address = startServer(Transport.NIO, "127.0.0.1", true,
        () -> lines(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelActive(ChannelHandlerContext ctx) {
            ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush("DATA"),
                200, 200, TimeUnit.MILLISECONDS);
          }
        }));
    Counts counts = new Counts();
    ClientApp app = new ClientApp();
    connect(Transport.NIO, address, new ActiveStamp(), counts, app);

    Thread.sleep(DEADLINE_NANOS / 1_000_000 + 500);

    assertEquals(0, counts.pings.get());
    assertFalse(app.failure.isDone());
    assertTrue(app.messages.size() >= 10, "messages passed on: " + app.messages.size());
  }

  @Test
  void pongsLateButWithinTheIntervalKeepTheConnection() throws Exception {
    InetSocketAddress address = startServer(Transport.NIO, "127.0.0.1", true,
        () -> lines(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if ("PING".equals(msg)) {
              ctx.executor().schedule(() -> ctx.writeAndFlush("PONG"), 700, TimeUnit.MILLISECONDS);
            }
          }
        }));
    Counts counts = new Counts();
    ClientApp app = new ClientApp();
    connect(Transport.NIO, address, new ActiveStamp(), counts, app);

    Thread.sleep(DEADLINE_NANOS / 1_000_000 + 1_500);

    assertFalse(app.failure.isDone(), () -> "failed: " + app.failure.join());
    assertTrue(client.isActive());
    assertTrue(counts.answers.get() >= 2, "answers: " + counts.answers.get());
    long rtt = counts.firstRoundTrip.get().toMillis();
    assertTrue(rtt >= 700 && rtt < 1_000, "round trip " + rtt + " ms");
  }

  @Test
  void closingTheChannelCancelsTheTimer() throws Exception {
    InetSocketAddress address = startServer(Transport.NIO, "127.0.0.1", true, List::of);
    HeartbeatHandler heartbeat =
        connect(Transport.NIO, address, new ActiveStamp(), new Counts(), new ClientApp());
    Future<?> timer = client.eventLoop().submit(heartbeat::scheduledPoll).get(5, TimeUnit.SECONDS);
    assertFalse(timer.isDone());
    client.close().sync();
    // channelInactive runs in a task close() queues after completing its future: wait for it.
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (client.eventLoop().submit(heartbeat::scheduledPoll).get(5, TimeUnit.SECONDS) != null) {
      assertTrue(System.nanoTime() - giveUp < 0, "timer still set 5 s after close");
      Thread.sleep(10);
    }
    assertTrue(timer.isCancelled());
  }
}
