package dev.keepalive.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.same;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.when;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What each mode leaves behind when the kernel refuses an option part-way: a real NIO channel whose
 * config fails on TCP_KEEPCOUNT, after TCP_KEEPIDLE and TCP_KEEPINTERVAL were set. Linux never
 * refuses a value that passed the platform check, so the refusal is injected.
 */
class FailurePartWayTest {

  private static final KeepalivePolicy BEFORE = KeepalivePolicy.ofSeconds(31, 7, 4);
  private static final KeepalivePolicy REFUSED = KeepalivePolicy.ofSeconds(45, 11, 6);

  private Peers peers;
  private NioSocketChannel channel;
  private SocketChannelConfig config;
  private ChannelOption<Integer> count;

  @BeforeEach
  void connectWithKeepaliveOn() throws Exception {
    peers = Peers.connect(TestTransport.NIO, Peers.loopback("127.0.0.1"));
    NettyKeepalive.apply(peers.client, BEFORE);
    // Same class (so the same transport), real socket underneath, one option made to fail.
    config = spy(((NioSocketChannel) peers.client).config());
    channel = mock(NioSocketChannel.class);
    when(channel.config()).thenReturn(config);
    when(channel.isOpen()).thenReturn(true);
    count = Transport.of(channel).count;
  }

  @AfterEach
  void close() {
    peers.close();
  }

  private Observed observed() {
    return Observed.of(TestTransport.NIO, peers.client);
  }

  private ChannelException kernelRefusesCount() {
    ChannelException refusal = new ChannelException(new IOException("setsockopt: Invalid argument"));
    doThrow(refusal).when(config).setOption(same(count), any());
    return refusal;
  }

  @Test
  void strictSwitchesKeepaliveOffAndRethrows() {
    ChannelException refusal = kernelRefusesCount();
    assertSame(refusal, assertThrows(ChannelException.class,
        () -> NettyKeepalive.apply(channel, REFUSED, ApplyMode.STRICT)));
    // Idle and interval took, the count did not, and keepalive is off: never half a policy.
    assertEquals(new Observed(false, 45, 11, 4, -1), observed());
  }

  /**
   * Regression (issue 13, D5): the one rule for a refused first call, the same as keepalive-jdk's.
   * Nothing had changed, so the channel keeps its whole old policy; Netty used to switch keepalive
   * off here.
   */
  @Test
  void strictRefusalOfTheFirstCallLeavesTheChannelAsItWas() {
    ChannelException refusal = new ChannelException(new IOException("setsockopt: Invalid argument"));
    doThrow(refusal).when(config).setOption(same(Transport.of(channel).idle), any());
    assertSame(refusal, assertThrows(ChannelException.class,
        () -> NettyKeepalive.apply(channel, REFUSED, ApplyMode.STRICT)));
    assertEquals(new Observed(true, 31, 7, 4, -1), observed());
  }

  /**
   * Regression (issue 13, D4): a channel closed by another thread during a lenient apply is the
   * closed-channel exception, not a report of FAILED options.
   */
  @Test
  void lenientOnAChannelClosedDuringTheCallThrowsTheClosedChannelException() {
    doAnswer(call -> {
      when(channel.isOpen()).thenReturn(false);
      throw new ChannelException(new IOException("setsockopt: Bad file descriptor"));
    }).when(config).setOption(same(Transport.of(channel).interval), any());
    ChannelException e = assertThrows(ChannelException.class,
        () -> NettyKeepalive.apply(channel, REFUSED, ApplyMode.LENIENT));
    assertTrue(e.getCause() instanceof java.nio.channels.ClosedChannelException, e::toString);
  }

  @Test
  void transactionalRestoresEveryOptionItChanged() {
    ChannelException refusal = kernelRefusesCount();
    assertSame(refusal, assertThrows(ChannelException.class,
        () -> NettyKeepalive.apply(channel, REFUSED, ApplyMode.TRANSACTIONAL)));
    assertEquals(new Observed(true, 31, 7, 4, -1), observed());
  }

  @Test
  void lenientReportsTheRefusalAndAppliesTheRest() {
    kernelRefusesCount();
    ApplyReport report = NettyKeepalive.apply(channel, REFUSED, ApplyMode.LENIENT);
    assertEquals(ApplyReport.Status.FAILED, report.status(KeepaliveOption.TCP_KEEPCOUNT));
    assertEquals("java.io.IOException: setsockopt: Invalid argument",
        report.entries().get(2).detail());
    assertEquals(java.util.Set.of(KeepaliveOption.TCP_KEEPCOUNT), report.notApplied());
    assertEquals(new Observed(true, 45, 11, 4, -1), observed());
  }

  @Test
  void falseFromNettyIsARefusalNeverSuccess() {
    doReturn(false).when(config).setOption(same(count), any());
    UnsupportedKeepaliveOptionException e = assertThrows(UnsupportedKeepaliveOptionException.class,
        () -> NettyKeepalive.apply(channel, REFUSED));
    assertEquals(KeepaliveOption.TCP_KEEPCOUNT, e.option());
    assertEquals("Netty NIO", e.platform());
    assertTrue(e.getMessage().endsWith("(setOption returned false)"), e.getMessage());
    assertEquals(new Observed(false, 45, 11, 4, -1), observed());

    ApplyReport report = NettyKeepalive.apply(channel, REFUSED, ApplyMode.LENIENT);
    assertEquals(ApplyReport.Status.NOT_SUPPORTED, report.status(KeepaliveOption.TCP_KEEPCOUNT));
    assertEquals(new Observed(true, 45, 11, 4, -1), observed());
  }
}
