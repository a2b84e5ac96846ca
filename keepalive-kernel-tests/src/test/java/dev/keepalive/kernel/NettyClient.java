package dev.keepalive.kernel;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.netty.NettyKeepalive;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Netty client channel on one transport, with the policy set through keepalive-netty's
 * {@code configure(Bootstrap, policy)}. The application learns of a dead peer through its
 * pipeline: exceptionCaught, then channelInactive.
 */
final class NettyClient implements Client {

  private final EventLoopGroup group;
  private final Channel channel;
  private final LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
  private final List<Outcome.Event> events = new ArrayList<>();
  private final CompletableFuture<Void> inactive = new CompletableFuture<>();
  private volatile Throwable firstCaught;

  NettyClient(NettyTransport transport, InetSocketAddress peer, KeepalivePolicy policy)
      throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
    try {
      Bootstrap bootstrap = new Bootstrap()
          .group(group)
          .channel(transport.socketChannel())
          .handler(new Recorder());
      if (policy != null) {
        NettyKeepalive.configure(bootstrap, policy);
      }
      ChannelFuture connect = bootstrap.connect(peer);
      try {
        NettyFutures.await(connect, "connect to " + peer);
      } catch (IOException e) {
        // A bootstrap refuses a policy where the channel is initialised: the refusal reaches the
        // pipeline (exceptionCaught) and the channel is closed, so the connect only sees a closed
        // channel. Report what the application's handler was told.
        Throwable caught = firstCaught;
        if (caught != null) {
          IOException refused = new IOException("connect to " + peer + " failed: the pipeline "
              + "caught " + caught, caught);
          refused.addSuppressed(e);
          throw refused;
        }
        throw e;
      }
      channel = connect.channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  @Override
  public long write(byte[] data) throws Exception {
    NettyFutures.await(channel.writeAndFlush(Unpooled.wrappedBuffer(data)), "write");
    return System.nanoTime();
  }

  @Override
  public long readOne(Duration limit) throws Exception {
    Long at = arrivals.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
    if (at == null) {
      throw new SocketTimeoutException("no byte from the peer within " + limit);
    }
    return at;
  }

  @Override
  public Outcome awaitFailure(Duration limit) throws Exception {
    try {
      inactive.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException stillAlive) {
      // The outcome is whatever the pipeline saw so far (normally nothing).
    }
    synchronized (events) {
      return new Outcome(events);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      channel.close().await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while closing");
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private void record(String name, String detail) {
    long now = System.nanoTime();
    synchronized (events) {
      events.add(new Outcome.Event(name, now, detail));
    }
  }

  /** The application's handler: notes when bytes arrive and how the channel ends. */
  private final class Recorder extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      long now = System.nanoTime();
      ReferenceCountUtil.release(msg);
      arrivals.add(now);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (firstCaught == null) {
        firstCaught = cause;
      }
      record("exceptionCaught", String.valueOf(cause.getMessage()));
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      record("channelInactive", "");
      inactive.complete(null);
    }
  }
}
