package dev.keepalive.netty;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.Objects;

/**
 * The answering side of a heartbeat: answers every ping with a pong and lets everything else
 * through. Put it on the peer of a {@link HeartbeatHandler}, after the frame decoder. Pings are
 * consumed, never seen by the application's handlers. A {@link HeartbeatHandler} answers pings too,
 * so two peers that both ping need no responder. Stateless and {@link Sharable}: one instance can
 * serve every channel.
 */
@Sharable
public final class HeartbeatResponder extends ChannelInboundHandlerAdapter {

  private final HeartbeatProtocol protocol;

  /**
   * A responder speaking {@code protocol}.
   *
   * @param protocol how to recognise a ping and make its pong
   * @throws NullPointerException if {@code protocol} is null
   */
  public HeartbeatResponder(HeartbeatProtocol protocol) {
    this.protocol = Objects.requireNonNull(protocol, "protocol must not be null");
  }

  /**
   * Answers a ping, or passes the message on.
   *
   * @param ctx the context
   * @param msg the inbound message
   */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!answerIfPing(ctx, protocol, msg)) {
      ctx.fireChannelRead(msg);
    }
  }

  /** Written once for both handlers: answer a ping with its pong, releasing the ping. */
  static boolean answerIfPing(ChannelHandlerContext ctx, HeartbeatProtocol protocol, Object msg) {
    if (!protocol.isPing(msg)) {
      return false;
    }
    Object pong;
    try {
      pong = protocol.pongFor(ctx, msg);
    } catch (RuntimeException e) {
      ReferenceCountUtil.release(msg);
      throw e;
    }
    if (pong != msg) {
      // An echo (the ping returned as its own pong) is released by the write instead.
      ReferenceCountUtil.release(msg);
    }
    // A pong that cannot be written is the pipeline's business, like any failed write.
    ctx.writeAndFlush(pong).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    return true;
  }
}
