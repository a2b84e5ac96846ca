package dev.keepalive.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import io.netty.channel.ChannelOption;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** NettyKeepalive.options: the policy as channel options, for builders with no channel hook. */
class OptionsTest {

  private static final KeepalivePolicy POLICY = NettyKeepaliveTest.POLICY;

  /** Collects what a builder would receive, in order. */
  private static final class Recorded implements NettyKeepalive.OptionSink {
    final Map<ChannelOption<?>, Object> options = new LinkedHashMap<>();

    @Override
    public void option(ChannelOption<Object> option, Object value) {
      options.put(option, value);
    }

    List<String> described() {
      List<String> out = new ArrayList<>();
      options.forEach((o, v) -> out.add(describe(o, v)));
      return out;
    }
  }

  private static String describe(ChannelOption<?> option, Object value) {
    return option.getClass().getSimpleName() + " " + option.name() + "=" + value;
  }

  @ParameterizedTest
  @EnumSource(TestTransport.class)
  void serverAndSocketChannelClassesNameTheSameOptions(TestTransport transport) {
    for (Class<? extends io.netty.channel.Channel> type
        : List.of(transport.socketChannel, transport.serverChannel)) {
      Recorded sink = new Recorded();
      NettyKeepalive.options(type, POLICY, sink);
      // By name and class: NioChannelOption.of makes a new, identity-compared option per call.
      assertEquals(List.of(describe(transport.idle, 31), describe(transport.interval, 7),
          describe(transport.count, 4), describe(ChannelOption.SO_KEEPALIVE, true)),
          sink.described(), "tuning options first, SO_KEEPALIVE last");
    }
  }

  /**
   * The shape of gRPC's NettyServerBuilder/NettyChannelBuilder option methods: generic, returning
   * the builder. (The real builders are exercised in keepalive-integration-tests.)
   */
  private static final class GenericBuilder {
    final Map<ChannelOption<?>, Object> options = new LinkedHashMap<>();
    final Map<ChannelOption<?>, Object> childOptions = new LinkedHashMap<>();

    <T> GenericBuilder withOption(ChannelOption<T> option, T value) {
      options.put(option, value);
      return this;
    }

    <T> GenericBuilder withChildOption(ChannelOption<T> option, T value) {
      childOptions.put(option, value);
      return this;
    }
  }

  @Test
  void aLambdaAndAGenericBuildersMethodReferencesAreSinks() {
    GenericBuilder builder = new GenericBuilder();
    NettyKeepalive.options(NioSocketChannel.class, POLICY, (o, v) -> builder.withOption(o, v));
    NettyKeepalive.options(NioServerSocketChannel.class, POLICY, builder::withChildOption);
    Recorded expected = new Recorded();
    NettyKeepalive.options(NioSocketChannel.class, POLICY, expected);
    assertEquals(4, expected.options.size());
    assertEquals(expected.options, builder.options);
    assertEquals(expected.options, builder.childOptions);
  }

  @ParameterizedTest
  @EnumSource(TestTransport.class)
  void bootstrapsTakeThemAsLambdas(TestTransport transport) throws Exception {
    KeepalivePolicy policy = transport.hasUserTimeout()
        ? POLICY.withUserTimeoutAtDetectionDeadline() : POLICY;
    try (Peers peers = Peers.connect(transport, Peers.loopback("127.0.0.1"),
        sb -> {
          NettyKeepalive.options(transport.serverChannel, policy, (o, v) -> sb.childOption(o, v));
          return sb;
        },
        b -> {
          NettyKeepalive.options(transport.socketChannel, policy, (o, v) -> b.option(o, v));
          return b;
        })) {
      Observed expected = new Observed(true, 31, 7, 4, transport.hasUserTimeout() ? 59_000 : -1);
      assertEquals(expected, Observed.of(transport, peers.accepted()));
      assertEquals(expected, Observed.of(transport, peers.client));
    }
  }

  @ParameterizedTest
  @EnumSource(TestTransport.class)
  void bootstrapsTakeThemAsMethodReferences(TestTransport transport) throws Exception {
    KeepalivePolicy policy = transport.hasUserTimeout()
        ? POLICY.withUserTimeoutAtDetectionDeadline() : POLICY;
    try (Peers peers = Peers.connect(transport, Peers.loopback("127.0.0.1"),
        sb -> {
          NettyKeepalive.options(transport.serverChannel, policy, sb::childOption);
          return sb;
        },
        b -> {
          NettyKeepalive.options(transport.socketChannel, policy, b::option);
          return b;
        })) {
      Observed expected = new Observed(true, 31, 7, 4, transport.hasUserTimeout() ? 59_000 : -1);
      assertEquals(expected, Observed.of(transport, peers.accepted()));
      assertEquals(expected, Observed.of(transport, peers.client));
    }
  }

  @Test
  void refusesUserTimeoutForNioBeforeHandingOverAnything() {
    Recorded sink = new Recorded();
    UnsupportedKeepaliveOptionException e = assertThrows(UnsupportedKeepaliveOptionException.class,
        () -> NettyKeepalive.options(NioServerSocketChannel.class,
            POLICY.withUserTimeoutAtDetectionDeadline(), sink));
    assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
    assertEquals("Netty NIO", e.platform());
    assertTrue(sink.options.isEmpty());
  }

  @Test
  void refusesUnknownChannelTypes() {
    UnsupportedKeepaliveOptionException e = assertThrows(UnsupportedKeepaliveOptionException.class,
        () -> NettyKeepalive.options(EmbeddedChannel.class, POLICY, new Recorded()));
    assertEquals("Netty io.netty.channel.embedded.EmbeddedChannel", e.platform());
  }

  @Test
  void disabledPolicyIsSoKeepaliveOff() {
    Recorded sink = new Recorded();
    NettyKeepalive.options(NioSocketChannel.class, KeepalivePolicy.disabled(), sink);
    assertEquals(Map.of(ChannelOption.SO_KEEPALIVE, false), sink.options);
  }
}
