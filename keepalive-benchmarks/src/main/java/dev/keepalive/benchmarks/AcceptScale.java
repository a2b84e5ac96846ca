package dev.keepalive.benchmarks;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.netty.NettyKeepalive;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Netty epoll server accepting {@code n} loopback connections, with {@code
 * NettyKeepalive.configure} and without, alternately. The clients run in a second JVM (the open-file
 * limit here is 20 000 per process) and close with SO_LINGER 0 after the server closed its side, so
 * no TIME_WAIT piles up between trials and no child sees a reset. The rate is connections accepted per second, from the client's start signal to the last
 * child channel becoming active; afterwards every child's options are read back from the kernel.
 */
public final class AcceptScale {

  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(90, 15, 2);
  private static final long TRIAL_TIMEOUT_SECONDS = 120;

  /** One trial's outcome. */
  record Trial(boolean withPolicy, int connections, double acceptsPerSecond, int carryingPolicy) {}

  /** The result of all trials: medians with and without the policy. */
  record Result(int connections, List<Trial> trials) {
    double medianRate(boolean withPolicy) {
      double[] rates = trials.stream().filter(t -> t.withPolicy() == withPolicy)
          .mapToDouble(Trial::acceptsPerSecond).sorted().toArray();
      return rates[rates.length / 2];
    }

    boolean everyConnectionCarriedThePolicy() {
      return trials.stream().allMatch(t -> t.carryingPolicy() == (t.withPolicy() ? connections : 0));
    }

    String table() {
      double with = medianRate(true);
      double without = medianRate(false);
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT, "| accept %d connections (epoll) | without policy | with "
          + "NettyKeepalive.configure | ratio |%n|---|---|---|---|%n", connections));
      b.append(String.format(Locale.ROOT, "| median accepts/s over %d trials each | %.0f | %.0f | "
          + "%.2f |%n", trials.size() / 2, without, with, with / without));
      for (Trial t : trials) {
        b.append(String.format(Locale.ROOT, "| trial %s | %s | %s | carrying the policy: %d of %d |%n",
            t.withPolicy() ? "with" : "without", t.withPolicy() ? "" : String.format(Locale.ROOT,
                "%.0f/s", t.acceptsPerSecond()), t.withPolicy() ? String.format(Locale.ROOT,
                "%.0f/s", t.acceptsPerSecond()) : "", t.carryingPolicy(), t.connections()));
      }
      return b.toString();
    }
  }

  private AcceptScale() {}

  static Result run(int connections, int trialsEach) throws Exception {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("epoll unavailable: " + Epoll.unavailabilityCause());
    }
    List<Trial> trials = new ArrayList<>();
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      for (int i = 0; i < trialsEach; i++) {
        trials.add(trial(boss, workers, connections, false));
        trials.add(trial(boss, workers, connections, true));
      }
    } finally {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
    return new Result(connections, trials);
  }

  private static Trial trial(EventLoopGroup boss, EventLoopGroup workers, int n, boolean withPolicy)
      throws Exception {
    ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    CountDownLatch active = new CountDownLatch(n);
    ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers)
        .channel(EpollServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .childHandler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelActive(ChannelHandlerContext ctx) {
            children.add(ctx.channel());
            active.countDown();
            ctx.fireChannelActive();
          }

          @Override
          public boolean isSharable() {
            return true;
          }
        });
    if (withPolicy) {
      NettyKeepalive.configure(bootstrap, POLICY);
    }
    Channel server = bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .sync().channel();
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    Process client = startJvm(Client.class, Integer.toString(port), Integer.toString(n));
    try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(),
        StandardCharsets.US_ASCII));
        Writer in = new OutputStreamWriter(client.getOutputStream(), StandardCharsets.US_ASCII)) {
      String ready = out.readLine();
      if (!"ready".equals(ready)) {
        throw new IllegalStateException("client did not start: " + ready);
      }
      long start = System.nanoTime();
      in.write("go\n");
      in.flush();
      if (!active.await(TRIAL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("only " + (n - active.getCount()) + " of " + n
            + " connections accepted within " + TRIAL_TIMEOUT_SECONDS + " s");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      int carrying = 0;
      for (Channel c : children) {
        if (carries(c)) {
          carrying++;
        }
      }
      // Our side closes first, then the client resets: a reset reaching an open child would be
      // a "Connection reset by peer" on its pipeline, one per connection; on a closed one the
      // kernel just drops the socket (from FIN_WAIT, so no TIME_WAIT piles up either).
      children.close().awaitUninterruptibly(30, TimeUnit.SECONDS);
      in.write("close\n");
      in.flush();
      if (!client.waitFor(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("client did not exit");
      }
      return new Trial(withPolicy, n, n / seconds, carrying);
    } finally {
      client.destroyForcibly();
      children.close().awaitUninterruptibly(30, TimeUnit.SECONDS);
      server.close().sync();
    }
  }

  /** Read back from the kernel (getsockopt) rather than trusting Netty's log-only option path. */
  private static boolean carries(Channel c) {
    return Boolean.TRUE.equals(c.config().getOption(ChannelOption.SO_KEEPALIVE))
        && Integer.valueOf(POLICY.idleSeconds()).equals(c.config().getOption(EpollChannelOption.TCP_KEEPIDLE))
        && Integer.valueOf(POLICY.intervalSeconds()).equals(c.config().getOption(EpollChannelOption.TCP_KEEPINTVL))
        && Integer.valueOf(POLICY.probes()).equals(c.config().getOption(EpollChannelOption.TCP_KEEPCNT));
  }

  /**
   * Starts {@code main} in a second JVM on this JVM's binary and class path, its standard error
   * shared with ours: the scale runs need a second process for the 20 000 open-file limit.
   */
  static Process startJvm(Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        // Netty's native transport: no restricted-method warning on JDK 24+ (JDK 17 takes it too).
        "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** The client JVM: connects n sockets on "go", closes them all with RST on "close". */
  public static final class Client {
    private Client() {}

    public static void main(String[] args) throws IOException {
      int port = Integer.parseInt(args[0]);
      int n = Integer.parseInt(args[1]);
      InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
      System.out.println("ready");
      System.out.flush();
      if (!"go".equals(in.readLine())) {
        return;
      }
      SocketChannel[] sockets = new SocketChannel[n];
      try {
        for (int i = 0; i < n; i++) {
          sockets[i] = SocketChannel.open();
          sockets[i].setOption(StandardSocketOptions.SO_LINGER, 0);
          sockets[i].connect(server);
        }
        in.readLine(); // "close", or end of input when the server went away
      } finally {
        for (SocketChannel s : sockets) {
          if (s != null) {
            s.close();
          }
        }
      }
    }
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int trials = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Result r = run(n, trials);
    System.out.print(r.table());
    System.out.println(Arrays.asList("all connections carried the policy:",
        r.everyConnectionCarriedThePolicy()));
  }
}
