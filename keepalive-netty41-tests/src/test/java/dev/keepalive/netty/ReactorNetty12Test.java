package dev.keepalive.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import io.netty.channel.Channel;
import io.netty.incubator.channel.uring.IOUringSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * Reactor Netty 1.2 (Spring Boot 3's line, on Netty 4.1) with the policy applied in {@code
 * doOnChannelInit} on both ends, read back from the kernel on both ends, every field; and a policy
 * the transport refuses reaching the client's {@code block()} as the keepalive exception.
 */
class ReactorNetty12Test {

  private static final Duration TIMEOUT = Duration.ofSeconds(Peers.TIMEOUT_SECONDS);
  private static final KeepalivePolicy POLICY =
      KeepalivePolicy.ofSeconds(31, 7, 4).withUserTimeoutAtDetectionDeadline();

  private final LoopResources loops = LoopResources.create("keepalive-test", 1, 1, true);
  private DisposableServer server;
  private Connection client;
  /** Accepted connections: closed by the test, so the loops have nothing left when they stop. */
  private final List<Channel> accepted = new CopyOnWriteArrayList<>();

  @AfterEach
  void shutDown() {
    if (client != null) {
      client.disposeNow(TIMEOUT);
    }
    for (Channel c : accepted) {
      c.close().awaitUninterruptibly(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.disposeNow(TIMEOUT);
    }
    loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(TIMEOUT);
  }

  private DisposableServer bind(boolean preferNative, CompletableFuture<Channel> accepted) {
    return TcpServer.create().host("127.0.0.1").port(0).runOn(loops, preferNative)
        .doOnChannelInit((observer, channel, remote) ->
            channel.pipeline().addFirst(NettyKeepalive.initializer(POLICY)))
        .doOnConnection(connection -> {
          this.accepted.add(connection.channel());
          accepted.complete(connection.channel());
        })
        .handle((in, out) -> out.neverComplete())
        .bindNow(TIMEOUT);
  }

  private static TcpClient client(DisposableServer server, boolean preferNative,
      LoopResources loops) {
    return TcpClient.newConnection().host("127.0.0.1").port(server.port())
        .runOn(loops, preferNative)
        .doOnChannelInit((observer, channel, remote) ->
            channel.pipeline().addFirst(NettyKeepalive.initializer(POLICY)));
  }

  @Test
  void nativeServerAndClientCarryThePolicy() throws Exception {
    TestTransport.EPOLL.requireAvailable();
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    server = bind(true, accepted);
    client = client(server, true, loops).connectNow(TIMEOUT);
    Channel serverSide = accepted.get(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    // Reactor Netty 1.2 picks a native transport by itself: the 4.1 io_uring incubator when it is
    // on the class path and the kernel has io_uring, else epoll.
    TestTransport transport = client.channel() instanceof IOUringSocketChannel
        ? TestTransport.IO_URING : TestTransport.EPOLL;
    assertInstanceOf(transport.socketChannel, client.channel());
    assertInstanceOf(transport.socketChannel, serverSide);
    Observed expected = new Observed(true, 31, 7, 4, 59_000);
    assertNotEquals(expected, new Observed(true, 7200, 75, 9, 0), "the test can fail");
    assertEquals(expected, Observed.of(transport, client.channel()));
    assertEquals(expected, Observed.of(transport, serverSide));
  }

  @Test
  void aPolicyNioRefusesFailsTheClientsBlockWithTheKeepaliveException() {
    server = bind(true, new CompletableFuture<>());
    UnsupportedKeepaliveOptionException e = assertThrows(UnsupportedKeepaliveOptionException.class,
        () -> client = client(server, false, loops).connectNow(TIMEOUT));
    assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
    assertEquals("Netty NIO", e.platform());
  }

  @Test
  void nioClientWithoutAUserTimeoutCarriesThePolicy() throws Exception {
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    server = bind(true, accepted);
    KeepalivePolicy nio = POLICY.withoutUserTimeout();
    client = TcpClient.newConnection().host("127.0.0.1").port(server.port()).runOn(loops, false)
        .doOnChannelInit((observer, channel, remote) -> NettyKeepalive.apply(channel, nio))
        .connectNow(TIMEOUT);
    assertInstanceOf(NioSocketChannel.class, client.channel());
    assertEquals(new Observed(true, 31, 7, 4, -1), Observed.of(TestTransport.NIO,
        client.channel()));
    accepted.get(Peers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }
}
