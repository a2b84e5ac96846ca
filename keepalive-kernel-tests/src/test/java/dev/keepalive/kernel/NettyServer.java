package dev.keepalive.kernel;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.netty.NettyKeepalive;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A Netty ServerBootstrap on one transport, configured through keepalive-netty. */
final class NettyServer implements Server {

  private final EventLoopGroup group;
  private final Channel listener;
  private final CountDownLatch active = new CountDownLatch(1);

  NettyServer(NettyTransport transport, InetAddress address, KeepalivePolicy policy)
      throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
    try {
      ServerBootstrap bootstrap = new ServerBootstrap()
          .group(group)
          .channel(transport.serverChannel())
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              // The application's own handler: it sees the connection once it is active.
              ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                  active.countDown();
                  ctx.fireChannelActive();
                }
              });
            }
          });
      NettyKeepalive.configure(bootstrap, policy);
      ChannelFuture bind = bootstrap.bind(new InetSocketAddress(address, 0));
      NettyFutures.await(bind, "bind");
      listener = bind.channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  @Override
  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  @Override
  public void awaitAccepted(long millis) throws Exception {
    if (!active.await(millis, TimeUnit.MILLISECONDS)) {
      throw new SocketTimeoutException("no child channel became active within " + millis + " ms");
    }
  }

  @Override
  public void close() throws IOException {
    try {
      listener.close().await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while closing");
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
