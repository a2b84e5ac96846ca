package dev.keepalive.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.netty.NettyKeepalive;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.netty.ChannelPipelineConfigurer;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * Reactor Netty 1.3 (Spring WebFlux's server and client): the policy through {@code
 * doOnChannelInit}, on NIO and on epoll, read back from the kernel on both ends.
 */
class ReactorNettyTest {

  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(31, 7, 4);
  /** epoll can also bound unacknowledged data: 31 + 7 × 4 = 59 s. */
  static final KeepalivePolicy WITH_USER_TIMEOUT = POLICY.withUserTimeoutAtDetectionDeadline();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static LoopResources loops;

  @BeforeAll
  static void loops() {
    Seen.assertDefaultsDifferFrom(POLICY);
    loops = LoopResources.create("keepalive-reactor", 1, 2, true);
  }

  @AfterAll
  static void disposeLoops() {
    loops.disposeLater(Duration.ZERO, WAIT).block(WAIT);
  }

  private static String transport(boolean preferNative) {
    if (preferNative) {
      assumeTrue(Epoll.isAvailable(), () -> "epoll not available: " + Epoll.unavailabilityCause());
      return "epoll";
    }
    return "nio";
  }

  @ParameterizedTest(name = "preferNative={0}")
  @ValueSource(booleans = {false, true})
  void httpServerAndClientCarryThePolicy(boolean preferNative) throws Exception {
    String transport = transport(preferNative);
    KeepalivePolicy policy = preferNative ? WITH_USER_TIMEOUT : POLICY;
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    CompletableFuture<Channel> connected = new CompletableFuture<>();
    DisposableServer server = HttpServer.create()
        .host("127.0.0.1").port(0)
        .runOn(loops, preferNative)
        .doOnChannelInit((observer, channel, remote) -> {
          // The recipe in docs/netty-frameworks.md (TcpServer below uses apply: both work).
          channel.pipeline().addFirst(NettyKeepalive.initializer(policy));
          accepted.complete(channel);
        })
        .handle((request, response) -> response.sendString(Mono.just("hello")))
        .bindNow(WAIT);
    // A pool of one keeps the client's connection open after the exchange, to be read.
    ConnectionProvider pool = ConnectionProvider.create("keepalive-http", 1);
    try {
      String body = HttpClient.create(pool)
          .runOn(loops, preferNative)
          .doOnChannelInit((observer, channel, remote) -> {
            channel.pipeline().addFirst(NettyKeepalive.initializer(policy));
            connected.complete(channel);
          })
          .get().uri("http://127.0.0.1:" + server.port() + "/")
          .responseContent().aggregate().asString()
          .block(WAIT);
      assertEquals("hello", body);

      Seen expected = Seen.expected(transport, policy);
      assertEquals(expected, Seen.of(accepted.get(10, TimeUnit.SECONDS)), "server end");
      assertEquals(expected, Seen.of(connected.get(10, TimeUnit.SECONDS)), "client end");
    } finally {
      pool.disposeLater().block(WAIT);
      server.disposeNow(WAIT);
    }
  }

  @ParameterizedTest(name = "preferNative={0}")
  @ValueSource(booleans = {false, true})
  void tcpServerAndClientCarryThePolicy(boolean preferNative) throws Exception {
    String transport = transport(preferNative);
    KeepalivePolicy policy = preferNative ? WITH_USER_TIMEOUT : POLICY;
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    DisposableServer server = TcpServer.create()
        .host("127.0.0.1").port(0)
        .runOn(loops, preferNative)
        .doOnChannelInit((observer, channel, remote) -> {
          NettyKeepalive.apply(channel, policy);
          accepted.complete(channel);
        })
        .handle((in, out) -> out.send(in.receive().retain()))
        .bindNow(WAIT);
    Connection client = null;
    try {
      client = TcpClient.newConnection()
          .host("127.0.0.1").port(server.port())
          .runOn(loops, preferNative)
          .doOnChannelInit((observer, channel, remote) -> NettyKeepalive.apply(channel, policy))
          .connectNow(WAIT);

      Seen expected = Seen.expected(transport, policy);
      assertEquals(expected, Seen.of(accepted.get(10, TimeUnit.SECONDS)), "server end");
      assertEquals(expected, Seen.of(client.channel()), "client end");
    } finally {
      if (client != null) {
        client.disposeNow(WAIT);
      }
      server.disposeNow(WAIT);
    }
  }

  /**
   * reactor-netty#2167: on a server, {@code option(...)} is the listening socket. Linux's listener
   * takes no SO_KEEPALIVE through Netty (NIO: the JDK refuses it on a ServerSocketChannel; epoll:
   * not an option of its server channel), so the connections run without keepalive, and Netty only
   * logs it. {@code childOption(SO_KEEPALIVE)} reaches the connections, but alone it leaves the
   * kernel's 7200/75/9.
   */
  @ParameterizedTest(name = "preferNative={0}")
  @ValueSource(booleans = {false, true})
  void optionIsTheListenerAndChildOptionAloneIsTwoHours(boolean preferNative) throws Exception {
    String transport = transport(preferNative);
    CompletableFuture<Channel> viaOption = new CompletableFuture<>();
    CompletableFuture<Channel> viaChildOption = new CompletableFuture<>();
    try (CapturedLog log = CapturedLog.of("reactor.netty.transport")) {
      DisposableServer withOption = TcpServer.create()
          .host("127.0.0.1").port(0).runOn(loops, preferNative)
          .option(ChannelOption.SO_KEEPALIVE, true)
          .doOnChannelInit((observer, channel, remote) -> viaOption.complete(channel))
          .bindNow(WAIT);
      DisposableServer withChildOption = TcpServer.create()
          .host("127.0.0.1").port(0).runOn(loops, preferNative)
          .childOption(ChannelOption.SO_KEEPALIVE, true)
          .doOnChannelInit((observer, channel, remote) -> viaChildOption.complete(channel))
          .bindNow(WAIT);
      Connection a = null;
      Connection b = null;
      try {
        a = TcpClient.newConnection().host("127.0.0.1").port(withOption.port())
            .runOn(loops, preferNative).connectNow(WAIT);
        b = TcpClient.newConnection().host("127.0.0.1").port(withChildOption.port())
            .runOn(loops, preferNative).connectNow(WAIT);
        Channel first = viaOption.get(10, TimeUnit.SECONDS);
        Channel second = viaChildOption.get(10, TimeUnit.SECONDS);
        // Read after the acceptor has set the child options (it runs before doOnChannelInit's
        // initializer is invoked, but on the child's event loop; the read is a plain getsockopt).
        assertFalse(Seen.of(first).keepalive(), "option(SO_KEEPALIVE) never reached the connection");
        assertEquals(Seen.kernelDefaults(transport, true), Seen.of(second),
            "childOption(SO_KEEPALIVE) alone: the namespace's defaults");
        assertEquals(1, log.matching(Level.WARNING, "Unknown channel option 'SO_KEEPALIVE'").size(),
            "Reactor Netty only logged the listener's refusal: " + messages(log.records()));
      } finally {
        if (a != null) {
          a.disposeNow(WAIT);
        }
        if (b != null) {
          b.disposeNow(WAIT);
        }
        withOption.disposeNow(WAIT);
        withChildOption.disposeNow(WAIT);
      }
    }
  }

  /**
   * The pitfall the recipe avoids: {@code NettyKeepalive.apply} throwing inside {@code
   * doOnChannelInit} runs in Reactor Netty's own channel initializer, which logs the exception and
   * closes the channel; the caller's {@code block()} sees only that the channel closed.
   */
  @Test
  void applyThrowingInsideDoOnChannelInitReachesTheCallerOnlyAsAClosedChannel() {
    try (CapturedLog log = CapturedLog.of("io.netty.channel")) {
      Throwable e = refusedGet((observer, channel, remote) ->
          NettyKeepalive.apply(channel, WITH_USER_TIMEOUT));
      assertTrue(chain(e).stream().anyMatch(t -> t instanceof ClosedChannelException),
          "the caller saw the channel close: " + chain(e));
      assertFalse(chain(e).stream().anyMatch(t -> t instanceof UnsupportedKeepaliveOptionException),
          "and not why: " + chain(e));

      List<LogRecord> logged = log.matching(Level.WARNING, "Failed to initialize a channel").stream()
          .filter(r -> r.getThrown() instanceof UnsupportedKeepaliveOptionException).toList();
      assertFalse(logged.isEmpty(), "the real cause is only in Netty's log: "
          + messages(log.records()));
    }
  }

  /**
   * The recipe: {@code NettyKeepalive.initializer(policy)} added first in {@code doOnChannelInit}
   * applies the policy as the channel registers; a refused policy fails the connect itself, so the
   * caller's {@code block()} throws with the {@code UnsupportedKeepaliveOptionException} in its
   * cause chain, and Netty logs nothing.
   */
  @Test
  void refusedPolicyThroughTheInitializerReachesTheCallersBlock() {
    try (CapturedLog log = CapturedLog.of("io.netty.channel")) {
      Throwable e = refusedGet((observer, channel, remote) ->
          channel.pipeline().addFirst(NettyKeepalive.initializer(WITH_USER_TIMEOUT)));
      assertTrue(chain(e).stream().anyMatch(t -> t instanceof UnsupportedKeepaliveOptionException
              && ((UnsupportedKeepaliveOptionException) t).option()
                  == dev.keepalive.KeepaliveOption.TCP_USER_TIMEOUT),
          "the caller sees why: " + chain(e));
      assertTrue(log.matching(Level.WARNING, "").isEmpty(), messages(log.records()).toString());
    }
  }

  /**
   * A GET on NIO against a hello server, through a client whose channels {@code init} configures
   * with a policy NIO refuses: what the caller's {@code block()} throws.
   */
  private Throwable refusedGet(ChannelPipelineConfigurer init) {
    DisposableServer server = HttpServer.create()
        .host("127.0.0.1").port(0).runOn(loops, false)
        .handle((request, response) -> response.sendString(Mono.just("hello")))
        .bindNow(WAIT);
    ConnectionProvider pool = ConnectionProvider.create("keepalive-refused", 1);
    try {
      HttpClient client = HttpClient.create(pool).runOn(loops, false).doOnChannelInit(init);
      return assertThrows(RuntimeException.class,
          () -> client.get().uri("http://127.0.0.1:" + server.port() + "/")
              .responseContent().aggregate().asString().block(WAIT));
    } finally {
      pool.disposeLater().block(WAIT);
      server.disposeNow(WAIT);
    }
  }

  static List<Throwable> chain(Throwable e) {
    List<Throwable> out = new ArrayList<>();
    for (Throwable t = e; t != null && !out.contains(t); t = t.getCause()) {
      out.add(t);
    }
    return out;
  }

  static List<String> messages(List<LogRecord> records) {
    return records.stream().map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
        + (r.getThrown() != null ? " [" + r.getThrown() + "]" : "")).toList();
  }
}
