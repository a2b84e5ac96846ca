package dev.keepalive.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Newline-framed ASCII strings, for tests: inbound bytes become one String per line, outbound
 * Strings get a newline. Stands in for LineBasedFrameDecoder + StringDecoder + StringEncoder, which
 * live in netty-codec, a module this project does not otherwise need.
 */
final class LineCodec extends ChannelDuplexHandler {
  private final StringBuilder pending = new StringBuilder();

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    try {
      while (buf.isReadable()) {
        char c = (char) buf.readByte();
        if (c == '\n') {
          String line = pending.toString();
          pending.setLength(0);
          ctx.fireChannelRead(line);
        } else {
          pending.append(c);
        }
      }
    } finally {
      buf.release();
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof String s) {
      ctx.write(ctx.alloc().buffer(s.length() + 1).writeBytes((s + "\n").getBytes(US_ASCII)),
          promise);
    } else {
      ctx.write(msg, promise);
    }
  }
}
