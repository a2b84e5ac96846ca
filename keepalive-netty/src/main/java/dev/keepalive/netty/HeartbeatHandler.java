package dev.keepalive.netty;

import dev.keepalive.Heartbeat;
import dev.keepalive.HeartbeatListener;
import dev.keepalive.HeartbeatTimeoutException;
import dev.keepalive.KeepalivePolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An application-level heartbeat for one channel, with the semantics of a {@link
 * KeepalivePolicy}: after {@code idle} with nothing read, it writes a ping; another every {@code
 * interval} while none is answered; any inbound message counts as the answer, as any segment does
 * for TCP; after {@code probes} unanswered pings it fires a {@link HeartbeatTimeoutException}
 * through {@code exceptionCaught} and closes the channel. A dead or hung peer is therefore detected
 * at the policy's {@linkplain KeepalivePolicy#detectionDeadline() detection deadline} after the
 * last message read, even when its kernel still acknowledges every segment (so TCP keepalive sees a
 * healthy connection) or a layer-4 proxy answers TCP probes on its behalf.
 *
 * <pre>{@code
 * KeepalivePolicy policy = KeepalivePolicy.ofSeconds(30, 5, 3);       // dead peer found in 45 s
 * HeartbeatProtocol protocol = HeartbeatProtocol.of("PING", "PONG");
 * // client
 * ch.pipeline().addLast(new LineBasedFrameDecoder(256), new StringDecoder(), new StringEncoder(),
 *     new HeartbeatHandler(policy, protocol), new MyClientHandler());
 * // server
 * ch.pipeline().addLast(new LineBasedFrameDecoder(256), new StringDecoder(), new StringEncoder(),
 *     new HeartbeatResponder(protocol), new MyServerHandler());
 * }</pre>
 *
 * <p>Place it after the frame decoder, so each message is one frame, and after the encoder, so the
 * pings it writes (from its own position, towards the head) are encoded. It answers pings from the
 * peer with pongs, so two peers that both ping need no {@link HeartbeatResponder}. Pings and pongs
 * it {@linkplain HeartbeatProtocol recognises} are consumed and released: they are the heartbeat's
 * messages, not the application's, and passing them on would make every handler after it filter
 * them out. Only reads count: a hung peer stops reading, its kernel still acknowledges what we
 * write, and our writes say nothing about it.
 *
 * <p>Timers run on the channel's event loop, on its clock (Netty 4.2's {@code
 * EventExecutor.ticker()}; on Netty 4.1, which has no ticker, {@code System.nanoTime()}, the clock
 * 4.1 schedules by): one scheduled task at a time, moved by
 * neither reads nor writes (a read is a clock read and a memory write), cancelled when the channel
 * goes inactive or the handler is removed. Per channel that is this handler, a {@link Heartbeat}
 * and one scheduled task. The handler is not {@link io.netty.channel.ChannelHandler.Sharable
 * sharable}: make one per channel. A listener, the protocol or a ping that throws ends the heartbeat
 * the same way a timeout does (the exception through {@code exceptionCaught}, then close), so a
 * heartbeat never stops in silence.
 */
public final class HeartbeatHandler extends ChannelInboundHandlerAdapter {

  private static final HeartbeatListener NO_LISTENER = new HeartbeatListener() {};
  /**
   * Netty 4.2's {@code EventExecutor.ticker()}. Netty 4.1 has neither the method nor {@code
   * Ticker}: the field below then stays null and is never used, so the class is never loaded.
   */
  private static final boolean HAS_TICKER = hasTicker();
  private static final byte NEW = 0;
  private static final byte RUNNING = 1;
  private static final byte STOPPED = 2;

  private final Heartbeat heartbeat;
  private final HeartbeatProtocol protocol;
  private final HeartbeatListener listener;
  private final Runnable pollTask = this::poll;

  // Event loop only.
  private ChannelHandlerContext ctx;
  /** Null on Netty 4.1. */
  private Ticker ticker;
  private Future<?> scheduled;
  private byte state = NEW;

  /**
   * A heartbeat handler without a listener.
   *
   * @param policy idle, interval and probes for the pings
   * @param protocol the application's ping and pong messages
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code policy} is disabled
   */
  public HeartbeatHandler(KeepalivePolicy policy, HeartbeatProtocol protocol) {
    this(policy, protocol, NO_LISTENER);
  }

  /**
   * A heartbeat handler.
   *
   * @param policy idle, interval and probes for the pings
   * @param protocol the application's ping and pong messages
   * @param listener observes pings sent, answered and the timeout, on the event loop
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code policy} is disabled
   */
  public HeartbeatHandler(KeepalivePolicy policy, HeartbeatProtocol protocol,
      HeartbeatListener listener) {
    this.heartbeat = Heartbeat.of(policy);
    this.protocol = Objects.requireNonNull(protocol, "protocol must not be null");
    this.listener = Objects.requireNonNull(listener, "listener must not be null");
  }

  /**
   * Starts the heartbeat if the channel is active already.
   *
   * @param ctx the context
   */
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    Channel ch = ctx.channel();
    if (ch.isActive() && ch.isRegistered()) {
      start(ctx);
    }
  }

  /**
   * Stops the heartbeat and cancels its timer.
   *
   * @param ctx the context
   */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  /**
   * Starts the heartbeat if the channel was active before it was registered.
   *
   * @param ctx the context
   */
  @Override
  public void channelRegistered(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
    ctx.fireChannelRegistered();
  }

  /**
   * Starts the heartbeat: the first ping is due {@code idle} from now.
   *
   * @param ctx the context
   */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  /**
   * Stops the heartbeat and cancels its timer.
   *
   * @param ctx the context
   */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }

  /**
   * Counts the message as the peer's answer, answers a ping, consumes a pong, passes anything
   * else on.
   *
   * @param ctx the context
   * @param msg the inbound message
   */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (state == RUNNING && heartbeat.activity(now()) && listener != NO_LISTENER) {
      try {
        listener.pingAnswered(Duration.ofNanos(heartbeat.lastRoundTripNanos()));
      } catch (RuntimeException e) {
        ReferenceCountUtil.release(msg);
        fail(e);
        return;
      }
    }
    if (HeartbeatResponder.answerIfPing(ctx, protocol, msg)) {
      return;
    }
    if (protocol.isPong(msg)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  /**
   * The last round-trip time: from the first unanswered ping to the first message read after it.
   * Any thread.
   *
   * @return the round-trip time, or empty if no ping has been answered yet
   */
  public Optional<Duration> lastRoundTrip() {
    return heartbeat.lastRoundTrip();
  }

  /**
   * Whether the peer was declared dead. Any thread.
   *
   * @return true once the pings went unanswered
   */
  public boolean isTimedOut() {
    return heartbeat.isTimedOut();
  }

  /**
   * The policy the heartbeat follows.
   *
   * @return the policy
   */
  public KeepalivePolicy policy() {
    return heartbeat.policy();
  }

  /** The pending poll, for tests: null when none is scheduled. Event loop only. */
  Future<?> scheduledPoll() {
    return scheduled;
  }

  private void start(ChannelHandlerContext ctx) {
    if (state != NEW) {
      return; // channelRegistered and channelActive may both see an active channel
    }
    state = RUNNING;
    this.ctx = ctx;
    this.ticker = HAS_TICKER ? ctx.executor().ticker() : null;
    long now = now();
    heartbeat.start(now);
    scheduled = ctx.executor().schedule(pollTask, heartbeat.nanosUntilNextPoll(now),
        TimeUnit.NANOSECONDS);
  }

  private long now() {
    return ticker != null ? ticker.nanoTime() : System.nanoTime();
  }

  private static boolean hasTicker() {
    try {
      EventExecutor.class.getMethod("ticker");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private void stop() {
    state = STOPPED;
    if (scheduled != null) {
      scheduled.cancel(false);
      scheduled = null;
    }
  }

  private void poll() {
    if (state != RUNNING) {
      return;
    }
    scheduled = null;
    try {
      switch (heartbeat.poll(now())) {
        case PING:
          ctx.writeAndFlush(protocol.newPing(ctx))
              .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
          listener.pingSent(heartbeat.unansweredPings());
          break;
        case TIME_OUT:
          stop();
          HeartbeatTimeoutException timeout = heartbeat.timeoutException();
          try {
            listener.timedOut(timeout);
          } catch (RuntimeException e) {
            timeout.addSuppressed(e);
          }
          ctx.fireExceptionCaught(timeout);
          ctx.close();
          return;
        default:
          break;
      }
      if (state == RUNNING) { // the ping's write may have closed the channel
        scheduled = ctx.executor().schedule(pollTask,
            heartbeat.nanosUntilNextPoll(now()), TimeUnit.NANOSECONDS);
      }
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void fail(RuntimeException e) {
    stop();
    ctx.fireExceptionCaught(e);
    ctx.close();
  }
}
