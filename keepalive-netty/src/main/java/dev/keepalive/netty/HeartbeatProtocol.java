package dev.keepalive.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCounted;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The application's own heartbeat messages, as the pipeline sees them where the heartbeat handlers
 * sit (after the frame decoder, so each message is a whole frame): how to make a ping, how to
 * recognise a ping and answer it with a pong, and optionally how to recognise a pong. The wire
 * format stays the application's; {@link HeartbeatHandler} and {@link HeartbeatResponder} only
 * decide when to ping and what an answer means.
 *
 * <p>Implementations are called on the channel's event loop and should be stateless, so one
 * instance serves every channel.
 */
public interface HeartbeatProtocol {

  /**
   * A new ping to write. Called once per ping: a reference-counted message (a {@code ByteBuf})
   * must be a new one each time, because writing it releases it.
   *
   * @param ctx the heartbeat handler's context, e.g. for {@code ctx.alloc()}
   * @return the ping
   */
  Object newPing(ChannelHandlerContext ctx);

  /**
   * Whether an inbound message is a ping from the peer, to be answered with a pong.
   *
   * @param msg an inbound message
   * @return true if it is a ping
   */
  boolean isPing(Object msg);

  /**
   * The pong answering {@code ping}. The handler releases the ping after this returns, unless this
   * returns the ping itself (an echo), which is then written as the pong.
   *
   * @param ctx the handler's context
   * @param ping a message {@link #isPing} accepted
   * @return the pong to write
   */
  Object pongFor(ChannelHandlerContext ctx, Object ping);

  /**
   * Whether an inbound message is a pong. A recognised pong is consumed by the heartbeat handler;
   * an unrecognised one still counts as the peer's answer (any message does) but travels on to the
   * application's handlers. By default nothing is recognised.
   *
   * @param msg an inbound message
   * @return true if it is a pong
   */
  default boolean isPong(Object msg) {
    return false;
  }

  /**
   * A protocol from functions, for messages that need no allocator (strings, decoded objects, or
   * buffers made by the supplier).
   *
   * @param newPing makes a new ping each time it is called
   * @param isPing recognises a ping
   * @param pongFor makes the pong answering a ping
   * @param isPong recognises a pong
   * @return the protocol
   * @throws NullPointerException if an argument is null
   */
  static HeartbeatProtocol of(Supplier<?> newPing, Predicate<Object> isPing,
      Function<Object, ?> pongFor, Predicate<Object> isPong) {
    Objects.requireNonNull(newPing, "newPing must not be null");
    Objects.requireNonNull(isPing, "isPing must not be null");
    Objects.requireNonNull(pongFor, "pongFor must not be null");
    Objects.requireNonNull(isPong, "isPong must not be null");
    return new HeartbeatProtocol() {
      @Override
      public Object newPing(ChannelHandlerContext ctx) {
        return newPing.get();
      }

      @Override
      public boolean isPing(Object msg) {
        return isPing.test(msg);
      }

      @Override
      public Object pongFor(ChannelHandlerContext ctx, Object ping) {
        return pongFor.apply(ping);
      }

      @Override
      public boolean isPong(Object msg) {
        return isPong.test(msg);
      }
    };
  }

  /**
   * A protocol of two fixed decoded messages compared with {@code equals}, such as the strings
   * {@code "PING"} and {@code "PONG"} behind a line decoder.
   *
   * @param ping the ping message
   * @param pong the pong message
   * @return the protocol
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if ping equals pong (a pong would be answered, forever), or
   *     either is reference-counted (writing it once would release it for good: use {@link
   *     #of(Supplier, Predicate, Function, Predicate)} with a supplier of new buffers)
   */
  static HeartbeatProtocol of(Object ping, Object pong) {
    Objects.requireNonNull(ping, "ping must not be null");
    Objects.requireNonNull(pong, "pong must not be null");
    if (ping instanceof ReferenceCounted || pong instanceof ReferenceCounted) {
      throw new IllegalArgumentException("ping and pong must not be reference-counted (a ByteBuf "
          + "is released by its first write): pass a supplier of new ones to of(Supplier, "
          + "Predicate, Function, Predicate), was " + ping.getClass().getName() + " and "
          + pong.getClass().getName());
    }
    if (ping.equals(pong)) {
      throw new IllegalArgumentException("ping and pong must differ, both were " + ping);
    }
    return of(() -> ping, ping::equals, p -> pong, pong::equals);
  }
}
