package dev.keepalive.netty;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.contract.KeepaliveAdapterContract;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * The shared adapter contract on one Netty transport: S is a client channel connected to a server
 * of the same transport on loopback or, for {@link #acceptedSide()}, the channel the server
 * accepted.
 */
abstract class NettyAdapterContract extends KeepaliveAdapterContract<Channel> {

  /** Holds connections; on the server side also hands each accepted channel to the test. */
  @ChannelHandler.Sharable
  private static final class Idle extends ChannelInboundHandlerAdapter {
    final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    /** Every channel accepted, taken or not: closed before the group stops. */
    final List<Channel> all = new CopyOnWriteArrayList<>();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      all.add(ctx.channel());
      accepted.add(ctx.channel());
      ctx.fireChannelActive();
    }
  }

  private static final ChannelHandler IDLE = new ChannelInboundHandlerAdapter() {
    @Override
    public boolean isSharable() {
      return true;
    }
  };

  private final Idle server = new Idle();
  private EventLoopGroup group;
  private final Map<InetAddress, Channel> listeners = new HashMap<>();
  private final List<Channel> clients = new ArrayList<>();

  abstract TestTransport transport();

  /** Whether S is the accepted (server) side of each connection. */
  boolean acceptedSide() {
    return false;
  }

  @Override
  protected Channel connect(InetAddress loopback) throws Exception {
    if (group == null) {
      group = transport().requireAvailable().newGroup();
    }
    Channel listener = listeners.get(loopback);
    if (listener == null) {
      listener = new ServerBootstrap().group(group).channel(transport().serverChannel)
          .childHandler(server).bind(loopback, 0).sync().channel();
      listeners.put(loopback, listener);
    }
    Channel client = new Bootstrap().group(group).channel(transport().socketChannel).handler(IDLE)
        .connect(listener.localAddress()).sync().channel();
    clients.add(client);
    // Connections are made one at a time, so the next accepted channel is this one's peer. Waited
    // for on the client side too, so that shutDown closes both ends: an accepted channel the
    // server had not yet seen was left to the group's shutdown, which Netty 4.1's io_uring
    // incubator then held for 10 s before logging "Can't invoke task later" at WARN.
    Channel accepted = server.accepted.poll(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (accepted == null) {
      throw new AssertionError("no accepted channel within " + Peers.TIMEOUT_SECONDS + " s");
    }
    return acceptedSide() ? accepted : client;
  }

  @Override
  protected ApplyReport apply(Channel channel, KeepalivePolicy policy, ApplyMode mode) {
    return NettyKeepalive.apply(channel, policy, mode);
  }

  @Override
  protected KeepalivePolicy inspect(Channel channel) {
    return NettyKeepalive.inspect(channel).withoutUserTimeout();
  }

  @Override
  protected void close(Channel channel) {
    channel.close().awaitUninterruptibly(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  protected Class<? extends Exception> closedSocketException() {
    return ChannelException.class;
  }

  @Override
  protected boolean supportsUserTimeout() {
    return transport().hasUserTimeout();
  }

  @Override
  protected int userTimeoutMillis(Channel channel) {
    return channel.config().getOption(transport().userTimeout);
  }

  @AfterEach
  void shutDown() {
    // Every connection closed, both ends, before its event loop stops: a channel closed by the
    // group's own shutdown deregisters on a terminated loop, which Netty 4.1's io_uring incubator
    // logs as a WARN ("Can't invoke task later as EventLoop rejected it") per channel.
    List<Channel> open = new ArrayList<>(clients);
    open.addAll(server.all);
    for (Channel channel : open) {
      channel.close().awaitUninterruptibly(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    for (Channel listener : listeners.values()) {
      listener.close().awaitUninterruptibly(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS)
          .awaitUninterruptibly(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }
}
