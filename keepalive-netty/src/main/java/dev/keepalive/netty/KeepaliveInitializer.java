package dev.keepalive.netty;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepalivePolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import java.net.SocketAddress;

/**
 * Stands in for a bootstrap's (child) handler, or joins a pipeline on its own from a framework's
 * channel hook ({@link NettyKeepalive#initializer}). When the channel is registered it puts the
 * wrapped handler (if any) in its own place, applies the policy and leaves the pipeline, so nothing
 * stays behind per channel. Unlike {@code ChannelInitializer} it keeps no per-channel state (no set
 * of contexts).
 *
 * <p>The policy is applied after the wrapped handler was added so that a failure reaches the
 * application's own handlers, and after Netty set the bootstrap's {@code (child)option}s, so the
 * policy wins over a conflicting one.
 *
 * <p>Where a failure goes depends on who is waiting for the channel. A client channel that has not
 * connected yet has a caller waiting on its connect future, and Netty cannot close a channel "with
 * a cause": a connect issued on a closed channel fails with a bare {@code ClosedChannelException}
 * (what Reactor Netty's callers saw as {@code StacklessClosedChannelException}). So the channel is
 * left open with a {@link ConnectRefusal} in this handler's place, which fails the connect promise
 * with the exception itself and then closes the channel. Netty reports connect failures through the
 * promise alone, and so does this. An accepted (or already connected) channel has nobody waiting:
 * the exception is fired through {@code exceptionCaught} and the channel closed.
 */
@ChannelHandler.Sharable
final class KeepaliveInitializer extends ChannelInboundHandlerAdapter {

  private final ChannelHandler next;
  private final KeepalivePolicy policy;
  private final ApplyMode mode;

  private KeepaliveInitializer(ChannelHandler next, KeepalivePolicy policy, ApplyMode mode) {
    this.next = next;
    this.policy = policy;
    this.mode = mode;
  }

  /** Wraps {@code handler}; a second configure replaces the policy instead of stacking wrappers. */
  static KeepaliveInitializer wrap(ChannelHandler handler, KeepalivePolicy policy, ApplyMode mode) {
    ChannelHandler original = handler instanceof KeepaliveInitializer
        ? ((KeepaliveInitializer) handler).next : handler;
    return new KeepaliveInitializer(original, policy, mode);
  }

  /** Wraps nothing: for a pipeline that has its handlers already (a framework's channel hook). */
  static KeepaliveInitializer standalone(KeepalivePolicy policy, ApplyMode mode) {
    return new KeepaliveInitializer(null, policy, mode);
  }

  ChannelHandler next() {
    return next;
  }

  KeepalivePolicy policy() {
    return policy;
  }

  ApplyMode mode() {
    return mode;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // DefaultChannelPipeline defers handlerAdded until the channel is registered; the bootstraps
    // add their handler before registering. channelRegistered below covers any other pipeline.
    if (ctx.channel().isRegistered()) {
      initialize(ctx);
    }
  }

  @Override
  public void channelRegistered(ChannelHandlerContext ctx) {
    initialize(ctx);
    // The wrapped handler's pipeline was not there when this event started: replay it from the
    // head, as ChannelInitializer does.
    ctx.pipeline().fireChannelRegistered();
  }

  private void initialize(ChannelHandlerContext ctx) {
    ChannelPipeline pipeline = ctx.pipeline();
    Channel channel = ctx.channel();
    ApplyReport report;
    try {
      if (next != null) {
        pipeline.addAfter(ctx.name(), null, next);
      }
      report = NettyKeepalive.apply(channel, policy, mode);
    } catch (RuntimeException e) {
      // Loud: a refused policy, or a handler Netty would not add twice. The channel runs neither
      // without keepalive nor without its handlers.
      if (channel.parent() == null && !channel.isActive()) {
        // A client before its connect: the caller waits on the connect future, so the exception
        // goes there (see the class comment).
        pipeline.replace(ctx.name(), null, new ConnectRefusal(e));
        return;
      }
      leave(ctx);
      pipeline.fireExceptionCaught(e);
      channel.close();
      return;
    }
    leave(ctx);
    if (mode == ApplyMode.LENIENT) {
      pipeline.fireUserEventTriggered(report);
    }
  }

  private static void leave(ChannelHandlerContext ctx) {
    if (!ctx.isRemoved()) {
      ctx.pipeline().remove(ctx.name());
    }
  }

  @Override
  public String toString() {
    return "KeepaliveInitializer(" + policy + ", " + mode + ", " + next + ")";
  }

  /**
   * Holds a client channel whose policy was refused until its first bind or connect, and fails that
   * with the refusal. One per failed channel; nothing is allocated for channels that got their policy.
   */
  static final class ConnectRefusal extends ChannelOutboundHandlerAdapter {
    private final RuntimeException cause;

    ConnectRefusal(RuntimeException cause) {
      this.cause = cause;
    }

    RuntimeException cause() {
      return cause;
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress,
        SocketAddress localAddress, ChannelPromise promise) {
      refuse(ctx, promise);
    }

    /**
     * A channel that binds first (a client bound to a local port, or a UDP channel, which never
     * connects) fails there: otherwise its bind would succeed and the refusal wait for a connect
     * that may never come.
     */
    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress localAddress,
        ChannelPromise promise) {
      refuse(ctx, promise);
    }

    private void refuse(ChannelHandlerContext ctx, ChannelPromise promise) {
      // The promise first: its listeners (the bootstrap's, a framework's Mono) see the exception
      // itself, before the close could complete anything with a bare ClosedChannelException.
      promise.tryFailure(cause);
      ctx.channel().close();
    }

    @Override
    public String toString() {
      return "ConnectRefusal(" + cause + ")";
    }
  }
}
