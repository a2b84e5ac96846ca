package dev.keepalive.netty;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepalivePolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;

/**
 * Stands in for a bootstrap's (child) handler. When the channel is registered it puts the wrapped
 * handler in its own place, applies the policy and leaves the pipeline, so nothing stays behind per
 * channel. Unlike {@code ChannelInitializer} it keeps no per-channel state (no set of contexts).
 *
 * <p>The policy is applied after the wrapped handler was added so that a failure reaches the
 * application's own {@code exceptionCaught}, and after Netty set the bootstrap's {@code
 * childOption}s, so the policy wins over a conflicting one.
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
      pipeline.addAfter(ctx.name(), null, next);
      report = NettyKeepalive.apply(channel, policy, mode);
    } catch (RuntimeException e) {
      // Loud: the application's handlers see why (a refused policy, or a handler Netty would not
      // add twice), and the channel does not run without keepalive or without its handlers.
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
}
