package dev.keepalive.benchmarks;

import dev.keepalive.HeartbeatListener;
import dev.keepalive.HeartbeatTimeoutException;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.netty.HeartbeatHandler;
import dev.keepalive.netty.HeartbeatProtocol;
import dev.keepalive.netty.HeartbeatResponder;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code n} Netty epoll channels on one single-threaded event loop group, each with a
 * {@link HeartbeatHandler} pinging every second (idle 1 s, interval 1 s, 3 probes) a responder in a
 * second JVM (the open-file limit here is 20 000 per process). Measured against the same channels
 * without the handler: the CPU the heartbeating side uses (process CPU time over wall time, in
 * cores) and the heap it retains per channel, with the pings sent, answered and timed out.
 */
public final class HeartbeatScale {

  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(1, 1, 3);
  /** Line-framed: the decoder strips the newline the encoder side must add. */
  private static final HeartbeatProtocol PROTOCOL = HeartbeatProtocol.of(() -> "PING\n",
      "PING"::equals, ping -> "PONG\n", "PONG"::equals);

  /** What one phase measured. */
  record Phase(boolean heartbeat, double cores, long heapBytes, long pings, long answered,
      long timeouts) {}

  /** Both phases. */
  record Result(int channels, int windowSeconds, Phase idle, Phase heartbeat) {
    double bytesPerChannel() {
      return (heartbeat.heapBytes() - idle.heapBytes()) / (double) channels;
    }

    double pingsPerSecond() {
      return heartbeat.pings() / (double) windowSeconds;
    }

    boolean healthy() {
      return heartbeat.timeouts() == 0 && heartbeat.answered() > 0
          && heartbeat.pings() >= (long) channels * (windowSeconds - 2);
    }

    String table() {
      return String.format(Locale.ROOT, "| %d channels on one event loop, %d s | without heartbeat |"
          + " with HeartbeatHandler (ping every 1 s) |%n|---|---|---|%n"
          + "| CPU of the heartbeating JVM (cores) | %.3f | %.3f |%n"
          + "| heap retained after GC | %.1f MiB | %.1f MiB (%+.0f B per channel) |%n"
          + "| pings sent / answered / timed out | - | %d / %d / %d (%.0f pings/s) |%n",
          channels, windowSeconds, idle.cores(), heartbeat.cores(), idle.heapBytes() / 1048576.0,
          heartbeat.heapBytes() / 1048576.0, bytesPerChannel(), heartbeat.pings(),
          heartbeat.answered(), heartbeat.timeouts(), pingsPerSecond());
    }
  }

  private HeartbeatScale() {}

  static Result run(int channels, int windowSeconds) throws Exception {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("epoll unavailable: " + Epoll.unavailabilityCause());
    }
    Process server = AcceptScale.startJvm(Server.class);
    try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
        StandardCharsets.US_ASCII))) {
      String port = out.readLine();
      if (port == null) {
        throw new IllegalStateException("responder JVM did not start");
      }
      InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
          Integer.parseInt(port.trim()));
      Phase idle = phase(address, channels, windowSeconds, false);
      Phase heartbeat = phase(address, channels, windowSeconds, true);
      return new Result(channels, windowSeconds, idle, heartbeat);
    } finally {
      server.getOutputStream().close();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private static Phase phase(InetSocketAddress server, int n, int windowSeconds, boolean heartbeat)
      throws Exception {
    LongAdder pings = new LongAdder();
    LongAdder answered = new LongAdder();
    LongAdder timeouts = new LongAdder();
    HeartbeatListener counter = new HeartbeatListener() {
      @Override
      public void pingSent(int unansweredPings) {
        pings.increment();
      }

      @Override
      public void pingAnswered(Duration roundTrip) {
        answered.increment();
      }

      @Override
      public void timedOut(HeartbeatTimeoutException timeout) {
        timeouts.increment();
      }
    };
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    ChannelGroup all = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    try {
      Bootstrap b = new Bootstrap().group(group).channel(EpollSocketChannel.class)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new LineBasedFrameDecoder(64),
                  new StringDecoder(StandardCharsets.US_ASCII),
                  new StringEncoder(StandardCharsets.US_ASCII));
              if (heartbeat) {
                ch.pipeline().addLast(new HeartbeatHandler(POLICY, PROTOCOL, counter));
              }
            }
          });
      List<io.netty.channel.ChannelFuture> connects = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        connects.add(b.connect(server));
        if (connects.size() == 512) {
          awaitAll(connects, all);
        }
      }
      awaitAll(connects, all);
      settle();
      pings.reset();
      answered.reset();
      timeouts.reset();
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      Thread.sleep(TimeUnit.SECONDS.toMillis(windowSeconds));
      double cores = (os.getProcessCpuTime() - cpu0) / (double) (System.nanoTime() - t0);
      long heap = settle();
      return new Phase(heartbeat, cores, heap, pings.sum(), answered.sum(), timeouts.sum());
    } finally {
      all.close().awaitUninterruptibly(30, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private static void awaitAll(List<io.netty.channel.ChannelFuture> connects, ChannelGroup all) {
    for (io.netty.channel.ChannelFuture f : connects) {
      if (!f.awaitUninterruptibly(30, TimeUnit.SECONDS) || !f.isSuccess()) {
        throw new IllegalStateException("connect failed", f.cause());
      }
      all.add(f.channel());
    }
    connects.clear();
  }

  /** Heap in use after full collections. */
  private static long settle() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  /**
   * Last in the responder's pipeline: the measuring JVM closes its channels with pings in flight,
   * so a PONG may meet a closed socket and the next read a reset. That ends the connection, as
   * expected; anything else goes on to Netty's warning.
   */
  @ChannelHandler.Sharable
  static final class PeerGone extends ChannelInboundHandlerAdapter {
    static final PeerGone INSTANCE = new PeerGone();

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof IOException) {
        ctx.close();
      } else {
        ctx.fireExceptionCaught(cause);
      }
    }
  }

  /** The responder JVM: answers every PING with PONG until its standard input closes. */
  public static final class Server {
    private Server() {}

    public static void main(String[] args) throws Exception {
      EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
      try {
        Channel listener = new ServerBootstrap().group(group)
            .channel(EpollServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childHandler(new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new LineBasedFrameDecoder(64),
                    new StringDecoder(StandardCharsets.US_ASCII),
                    new StringEncoder(StandardCharsets.US_ASCII), new HeartbeatResponder(PROTOCOL),
                    PeerGone.INSTANCE);
              }
            })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        System.out.println(((InetSocketAddress) listener.localAddress()).getPort());
        System.out.flush();
        while (System.in.read() >= 0) {
          // until the measuring JVM closes our input
        }
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Result r = run(args.length > 0 ? Integer.parseInt(args[0]) : 10_000,
        args.length > 1 ? Integer.parseInt(args[1]) : 10);
    System.out.print(r.table());
  }
}
