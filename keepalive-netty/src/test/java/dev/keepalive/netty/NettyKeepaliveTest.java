package dev.keepalive.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.Platform;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipelineException;
import io.netty.channel.DefaultChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import jdk.net.ExtendedSocketOptions;
import java.util.List;
import java.util.logging.LogRecord;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class NettyKeepaliveTest {

  /** Differs in every field from Linux's defaults (7200/75/9), so a test sees it take. */
  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(31, 7, 4);
  static final KeepalivePolicy OTHER = KeepalivePolicy.ofSeconds(45, 11, 6);

  static Stream<Arguments> transportsOnLoopback() {
    return onLoopback(Stream.of(TestTransport.values()));
  }

  static Stream<Arguments> userTimeoutTransportsOnLoopback() {
    return onLoopback(Stream.of(TestTransport.values()).filter(TestTransport::hasUserTimeout));
  }

  private static Stream<Arguments> onLoopback(Stream<TestTransport> transports) {
    return transports.flatMap(t -> Stream.of(Arguments.of(t, "127.0.0.1"), Arguments.of(t, "::1")));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("transportsOnLoopback")
  void acceptedChannelsCarryThePolicy(TestTransport transport, String loopback) throws Exception {
    InetAddress address = Peers.loopback(loopback);
    try (Peers peers = Peers.connect(transport, address,
        sb -> NettyKeepalive.configure(sb, POLICY), b -> b)) {
      Channel accepted = peers.accepted();
      // The client was not configured: it shows what an accepted channel would have had.
      Observed initial = Observed.of(transport, peers.client);
      assertTrue(initial.differsInEveryField(POLICY), () -> "initial " + initial);
      assertEquals(Observed.after(POLICY, initial), Observed.of(transport, accepted));
      assertEquals(POLICY, NettyKeepalive.inspect(accepted));
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("transportsOnLoopback")
  void clientChannelsCarryThePolicy(TestTransport transport, String loopback) throws Exception {
    InetAddress address = Peers.loopback(loopback);
    try (Peers peers = Peers.connect(transport, address, sb -> sb,
        b -> NettyKeepalive.configure(b, POLICY))) {
      assertTrue(peers.connected.isSuccess(), () -> "connect failed: " + peers.connected.cause());
      Observed initial = Observed.of(transport, peers.accepted());
      assertTrue(initial.differsInEveryField(POLICY), () -> "initial " + initial);
      assertEquals(Observed.after(POLICY, initial), Observed.of(transport, peers.client));
    }
  }

  @ParameterizedTest
  @EnumSource(TestTransport.class)
  void bootstrapLeavesNothingInThePipeline(TestTransport transport) throws Exception {
    try (Peers peers = Peers.connect(transport, Peers.loopback("127.0.0.1"),
        sb -> NettyKeepalive.configure(sb, POLICY), b -> NettyKeepalive.configure(b, POLICY))) {
      for (Peers.Recorder app : List.of(peers.server, peers.clientSide)) {
        app.active.get(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals(List.of("app", "DefaultChannelPipeline$TailContext#0"), app.pipelineWhenActive);
        assertTrue(app.userEvents.isEmpty(), () -> "strict mode fires no events: " + app.userEvents);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = TestTransport.class, names = {"NIO", "EPOLL"})
  void listenerIsNeverTouched(TestTransport transport) throws Exception {
    // io_uring's server channel config reads no TCP options, so only NIO and epoll can show it.
    try (Peers peers = Peers.connect(transport, Peers.loopback("127.0.0.1"),
        sb -> NettyKeepalive.configure(sb, POLICY), b -> b)) {
      assertEquals(POLICY.idleSeconds(), Observed.of(transport, peers.accepted()).idle());
      int kernelDefault = Observed.of(transport, peers.client).idle();
      assertNotEquals(POLICY.idleSeconds(), kernelDefault);
      Integer listenerIdle = transport == TestTransport.NIO
          ? peers.listener.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE))
          : peers.listener.config().getOption(new IntegerUnixChannelOption("TCP_KEEPIDLE", 6, 4));
      assertEquals(kernelDefault, listenerIdle);
      if (transport == TestTransport.EPOLL) {
        // SOL_SOCKET = 1, SO_KEEPALIVE = 9 on Linux.
        assertEquals(0, peers.listener.config().getOption(
            new IntegerUnixChannelOption("SO_KEEPALIVE", 1, 9)));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(TestTransport.class)
  void refusesTheListeningChannel(TestTransport transport) throws Exception {
    try (Peers peers = Peers.connect(transport, Peers.loopback("127.0.0.1"))) {
      for (ApplyMode mode : ApplyMode.values()) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> NettyKeepalive.apply(peers.listener, POLICY, mode));
        assertTrue(e.getMessage().startsWith(
            "channel must be a socket channel, was the server channel"), e.getMessage());
      }
      assertThrows(IllegalArgumentException.class, () -> NettyKeepalive.inspect(peers.listener));
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("transportsOnLoopback")
  void liveChannelTakesAPolicyAndThenAnother(TestTransport transport, String loopback)
      throws Exception {
    try (Peers peers = Peers.connect(transport, Peers.loopback(loopback))) {
      Channel channel = peers.client;
      Observed initial = Observed.of(transport, channel);
      assertTrue(initial.differsInEveryField(POLICY), () -> "initial " + initial);

      assertSame(ApplyReport.allApplied(POLICY), NettyKeepalive.apply(channel, POLICY));
      Observed first = Observed.of(transport, channel);
      assertEquals(Observed.after(POLICY, initial), first);

      assertNotEquals(Observed.after(OTHER, initial), first);
      assertSame(ApplyReport.allApplied(OTHER), NettyKeepalive.apply(channel, OTHER));
      assertEquals(Observed.after(OTHER, initial), Observed.of(transport, channel));
      assertEquals(OTHER, NettyKeepalive.inspect(channel));
    }
  }

  @ParameterizedTest
  @EnumSource(TestTransport.class)
  void disabledPolicySwitchesKeepaliveOff(TestTransport transport) throws Exception {
    try (Peers peers = Peers.connect(transport, Peers.loopback("127.0.0.1"))) {
      NettyKeepalive.apply(peers.client, POLICY);
      Observed on = Observed.of(transport, peers.client);
      assertTrue(on.keepalive());
      assertSame(ApplyReport.allApplied(KeepalivePolicy.disabled()),
          NettyKeepalive.apply(peers.client, KeepalivePolicy.disabled()));
      assertEquals(Observed.after(KeepalivePolicy.disabled(), on), Observed.of(transport, peers.client));
      assertEquals(KeepalivePolicy.disabled(), NettyKeepalive.inspect(peers.client));
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("userTimeoutTransportsOnLoopback")
  void userTimeoutTakesOnEpollAndIoUring(TestTransport transport, String loopback)
      throws Exception {
    KeepalivePolicy policy = POLICY.withUserTimeoutAtDetectionDeadline();
    assertEquals(59_000, policy.userTimeoutMillis()); // 31 + 7 × 4 s
    // A socket nobody configured reads 0 (the kernel's retransmission timeouts apply).
    assertEquals(0, freshUserTimeout(transport));
    try (Peers peers = Peers.connect(transport, Peers.loopback(loopback),
        sb -> NettyKeepalive.configure(sb, policy), b -> NettyKeepalive.configure(b, policy))) {
      for (Channel channel : List.of(peers.client, peers.accepted())) {
        assertEquals(new Observed(true, 31, 7, 4, 59_000), Observed.of(transport, channel));
        assertEquals(policy, NettyKeepalive.inspect(channel));
      }
    }
  }

  private static int freshUserTimeout(TestTransport transport) throws Exception {
    try (Peers fresh = Peers.connect(transport, Peers.loopback("127.0.0.1"))) {
      return Observed.of(transport, fresh.client).userTimeoutMillis();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = ApplyMode.class, names = {"STRICT", "TRANSACTIONAL"})
  void nioRefusesUserTimeoutLeavingChannelUnchanged(ApplyMode mode) throws Exception {
    try (Peers peers = Peers.connect(TestTransport.NIO, Peers.loopback("127.0.0.1"))) {
      Observed before = Observed.of(TestTransport.NIO, peers.client);
      UnsupportedKeepaliveOptionException e = assertThrows(
          UnsupportedKeepaliveOptionException.class,
          () -> NettyKeepalive.apply(peers.client, POLICY.withUserTimeoutAtDetectionDeadline(), mode));
      assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
      assertEquals("Netty NIO", e.platform());
      assertEquals("TCP_USER_TIMEOUT (userTimeout) cannot be set on Netty NIO: the JDK has no "
          + "TCP_USER_TIMEOUT (jdk.net.ExtendedSocketOptions); use the epoll or io_uring transport",
          e.getMessage());
      assertEquals(before, Observed.of(TestTransport.NIO, peers.client));
    }
  }

  @Test
  void nioReportsUserTimeoutInLenientModeAndAppliesTheRest() throws Exception {
    try (Peers peers = Peers.connect(TestTransport.NIO, Peers.loopback("127.0.0.1"))) {
      Observed before = Observed.of(TestTransport.NIO, peers.client);
      KeepalivePolicy policy = POLICY.withUserTimeoutAtDetectionDeadline();
      ApplyReport report = NettyKeepalive.apply(peers.client, policy, ApplyMode.LENIENT);
      assertFalse(report.fullyApplied());
      assertEquals(java.util.Set.of(KeepaliveOption.TCP_USER_TIMEOUT), report.notApplied());
      assertEquals(ApplyReport.Status.NOT_SUPPORTED, report.status(KeepaliveOption.TCP_USER_TIMEOUT));
      assertEquals(ApplyReport.optionsOf(policy),
          report.entries().stream().map(ApplyReport.Entry::option).toList());
      assertEquals(Observed.after(POLICY, before), Observed.of(TestTransport.NIO, peers.client));
    }
  }

  @ParameterizedTest
  @EnumSource(TestTransport.class)
  void refusesIdleBeyondLinuxLimitLeavingChannelUnchanged(TestTransport transport)
      throws Exception {
    assumeTrue(Platform.current() == Platform.LINUX, "Linux's limits are checked on Linux only");
    KeepalivePolicy tooLong = KeepalivePolicy.ofSeconds(40_000, 7, 4);
    try (Peers peers = Peers.connect(transport, Peers.loopback("127.0.0.1"))) {
      Observed before = Observed.of(transport, peers.client);
      for (ApplyMode mode : ApplyMode.values()) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> NettyKeepalive.apply(peers.client, tooLong, mode));
        assertEquals("idle 40000s is beyond Linux's limit: at most 32767s (TCP_KEEPIDLE) in "
            + tooLong, e.getMessage());
        assertEquals(before, Observed.of(transport, peers.client));
      }
    }
  }

  @Test
  void configureRefusesPolicyBeyondLinuxLimitAtOnce() {
    assumeTrue(Platform.current() == Platform.LINUX, "Linux's limits are checked on Linux only");
    KeepalivePolicy tooMany = KeepalivePolicy.ofSeconds(30, 5, 128);
    ServerBootstrap sb = new ServerBootstrap().childHandler(new ChannelInboundHandlerAdapter());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NettyKeepalive.configure(sb, tooMany));
    assertTrue(e.getMessage().startsWith("probes 128 is beyond Linux's limit: at most 127"),
        e.getMessage());
    assertInstanceOf(ChannelInboundHandlerAdapter.class, sb.config().childHandler());
    Bootstrap b = new Bootstrap().handler(new ChannelInboundHandlerAdapter());
    assertThrows(IllegalArgumentException.class, () -> NettyKeepalive.configure(b, tooMany));
  }

  @Test
  void strictServerClosesAcceptedChannelWhosePolicyTheTransportRefuses() throws Exception {
    KeepalivePolicy policy = POLICY.withUserTimeoutAtDetectionDeadline();
    try (Peers peers = Peers.connect(TestTransport.NIO, Peers.loopback("127.0.0.1"),
        sb -> NettyKeepalive.configure(sb, policy), b -> b)) {
      Throwable seen = peers.server.exception.get(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
      UnsupportedKeepaliveOptionException e =
          assertInstanceOf(UnsupportedKeepaliveOptionException.class, seen);
      assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
      Channel accepted = peers.server.inactive.get(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertFalse(accepted.isOpen());
      assertFalse(peers.server.active.isDone(), "the application never saw it active");
      assertTrue(peers.client.closeFuture().await(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS),
          "the client sees the server close the connection");
    }
  }

  @Test
  void strictClientFailsItsConnectWhenTheTransportRefusesThePolicy() throws Exception {
    KeepalivePolicy policy = POLICY.withUserTimeoutAtDetectionDeadline();
    try (Peers peers = Peers.connect(TestTransport.NIO, Peers.loopback("127.0.0.1"), sb -> sb,
        b -> NettyKeepalive.configure(b, policy))) {
      assertFalse(peers.connected.isSuccess());
      // The connect future carries the refusal (ConnectFailureTest has the variants).
      assertInstanceOf(UnsupportedKeepaliveOptionException.class, peers.connected.cause());
      assertTrue(peers.client.closeFuture().await(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }
  }

  @Test
  void lenientServerFiresTheReportToTheApplication() throws Exception {
    KeepalivePolicy policy = POLICY.withUserTimeoutAtDetectionDeadline();
    try (Peers peers = Peers.connect(TestTransport.NIO, Peers.loopback("127.0.0.1"),
        sb -> NettyKeepalive.configure(sb, policy, ApplyMode.LENIENT), b -> b)) {
      Channel accepted = peers.accepted();
      ApplyReport report = assertInstanceOf(ApplyReport.class, peers.server.userEvents.get(0));
      assertEquals(1, peers.server.userEvents.size());
      assertEquals(policy, report.policy());
      assertEquals(java.util.Set.of(KeepaliveOption.TCP_USER_TIMEOUT), report.notApplied());
      assertEquals(new Observed(true, 31, 7, 4, -1), Observed.of(TestTransport.NIO, accepted));
    }
  }

  @ParameterizedTest
  @EnumSource(ApplyMode.class)
  void refusesClosedChannelInEveryMode(ApplyMode mode) throws Exception {
    Channel closed;
    try (Peers peers = Peers.connect(TestTransport.NIO, Peers.loopback("127.0.0.1"))) {
      closed = peers.client;
      closed.close().await(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
      ChannelException e = assertThrows(ChannelException.class,
          () -> NettyKeepalive.apply(closed, POLICY, mode));
      assertTrue(e.getMessage().startsWith("channel is closed: "), e.getMessage());
    }
  }

  @Test
  void unknownTransportIsRefusedByName() {
    EmbeddedChannel channel = new EmbeddedChannel();
    UnsupportedKeepaliveOptionException e = assertThrows(UnsupportedKeepaliveOptionException.class,
        () -> NettyKeepalive.apply(channel, POLICY));
    assertEquals(KeepaliveOption.TCP_KEEPIDLE, e.option());
    assertEquals("Netty io.netty.channel.embedded.EmbeddedChannel", e.platform());

    // SO_KEEPALIVE alone is attempted, and Netty's "false" for an unknown option is a refusal.
    UnsupportedKeepaliveOptionException off = assertThrows(
        UnsupportedKeepaliveOptionException.class,
        () -> NettyKeepalive.apply(channel, KeepalivePolicy.disabled()));
    assertEquals(KeepaliveOption.SO_KEEPALIVE, off.option());
    assertTrue(off.getMessage().contains("(setOption returned false)"), off.getMessage());

    ApplyReport report = NettyKeepalive.apply(channel, POLICY, ApplyMode.LENIENT);
    assertTrue(report.entries().stream()
        .allMatch(en -> en.status() == ApplyReport.Status.NOT_SUPPORTED), report::toString);
    channel.finishAndReleaseAll();
  }

  @Test
  void configureNeedsTheHandlerItWraps() {
    IllegalStateException server = assertThrows(IllegalStateException.class,
        () -> NettyKeepalive.configure(new ServerBootstrap(), POLICY));
    assertTrue(server.getMessage().startsWith("bootstrap has no childHandler"), server.getMessage());
    IllegalStateException client = assertThrows(IllegalStateException.class,
        () -> NettyKeepalive.configure(new Bootstrap(), POLICY));
    assertTrue(client.getMessage().startsWith("bootstrap has no handler"), client.getMessage());
  }

  @Test
  void configuringTwiceReplacesThePolicyInsteadOfStacking() {
    ChannelInboundHandlerAdapter app = new ChannelInboundHandlerAdapter();
    ServerBootstrap sb = new ServerBootstrap().childHandler(app);
    NettyKeepalive.configure(sb, POLICY);
    NettyKeepalive.configure(sb, OTHER, ApplyMode.LENIENT);
    KeepaliveInitializer wrapper =
        assertInstanceOf(KeepaliveInitializer.class, sb.config().childHandler());
    assertSame(app, wrapper.next());
    assertEquals(OTHER, wrapper.policy());
    assertEquals(ApplyMode.LENIENT, wrapper.mode());
  }

  @Test
  void nullsAreNamed() {
    Channel channel = new EmbeddedChannel();
    assertEquals("channel must not be null", assertThrows(NullPointerException.class,
        () -> NettyKeepalive.apply(null, POLICY)).getMessage());
    assertEquals("policy must not be null", assertThrows(NullPointerException.class,
        () -> NettyKeepalive.apply(channel, null)).getMessage());
    assertEquals("mode must not be null", assertThrows(NullPointerException.class,
        () -> NettyKeepalive.apply(channel, POLICY, null)).getMessage());
    assertEquals("bootstrap must not be null", assertThrows(NullPointerException.class,
        () -> NettyKeepalive.configure((ServerBootstrap) null, POLICY)).getMessage());
    assertEquals("bootstrap must not be null", assertThrows(NullPointerException.class,
        () -> NettyKeepalive.configure((Bootstrap) null, POLICY)).getMessage());
    channel.close();
  }

  /**
   * kqueue's options are raw setsockopt calls through IntegerUnixChannelOption, which cannot run
   * here; epoll takes the same kind of option, so the mechanism is shown with Linux's numbers
   * (IPPROTO_TCP 6; TCP_KEEPIDLE 4, TCP_KEEPINTVL 5, TCP_KEEPCNT 6 in linux/tcp.h).
   */
  @Test
  void rawUnixOptionsReachTheKernelAsKqueueNeeds() throws Exception {
    TestTransport epoll = TestTransport.EPOLL;
    try (Peers peers = Peers.connect(epoll, Peers.loopback("127.0.0.1"))) {
      Observed initial = Observed.of(epoll, peers.client);
      assertTrue(initial.differsInEveryField(POLICY), () -> "initial " + initial);
      peers.client.config().setOption(new IntegerUnixChannelOption("TCP_KEEPIDLE", 6, 4), 31);
      peers.client.config().setOption(new IntegerUnixChannelOption("TCP_KEEPINTVL", 6, 5), 7);
      peers.client.config().setOption(new IntegerUnixChannelOption("TCP_KEEPCNT", 6, 6), 4);
      peers.client.config().setOption(ChannelOption.SO_KEEPALIVE, true);
      assertEquals(Observed.after(POLICY, initial), Observed.of(epoll, peers.client));
    }
  }

  /**
   * Netty refuses to add a non-@Sharable handler to a second channel; that must not go quiet. The
   * handler is added twice on purpose: the second connection is closed and the refusal reaches the
   * pipeline, where Netty logs it; the test expects that warning instead of printing it.
   */
  @Test
  void aChildHandlerNettyWillNotAddTwiceClosesTheSecondConnection() throws Exception {
    EventLoopGroup group = TestTransport.NIO.newGroup();
    try (CapturedLog pipelineLog = CapturedLog.of(DefaultChannelPipeline.class)) {
      ServerBootstrap sb = new ServerBootstrap().group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInboundHandlerAdapter()); // not @Sharable, on purpose
      Channel listener = NettyKeepalive.configure(sb, POLICY).bind("127.0.0.1", 0).sync().channel();
      Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new Peers.Recorder());
      Channel first = b.connect(listener.localAddress()).sync().channel();
      Channel second = b.connect(listener.localAddress()).sync().channel();
      assertTrue(second.closeFuture().await(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS),
          "the server closes the connection it could not set up");
      assertTrue(first.isOpen());
      first.close().sync();
      listener.close().sync();
      List<LogRecord> records = pipelineLog.records();
      assertEquals(1, records.size(), () -> "one refusal surfaced: " + records);
      ChannelPipelineException refusal =
          assertInstanceOf(ChannelPipelineException.class, records.get(0).getThrown());
      assertTrue(refusal.getMessage().contains("is not a @Sharable handler"), refusal.getMessage());
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @EnumSource(TestTransport.class)
  void policyWinsOverConflictingChildOptions(TestTransport transport) throws Exception {
    try (Peers peers = Peers.connect(transport, Peers.loopback("127.0.0.1"),
        sb -> NettyKeepalive.configure(sb.childOption(ChannelOption.SO_KEEPALIVE, false)
            .childOption(transport.idle, 999), POLICY), b -> b)) {
      assertEquals(new Observed(true, 31, 7, 4, transport.hasUserTimeout() ? 0 : -1),
          Observed.of(transport, peers.accepted()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("userTimeoutModes")
  void aPolicyWithoutUserTimeoutClearsTheOldOne(TestTransport transport, ApplyMode mode)
      throws Exception {
    // Regression (issue 16, item 7): apply(…,user-timeout=5s) then apply(idle=30s,…) reported
    // applied, inspect gave …,user-timeout=5s and the kernel kept 5000 ms.
    KeepalivePolicy withUserTimeout = OTHER.withUserTimeout(java.time.Duration.ofSeconds(5));
    try (Peers peers = Peers.connect(transport, Peers.loopback("127.0.0.1"))) {
      NettyKeepalive.apply(peers.client, withUserTimeout, mode);
      assertEquals(5000, Observed.of(transport, peers.client).userTimeoutMillis());
      assertTrue(NettyKeepalive.apply(peers.client, POLICY, mode).fullyApplied());
      assertEquals(new Observed(true, 31, 7, 4, 0), Observed.of(transport, peers.client));
      assertEquals(POLICY, NettyKeepalive.inspect(peers.client));

      NettyKeepalive.apply(peers.client, withUserTimeout, mode);
      NettyKeepalive.apply(peers.client, KeepalivePolicy.disabled(), mode);
      assertEquals(0, Observed.of(transport, peers.client).userTimeoutMillis(),
          "off clears the user timeout too");
      assertEquals(KeepalivePolicy.disabled(), NettyKeepalive.inspect(peers.client));
    }
  }

  static Stream<Arguments> userTimeoutModes() {
    return Stream.of(TestTransport.values()).filter(TestTransport::hasUserTimeout)
        .flatMap(t -> Stream.of(ApplyMode.values()).map(m -> Arguments.of(t, m)));
  }

  @ParameterizedTest
  @MethodSource("userTimeoutTransports")
  void inspectNeverHidesAUserTimeoutInForceWithKeepaliveOff(TestTransport transport)
      throws Exception {
    // Regression (issue 16, item 7): with keepalive off, inspect said "off" over 5000 ms in force.
    try (Peers peers = Peers.connect(transport, Peers.loopback("127.0.0.1"))) {
      peers.client.config().setOption(transport.userTimeout, 5000);
      peers.client.config().setOption(ChannelOption.SO_KEEPALIVE, false);
      assertEquals(KeepalivePolicy.parse("off,user-timeout=5s"),
          NettyKeepalive.inspect(peers.client));
    }
  }

  static Stream<TestTransport> userTimeoutTransports() {
    return Stream.of(TestTransport.values()).filter(TestTransport::hasUserTimeout);
  }

  @ParameterizedTest
  @MethodSource("userTimeoutTransports")
  void policyWinsOverAConflictingUserTimeoutChildOption(TestTransport transport)
      throws Exception {
    // Regression (issue 16, item 8): childOption(TCP_USER_TIMEOUT, 5000) beat configure, contrary
    // to the docs ("wins over a conflicting one").
    try (Peers peers = Peers.connect(transport, Peers.loopback("127.0.0.1"),
        sb -> NettyKeepalive.configure(sb.childOption(transport.userTimeout, 5000), POLICY),
        b -> b)) {
      assertEquals(new Observed(true, 31, 7, 4, 0), Observed.of(transport, peers.accepted()));
      assertEquals(POLICY, NettyKeepalive.inspect(peers.accepted()));
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("udpCases")
  void configureOnAUdpBootstrapFailsItsBind(TestTransport transport, ApplyMode mode)
      throws Exception {
    // Regression (issue 16, item 9): configure() on a UDP bootstrap, then bind(), succeeded
    // silently; the refusal fired only on a connect() and the refusing handler stayed behind.
    transport.requireAvailable();
    EventLoopGroup group = transport.newGroup();
    try {
      Bootstrap udp = new Bootstrap().group(group).channel(TestTransport.datagramChannel(transport))
          .handler(new ChannelInboundHandlerAdapter());
      NettyKeepalive.configure(udp, POLICY, mode);
      io.netty.channel.ChannelFuture bound = udp.bind(InetAddress.getLoopbackAddress(), 0);
      assertTrue(bound.await(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS));
      assertFalse(bound.isSuccess(), "bind must fail");
      UnsupportedKeepaliveOptionException e =
          assertInstanceOf(UnsupportedKeepaliveOptionException.class, bound.cause());
      assertTrue(e.getMessage().contains("it is a UDP channel: TCP keepalive does not apply"),
          e.getMessage());
      assertTrue(bound.channel().closeFuture().await(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS));
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(Peers.TIMEOUT_SECONDS,
          TimeUnit.SECONDS);
    }
  }

  static Stream<Arguments> udpCases() {
    return Stream.of(TestTransport.NIO, TestTransport.EPOLL).flatMap(t -> Stream.of(
        ApplyMode.STRICT, ApplyMode.TRANSACTIONAL).map(m -> Arguments.of(t, m)));
  }
}
