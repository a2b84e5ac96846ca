package dev.keepalive.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.netty.NettyKeepalive;
import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Vert.x 5.0.7 NetServer and NetClient. Its own options stop at SO_KEEPALIVE (idle, interval and
 * probes arrived in 5.1, vert.x#6089) plus a client-only TCP_USER_TIMEOUT on epoll, so the policy
 * is applied to the socket's Netty channel, reached through {@code NetSocketInternal}.
 */
class VertxTest {

  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(31, 7, 4);
  static final KeepalivePolicy WITH_USER_TIMEOUT = POLICY.withUserTimeoutAtDetectionDeadline();

  @BeforeAll
  static void defaultsDiffer() {
    Seen.assertDefaultsDifferFrom(POLICY);
  }

  /** The Netty channel under a Vert.x socket. */
  static Channel channel(NetSocket socket) {
    return ((NetSocketInternal) socket).channelHandlerContext().channel();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Vertx vertx(boolean nativeTransport) {
    if (nativeTransport) {
      assumeTrue(Epoll.isAvailable(), () -> "epoll not available: " + Epoll.unavailabilityCause());
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(nativeTransport)
        .setEventLoopPoolSize(2).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
    assertEquals(nativeTransport, vertx.isNativeTransportEnabled(), "transport");
    return vertx;
  }

  @ParameterizedTest(name = "native={0}")
  @ValueSource(booleans = {false, true})
  void netServerAndNetClientCarryThePolicy(boolean nativeTransport) throws Exception {
    KeepalivePolicy policy = nativeTransport ? WITH_USER_TIMEOUT : POLICY;
    Vertx vertx = vertx(nativeTransport);
    BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    try {
      NetServer server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1"))
          .connectHandler(socket -> {
            NettyKeepalive.apply(channel(socket), policy);
            accepted.add(channel(socket));
            socket.handler(socket::write);
          });
      await(server.listen(0));
      NetClient client = vertx.createNetClient();
      NetSocket socket = await(client.connect(server.actualPort(), "127.0.0.1"));
      NettyKeepalive.apply(channel(socket), policy);

      Seen expected = Seen.expected(nativeTransport ? "epoll" : "nio", policy);
      Channel serverEnd = accepted.poll(10, TimeUnit.SECONDS);
      assertNotNull(serverEnd, "accepted");
      assertEquals(expected, Seen.of(serverEnd), "server end");
      assertEquals(expected, Seen.of(channel(socket)), "client end");
    } finally {
      await(vertx.close());
    }
  }

  /**
   * What Vert.x 5.0.7's own options do, measured on epoll: {@code setTcpKeepAlive(true)} leaves the
   * kernel's 7200/75/9 on both ends, and {@code setTcpUserTimeout} reaches the client's connection
   * only (its server bootstrap never sets it on accepted channels).
   */
  @Test
  void ownOptionsStopAtSoKeepaliveAndAClientOnlyUserTimeout() throws Exception {
    Vertx vertx = vertx(true);
    BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    try {
      NetServerOptions serverOptions = new NetServerOptions().setHost("127.0.0.1")
          .setTcpKeepAlive(true);
      serverOptions.setTcpUserTimeout(59_000); // returns the TCPSSLOptions supertype in 5.0
      NetServer server = vertx.createNetServer(serverOptions)
          .connectHandler(socket -> {
            accepted.add(channel(socket));
            socket.handler(socket::write);
          });
      await(server.listen(0));
      NetClientOptions clientOptions = new NetClientOptions().setTcpKeepAlive(true);
      clientOptions.setTcpUserTimeout(59_000);
      NetClient client = vertx.createNetClient(clientOptions);
      NetSocket socket = await(client.connect(server.actualPort(), "127.0.0.1"));

      Seen defaults = Seen.kernelDefaults("epoll", true);
      Channel serverEnd = accepted.poll(10, TimeUnit.SECONDS);
      assertNotNull(serverEnd, "accepted");
      assertEquals(defaults, Seen.of(serverEnd), "server end: no user timeout");
      assertEquals(new Seen("epoll", true, defaults.idle(), defaults.interval(), defaults.probes(),
          59_000), Seen.of(channel(socket)), "client end");
    } finally {
      await(vertx.close());
    }
  }

  /** Applied by the caller after connect, a refusal reaches the caller itself, by name. */
  @Test
  void refusedPolicyThrowsToTheCaller() throws Exception {
    Vertx vertx = vertx(false);
    try {
      NetServer server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1"))
          .connectHandler(socket -> socket.handler(socket::write));
      await(server.listen(0));
      NetSocket socket = await(vertx.createNetClient().connect(server.actualPort(), "127.0.0.1"));
      UnsupportedKeepaliveOptionException e = assertThrows(
          UnsupportedKeepaliveOptionException.class,
          () -> NettyKeepalive.apply(channel(socket), WITH_USER_TIMEOUT));
      assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
      assertEquals(Seen.kernelDefaults("nio", false), Seen.of(channel(socket)),
          "the channel is unchanged");
      await(socket.close());
    } finally {
      await(vertx.close());
    }
  }
}
