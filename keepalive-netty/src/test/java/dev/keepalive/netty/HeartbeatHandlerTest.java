package dev.keepalive.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.HeartbeatListener;
import dev.keepalive.HeartbeatTimeoutException;
import dev.keepalive.KeepalivePolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** HeartbeatHandler on an EmbeddedChannel with a mock clock: exact times, no sockets. */
class HeartbeatHandlerTest {

  /** idle 1 s, interval 1 s, 2 probes: detection deadline 3 s. */
  private static final KeepalivePolicy SHORT = KeepalivePolicy.ofSeconds(1, 1, 2);
  private static final HeartbeatProtocol PROTOCOL = HeartbeatProtocol.of("PING", "PONG");

  private final MockTicker clock = Ticker.newMockTicker();
  private final Events events = new Events();

  /** Everything the listener hears, in order. */
  static final class Events implements HeartbeatListener {
    final List<String> log = new ArrayList<>();

    @Override
    public void pingSent(int unansweredPings) {
      log.add("ping " + unansweredPings);
    }

    @Override
    public void pingAnswered(Duration roundTrip) {
      log.add("answered " + roundTrip.toMillis() + "ms");
    }

    @Override
    public void timedOut(HeartbeatTimeoutException timeout) {
      log.add("timed out");
    }
  }

  private EmbeddedChannel channel(HeartbeatHandler handler) {
    return EmbeddedChannel.builder().ticker(clock).handlers(handler).build();
  }

  private void advance(EmbeddedChannel ch, long millis) {
    clock.advance(millis, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
  }

  @Test
  void silentPeerGetsPingsAtIdleAndIntervalAndTimesOutExactlyAtTheDeadline() {
    EmbeddedChannel ch = channel(new HeartbeatHandler(SHORT, PROTOCOL, events));

    advance(ch, 999);
    assertNull(ch.readOutbound());
    advance(ch, 1);
    assertEquals("PING", ch.readOutbound());
    advance(ch, 1_000);
    assertEquals("PING", ch.readOutbound());
    clock.advance(999_999_999, TimeUnit.NANOSECONDS);
    ch.runScheduledPendingTasks();
    assertTrue(ch.isOpen(), "open 1 ns before the deadline");
    clock.advance(1, TimeUnit.NANOSECONDS);
    ch.runScheduledPendingTasks();

    assertFalse(ch.isOpen(), "closed at the deadline");
    HeartbeatTimeoutException e =
        assertThrows(HeartbeatTimeoutException.class, ch::checkException);
    assertEquals(Duration.ofSeconds(3), e.silence());
    assertEquals(2, e.unansweredPings());
    assertEquals(List.of("ping 1", "ping 2", "timed out"), events.log);
    assertEquals(-1, ch.runScheduledPendingTasks(), "no task left");
  }

  @Test
  void chattyPeerNeverTriggersAPingAndItsMessagesPassThrough() {
    EmbeddedChannel ch = channel(new HeartbeatHandler(SHORT, PROTOCOL, events));
    for (int i = 0; i < 100; i++) {
      advance(ch, 900);
      ch.writeInbound("DATA " + i);
      assertEquals("DATA " + i, ch.readInbound());
    }
    assertNull(ch.readOutbound());
    assertTrue(ch.isOpen());
    assertEquals(List.of(), events.log);
    ch.finishAndReleaseAll();
  }

  @Test
  void pongLateButWithinTheIntervalIsConsumedAndKeepsTheConnection() {
    HeartbeatHandler handler = new HeartbeatHandler(SHORT, PROTOCOL, events);
    EmbeddedChannel ch = channel(handler);
    advance(ch, 1_000);
    assertEquals("PING", ch.readOutbound());
    advance(ch, 999);
    ch.writeInbound("PONG");
    assertNull(ch.readInbound(), "the pong is the heartbeat's, not the application's");
    assertEquals(Duration.ofMillis(999), handler.lastRoundTrip().orElseThrow());

    // The next ping waits a full idle after the pong, not an interval after the ping.
    advance(ch, 999);
    assertNull(ch.readOutbound());
    advance(ch, 1);
    assertEquals("PING", ch.readOutbound());
    assertTrue(ch.isOpen());
    assertEquals(List.of("ping 1", "answered 999ms", "ping 1"), events.log);
    ch.finishAndReleaseAll();
  }

  @Test
  void answerAfterTheSecondPingButBeforeTheDeadlineKeepsTheConnection() {
    EmbeddedChannel ch = channel(new HeartbeatHandler(SHORT, PROTOCOL, events));
    advance(ch, 1_000);
    advance(ch, 1_000);
    advance(ch, 999);
    ch.writeInbound("DATA"); // any message answers
    assertEquals("DATA", ch.readInbound());
    advance(ch, 1);
    assertTrue(ch.isOpen());
    assertEquals(List.of("ping 1", "ping 2", "answered 1999ms"), events.log);
    ch.finishAndReleaseAll();
  }

  @Test
  void answersThePeersPingsWithoutPassingThemOn() {
    EmbeddedChannel ch = channel(new HeartbeatHandler(SHORT, PROTOCOL, events));
    advance(ch, 600);
    ch.writeInbound("PING");
    assertNull(ch.readInbound());
    assertEquals("PONG", ch.readOutbound());
    // The peer's ping is life too: our own first ping moves to idle after it.
    advance(ch, 999);
    assertNull(ch.readOutbound());
    advance(ch, 1);
    assertEquals("PING", ch.readOutbound());
    ch.finishAndReleaseAll();
  }

  @Test
  void pingsAndPongsRecognisedAreReleased() {
    ByteBuf pingBytes = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("P", US_ASCII));
    HeartbeatProtocol bytes = HeartbeatProtocol.of(
        () -> Unpooled.copiedBuffer("P", US_ASCII),
        m -> m instanceof ByteBuf b && b.equals(pingBytes),
        p -> Unpooled.copiedBuffer("O", US_ASCII),
        m -> m instanceof ByteBuf b && b.readableBytes() == 1 && b.getByte(b.readerIndex()) == 'O');
    EmbeddedChannel ch = channel(new HeartbeatHandler(SHORT, bytes, events));
    ByteBuf ping = Unpooled.copiedBuffer("P", US_ASCII);
    ByteBuf pong = Unpooled.copiedBuffer("O", US_ASCII);
    ch.writeInbound(ping, pong);
    assertEquals(0, ping.refCnt());
    assertEquals(0, pong.refCnt());
    ByteBuf answer = ch.readOutbound();
    assertEquals("O", answer.toString(US_ASCII));
    answer.release();
    assertNull(ch.readInbound());
    ch.finishAndReleaseAll();
  }

  @Test
  void echoProtocolWritesThePingBackAsItsOwnPong() {
    HeartbeatProtocol echo = new HeartbeatProtocol() {
      @Override
      public Object newPing(ChannelHandlerContext ctx) {
        return ctx.alloc().buffer(1).writeByte('E');
      }

      @Override
      public boolean isPing(Object msg) {
        return msg instanceof ByteBuf b && b.readableBytes() == 1 && b.getByte(0) == 'E';
      }

      @Override
      public Object pongFor(ChannelHandlerContext ctx, Object ping) {
        return ping;
      }
    };
    EmbeddedChannel ch = new EmbeddedChannel(new HeartbeatResponder(echo));
    ByteBuf ping = Unpooled.buffer(1).writeByte('E');
    ch.writeInbound(ping);
    ByteBuf pong = ch.readOutbound();
    assertSame(ping, pong);
    assertEquals(1, pong.refCnt(), "the echo is not released before it is written");
    pong.release();
    ch.finishAndReleaseAll();
  }

  @Test
  void closingTheChannelCancelsTheTimer() {
    HeartbeatHandler handler = new HeartbeatHandler(SHORT, PROTOCOL, events);
    EmbeddedChannel ch = channel(handler);
    Future<?> timer = handler.scheduledPoll();
    assertNotNull(timer);
    assertTrue(ch.runScheduledPendingTasks() >= 0, "one task scheduled");
    ch.close();
    assertTrue(timer.isCancelled());
    assertNull(handler.scheduledPoll());
    assertEquals(-1, ch.runScheduledPendingTasks(), "no task left");
    advance(ch, 10_000);
    assertNull(ch.readOutbound());
    assertEquals(List.of(), events.log);
  }

  @Test
  void removingTheHandlerCancelsTheTimer() {
    HeartbeatHandler handler = new HeartbeatHandler(SHORT, PROTOCOL, events);
    EmbeddedChannel ch = channel(handler);
    Future<?> timer = handler.scheduledPoll();
    ch.pipeline().remove(handler);
    assertTrue(timer.isCancelled());
    assertEquals(-1, ch.runScheduledPendingTasks());
    assertTrue(ch.isOpen());
    ch.finishAndReleaseAll();
  }

  @Test
  void startsWhenAddedToAnActiveChannel() {
    EmbeddedChannel ch = EmbeddedChannel.builder().ticker(clock).build();
    assertTrue(ch.isActive());
    advance(ch, 5_000);
    ch.pipeline().addLast(new HeartbeatHandler(SHORT, PROTOCOL, events));
    advance(ch, 999);
    assertNull(ch.readOutbound());
    advance(ch, 1);
    assertEquals("PING", ch.readOutbound());
    ch.finishAndReleaseAll();
  }

  @Test
  void throwingListenerEndsTheHeartbeatThroughTheExceptionAndClose() {
    IllegalStateException bug = new IllegalStateException("listener bug");
    EmbeddedChannel ch = channel(new HeartbeatHandler(SHORT, PROTOCOL, new HeartbeatListener() {
      @Override
      public void pingSent(int unansweredPings) {
        throw bug;
      }
    }));
    advance(ch, 1_000);
    assertFalse(ch.isOpen());
    assertSame(bug, assertThrows(IllegalStateException.class, ch::checkException));
    assertEquals(-1, ch.runScheduledPendingTasks());
  }

  @Test
  void pingThatCannotBeWrittenIsReportedThroughThePipeline() {
    IOException broken = new IOException("Broken pipe");
    ChannelOutboundHandlerAdapter failingWrites = new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ReferenceCountUtil.release(msg);
        promise.setFailure(broken);
      }
    };
    EmbeddedChannel ch = EmbeddedChannel.builder().ticker(clock)
        .handlers(failingWrites, new HeartbeatHandler(SHORT, PROTOCOL, events)).build();
    advance(ch, 1_000);
    assertSame(broken, assertThrows(IOException.class, ch::checkException));
    assertEquals(List.of("ping 1"), events.log);
  }

  @Test
  void refusesBadConfiguration() {
    assertEquals("a heartbeat needs an enabled policy with idle, interval and probes, was off",
        assertThrows(IllegalArgumentException.class,
            () -> new HeartbeatHandler(KeepalivePolicy.disabled(), PROTOCOL)).getMessage());
    assertEquals("policy must not be null",
        assertThrows(NullPointerException.class,
            () -> new HeartbeatHandler(null, PROTOCOL)).getMessage());
    assertEquals("protocol must not be null",
        assertThrows(NullPointerException.class,
            () -> new HeartbeatHandler(SHORT, null)).getMessage());
    assertEquals("listener must not be null",
        assertThrows(NullPointerException.class,
            () -> new HeartbeatHandler(SHORT, PROTOCOL, null)).getMessage());
    assertEquals("protocol must not be null",
        assertThrows(NullPointerException.class, () -> new HeartbeatResponder(null)).getMessage());
    assertEquals("ping and pong must differ, both were PING",
        assertThrows(IllegalArgumentException.class,
            () -> HeartbeatProtocol.of("PING", "PING")).getMessage());
    ByteBuf shared = Unpooled.copiedBuffer("P", US_ASCII);
    assertTrue(assertThrows(IllegalArgumentException.class,
            () -> HeartbeatProtocol.of(shared, "PONG")).getMessage()
        .startsWith("ping and pong must not be reference-counted"));
    shared.release();
    assertEquals("newPing must not be null", assertThrows(NullPointerException.class,
        () -> HeartbeatProtocol.of(null, m -> true, p -> p, m -> false)).getMessage());
  }

  @Test
  void timeoutExceptionIsTheTypedHeartbeatTimeout() {
    EmbeddedChannel ch = channel(new HeartbeatHandler(KeepalivePolicy.ofSeconds(2, 1, 1), PROTOCOL));
    advance(ch, 2_000);
    advance(ch, 1_000);
    Exception e = assertThrows(Exception.class, ch::checkException);
    assertInstanceOf(HeartbeatTimeoutException.class, e);
    assertEquals("peer silent for 3.000 s after 1 unanswered heartbeat ping "
        + "(policy idle=2s,interval=1s,probes=1; detection deadline 3 s)", e.getMessage());
  }
}
