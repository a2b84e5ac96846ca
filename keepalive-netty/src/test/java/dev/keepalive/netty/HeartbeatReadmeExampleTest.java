package dev.keepalive.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.HeartbeatListener;
import dev.keepalive.HeartbeatTimeoutException;
import dev.keepalive.KeepalivePolicy;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.LineEncoder;
import io.netty.handler.codec.string.StringDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's Netty heartbeat example, run: a client with HeartbeatHandler, a server with
 * HeartbeatResponder, both behind Netty's line codecs. The README's policy is 30/5/3; this runs
 * 1/1/2, and then turns the server's reading off to show the timeout.
 */
class HeartbeatReadmeExampleTest {

  private final Queue<String> log = new ConcurrentLinkedQueue<>();
  private final Queue<Object> serverSaw = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Throwable> clientFailure = new CompletableFuture<>();
  /** The server's accepted channels. */
  private final Queue<Channel> serverChildren = new ConcurrentLinkedQueue<>();

  /** The application's own handlers. */
  final class ServerHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      serverChildren.add(ctx.channel());
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      serverSaw.add(msg);
    }
  }

  final class ClientHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      clientFailure.complete(cause);
    }
  }

  private void record(String line) {
    log.add(line);
  }

  @Test
  void readmeExampleAnswersPingsAndClosesOnAHungPeer() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      KeepalivePolicy policy = KeepalivePolicy.ofSeconds(1, 1, 2);

      // --- README: begin ---
      HeartbeatProtocol protocol = HeartbeatProtocol.of("PING", "PONG");
      HeartbeatListener listener = new HeartbeatListener() {
        @Override
        public void pingAnswered(Duration roundTrip) {
          record("round trip " + roundTrip.toMillis() + " ms");
        }

        @Override
        public void timedOut(HeartbeatTimeoutException timeout) {
          record(timeout.getMessage());
        }
      };

      ServerBootstrap server = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(
                  new LineBasedFrameDecoder(1024), new StringDecoder(UTF_8), new LineEncoder(UTF_8),
                  new HeartbeatResponder(protocol),   // answers PING with PONG, consumes pings
                  new ServerHandler());
            }
          });

      Bootstrap client = new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(
                  new LineBasedFrameDecoder(1024), new StringDecoder(UTF_8), new LineEncoder(UTF_8),
                  new HeartbeatHandler(policy, protocol, listener),   // one per channel
                  new ClientHandler());   // gets HeartbeatTimeoutException in exceptionCaught
            }
          });
      // --- README: end ---

      Channel listening = server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
          .sync().channel();
      Channel ch = client.connect(listening.localAddress()).sync().channel();
      ch.writeAndFlush("HELLO").sync();

      Thread.sleep(2_500); // two pings, both answered
      assertFalse(clientFailure.isDone());
      assertTrue(log.size() >= 2, "log: " + log);
      assertTrue(log.stream().allMatch(l -> l.startsWith("round trip ")), "log: " + log);
      assertEquals(List.of("HELLO"), List.copyOf(serverSaw));

      // The server's process hangs: it stops reading. Its kernel still acknowledges the pings.
      listening.eventLoop().submit(() -> {
        for (Channel child : serverChildren) {
          child.config().setAutoRead(false);
        }
      }).sync();
      Throwable cause = clientFailure.get(10, TimeUnit.SECONDS);
      assertInstanceOf(HeartbeatTimeoutException.class, cause);
      assertTrue(ch.closeFuture().await(5, TimeUnit.SECONDS));
      assertTrue(List.copyOf(log).get(log.size() - 1).startsWith("peer silent for 3."),
          "log: " + log);
      listening.close().sync();
    } finally {
      group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }
}
