package dev.keepalive.agentit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM's Netty program, for Netty 4.2 (epoll, io_uring) and 4.1 (epoll, the incubator's
 * io_uring): the transport's classes are found by name, so the one program runs on either line's
 * jars. The bootstrap sets keepalive options of its own (5/5/3) as an application would; the
 * agent's policy must win over them, on connected and on accepted channels.
 */
public final class NettyScenario {

  private static final List<EventLoopGroup> GROUPS = new ArrayList<>();
  private static final List<Channel> CHANNELS = new ArrayList<>();

  private NettyScenario() {}

  /** A transport's classes, by its name in the commands. */
  private static final class Transport {
    final String server;
    final String client;
    final String options;

    Transport(String server, String client, String options) {
      this.server = server;
      this.client = client;
      this.options = options;
    }

    static Transport of(String name) {
      switch (name) {
        case "epoll":
          return new Transport("io.netty.channel.epoll.EpollServerSocketChannel",
              "io.netty.channel.epoll.EpollSocketChannel",
              "io.netty.channel.epoll.EpollChannelOption");
        case "io_uring":
          return new Transport("io.netty.channel.uring.IoUringServerSocketChannel",
              "io.netty.channel.uring.IoUringSocketChannel",
              "io.netty.channel.uring.IoUringChannelOption");
        case "io_uring-incubator":
          return new Transport("io.netty.incubator.channel.uring.IOUringServerSocketChannel",
              "io.netty.incubator.channel.uring.IOUringSocketChannel",
              "io.netty.incubator.channel.uring.IOUringChannelOption");
        default:
          throw new IllegalArgumentException(name);
      }
    }

    /** Why the transport cannot run here, or null. */
    String unavailable() throws Exception {
      String holder = options.replace("ChannelOption", "");
      if (holder.endsWith(".IoUring") || holder.endsWith(".IOUring") || holder.endsWith(".Epoll")) {
        Class<?> c = Class.forName(holder);
        if (!(Boolean) c.getMethod("isAvailable").invoke(null)) {
          return String.valueOf(c.getMethod("unavailabilityCause").invoke(null));
        }
      }
      return null;
    }

    EventLoopGroup group() throws Exception {
      EventLoopGroup g;
      switch (client) {
        case "io.netty.channel.uring.IoUringSocketChannel":
          g = newGroup("io.netty.channel.uring.IoUringIoHandler");
          break;
        case "io.netty.incubator.channel.uring.IOUringSocketChannel":
          g = (EventLoopGroup) Class.forName("io.netty.incubator.channel.uring.IOUringEventLoopGroup")
              .getConstructor(int.class).newInstance(1);
          break;
        default:
          g = (EventLoopGroup) Class.forName("io.netty.channel.epoll.EpollEventLoopGroup")
              .getConstructor(int.class).newInstance(1);
      }
      GROUPS.add(g);
      return g;
    }

    private static EventLoopGroup newGroup(String handler) throws Exception {
      Class<?> factory = Class.forName("io.netty.channel.IoHandlerFactory");
      Object f = Class.forName(handler).getMethod("newFactory").invoke(null);
      return (EventLoopGroup) Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup")
          .getConstructor(int.class, factory).newInstance(1, f);
    }

    @SuppressWarnings("unchecked")
    ChannelOption<Integer> option(String name) throws Exception {
      return (ChannelOption<Integer>) Class.forName(options).getField(name).get(null);
    }
  }

  public static void main(String[] args) throws Exception {
    System.out.println("ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    try {
      for (String line; (line = in.readLine()) != null; ) {
        String[] f = line.trim().split(" ");
        if (f[0].equals("quit")) {
          return;
        }
        String answer;
        try {
          answer = "ok " + run(f);
        } catch (Exception | Error e) {
          answer = "error " + e;
        }
        System.out.println(answer.trim().replace('\n', ' '));
      }
    } finally {
      for (Channel c : CHANNELS) {
        c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      }
      for (EventLoopGroup g : GROUPS) {
        g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static String run(String[] f) throws Exception {
    Transport t = Transport.of(f[1]);
    String why = t.unavailable();
    if (why != null) {
      return "unavailable " + why;
    }
    switch (f[0]) {
      case "server": {
        EventLoopGroup g = t.group();
        Channel server = new ServerBootstrap().group(g)
            .channel((Class<? extends io.netty.channel.ServerChannel>) Class.forName(t.server))
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(t.option("TCP_KEEPIDLE"), 5)
            .childOption(t.option("TCP_KEEPINTVL"), 5)
            .childOption(t.option("TCP_KEEPCNT"), 3)
            .childHandler(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelActive(ChannelHandlerContext ctx) {
                CHANNELS.add(ctx.channel());
              }
            })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        CHANNELS.add(server);
        return Integer.toString(((InetSocketAddress) server.localAddress()).getPort());
      }
      case "client": {
        EventLoopGroup g = t.group();
        Channel c = new Bootstrap().group(g)
            .channel((Class<? extends Channel>) Class.forName(t.client))
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(t.option("TCP_KEEPIDLE"), 5)
            .option(t.option("TCP_KEEPINTVL"), 5)
            .option(t.option("TCP_KEEPCNT"), 3)
            .handler(new ChannelInboundHandlerAdapter())
            .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(f[2]))).sync().channel();
        CHANNELS.add(c);
        return Integer.toString(((InetSocketAddress) c.localAddress()).getPort());
      }
      default:
        throw new IllegalArgumentException("unknown command " + f[0]);
    }
  }
}
