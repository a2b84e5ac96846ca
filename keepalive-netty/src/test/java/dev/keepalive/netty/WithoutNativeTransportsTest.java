package dev.keepalive.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An application with netty-transport alone: no epoll, io_uring or unix-common jar. Runs in its
 * own surefire execution whose class path excludes them (see this module's pom); the default
 * execution skips it. Self-contained on purpose: the other test fixtures name epoll classes.
 */
@Tag("without-native-transports")
class WithoutNativeTransportsTest {

  private static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(31, 7, 4);

  @Test
  void classPathReallyLacksTheNativeTransports() {
    for (String name : new String[] {"io.netty.channel.epoll.EpollSocketChannel",
        "io.netty.channel.uring.IoUringSocketChannel", "io.netty.channel.kqueue.KQueueSocketChannel",
        "io.netty.channel.unix.IntegerUnixChannelOption"}) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(name),
          () -> name + " is on the class path: the surefire execution does not exclude it");
    }
  }

  /** The doctor still runs, and names the jars that would bring epoll and io_uring. */
  @Test
  void theDoctorSaysWhichNativeTransportsAreMissingAndWhatToAdd() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int status = dev.keepalive.jdk.Doctor.run(new String[] {"--json", "--policy", "idle=31s,"
        + "interval=7s,probes=4"}, new java.io.PrintStream(out, true,
        java.nio.charset.StandardCharsets.UTF_8), System.err);
    assertEquals(dev.keepalive.jdk.Doctor.OK, status);
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> doc = (java.util.Map<String, Object>)
        dev.keepalive.contract.MiniJson.parse(out.toString(java.nio.charset.StandardCharsets.UTF_8));
    java.util.Map<String, String> unavailable = new java.util.LinkedHashMap<>();
    for (Object o : (java.util.List<?>) doc.get("transports")) {
      java.util.Map<?, ?> t = (java.util.Map<?, ?>) o;
      unavailable.put(t.get("name").toString(), String.valueOf(t.get("unavailable")));
    }
    assertEquals("null", unavailable.get("Netty NIO"));
    assertTrue(unavailable.get("Netty epoll").startsWith("not on the class path: add"
        + " io.netty:netty-transport-native-epoll with the classifier of this machine"), unavailable
        .toString());
    assertTrue(unavailable.get("Netty io_uring").startsWith("not on the class path: add"
        + " io.netty:netty-transport-native-io_uring"), unavailable.toString());
  }

  @Test
  void nioServerAndClientCarryThePolicy() throws Exception {
    EventLoopGroup group = NettyLine.nioGroup();
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    try {
      ServerBootstrap sb = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInboundHandlerAdapter() {
            @Override
            public boolean isSharable() {
              return true;
            }

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
              accepted.complete(ctx.channel());
            }
          });
      Channel listener = NettyKeepalive.configure(sb, POLICY)
          .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
      Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInboundHandlerAdapter());
      ChannelFuture connected = NettyKeepalive.configure(b, POLICY).connect(listener.localAddress());
      assertTrue(connected.await(10, TimeUnit.SECONDS));
      assertTrue(connected.isSuccess(), () -> String.valueOf(connected.cause()));
      for (Channel channel : new Channel[] {connected.channel(), accepted.get(10, TimeUnit.SECONDS)}) {
        assertEquals(true, channel.config().getOption(ChannelOption.SO_KEEPALIVE));
        assertEquals(31, channel.config().getOption(
            NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE)));
        assertEquals(7, channel.config().getOption(
            NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL)));
        assertEquals(4, channel.config().getOption(
            NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT)));
        assertEquals(POLICY, NettyKeepalive.inspect(channel));
      }

      Channel client = connected.channel();
      UnsupportedKeepaliveOptionException e = assertThrows(
          UnsupportedKeepaliveOptionException.class,
          () -> NettyKeepalive.apply(client, POLICY.withUserTimeoutAtDetectionDeadline()));
      assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
      ApplyReport report = NettyKeepalive.apply(client, POLICY.withUserTimeoutAtDetectionDeadline(),
          ApplyMode.LENIENT);
      assertFalse(report.fullyApplied());
      client.close().sync();
      listener.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void unknownTransportIsRefusedWithoutLoadingNativeClasses() {
    EmbeddedChannel channel = new EmbeddedChannel();
    UnsupportedKeepaliveOptionException e = assertThrows(UnsupportedKeepaliveOptionException.class,
        () -> NettyKeepalive.apply(channel, POLICY));
    assertEquals("Netty io.netty.channel.embedded.EmbeddedChannel", e.platform());
    channel.finishAndReleaseAll();
  }
}
