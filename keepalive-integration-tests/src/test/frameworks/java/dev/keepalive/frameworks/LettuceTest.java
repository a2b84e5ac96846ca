package dev.keepalive.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.netty.NettyKeepalive;
import dev.keepalive.servers.RedisServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lettuce against a real redis-server (started here on a free 127.0.0.1 port, no persistence,
 * stopped at the end): the policy through {@code ClientResources.nettyCustomizer}, as
 * {@code NettyKeepalive.initializer} added first to each channel's pipeline, including the channel
 * Lettuce opens when it reconnects after {@code CLIENT KILL}. Lettuce runs on epoll when the native
 * jar is present (as here), on NIO otherwise ({@link LettuceNioTest}). Run on both Netty lines:
 * Lettuce 7.7 on Netty 4.2 here, 6.6 (Spring Boot 3.5's) on Netty 4.1 in keepalive-netty41-tests.
 */
class LettuceTest {

  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(31, 7, 4)
      .withUserTimeoutAtDetectionDeadline();
  /** redis.conf's tcp-keepalive for the server end; Redis sets interval idle/3 and 3 probes. */
  static final int REDIS_TCP_KEEPALIVE = 300;
  private static final Duration WAIT = Duration.ofSeconds(10);

  static RedisServer redis;
  static int port;
  /**
   * Why epoll or redis-server cannot run here, or null: each test is then a JUnit skip with it
   * ({@link #requireRedis}), counted, where an assumption in {@code @BeforeAll} is reported by
   * Surefire as "Tests run: 0".
   */
  private static String unavailable;

  @BeforeAll
  static void startRedis() throws Exception {
    unavailable = !Epoll.isAvailable() ? "epoll not available: " + Epoll.unavailabilityCause()
        : RedisServer.unavailable().orElse(null);
    if (unavailable != null) {
      return;
    }
    Seen.assertDefaultsDifferFrom(POLICY);
    redis = RedisServer.start(REDIS_TCP_KEEPALIVE);
    port = redis.port();
  }

  @BeforeEach
  void skipWithoutRedis() {
    requireRedis();
  }

  /** Skips the calling test, with the reason, when {@link #startRedis} could not start Redis. */
  static void requireRedis() {
    assumeTrue(unavailable == null, () -> unavailable);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
      redis = null;
    }
  }

  /**
   * The recipe: every channel Lettuce initializes, reconnects included, gets the policy from the
   * initializer, so a policy the transport refuses fails the caller's connect with the refusal
   * itself ({@link LettuceNioTest}).
   */
  static ClientResources resources(BlockingQueue<Channel> channels,
      KeepalivePolicy policy) {
    return ClientResources.builder()
        .nettyCustomizer(new NettyCustomizer() {
          @Override
          public void afterChannelInitialized(Channel channel) {
            if (policy != null) {
              channel.pipeline().addFirst(NettyKeepalive.initializer(policy));
            }
            channels.add(channel);
          }
        })
        .build();
  }

  @Test
  void everyChannelCarriesThePolicyAlsoAfterAReconnect() throws Exception {
    assumeTrue(Ss.available(), "ss (iproute2) is not installed: redis-server's own end of the"
        + " connection cannot be read");
    BlockingQueue<Channel> channels = new LinkedBlockingQueue<>();
    ClientResources resources = resources(channels, POLICY);
    RedisClient client = RedisClient.create(resources,
        RedisURI.builder().withHost("127.0.0.1").withPort(port).withTimeout(WAIT).build());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      assertEquals("PONG", connection.sync().ping());
      Channel first = channels.poll(10, TimeUnit.SECONDS);
      assertNotNull(first);
      Seen expected = Seen.expected("epoll", POLICY);
      assertEquals(expected, Seen.of(first), "client end");
      assertServerEndIsRedisOwn();

      assertEquals(1, redis("CLIENT KILL ID " + connection.sync().clientId()), "killed");
      Channel second = channels.poll(10, TimeUnit.SECONDS);
      assertNotNull(second, "Lettuce reconnected");
      assertEquals("PONG", connection.sync().ping());
      assertNotSame(first, second);
      assertFalse(first.isOpen(), "the killed channel is gone");
      assertEquals(expected, Seen.of(second), "the new channel carries the policy too");
      assertServerEndIsRedisOwn();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Measured, for the docs' comparison (the control): what Lettuce does alone
   * ({@link FrameworkLine#lettuceAlone()}); a {@code nettyCustomizer} policy replaces it, since it
   * runs after Netty has set the bootstrap's options.
   */
  @Test
  void lettuceAloneSetsItsOwnDefaults() throws Exception {
    Seen seen = connectOnce(ClientOptions.builder().build(), null);
    assertEquals(FrameworkLine.lettuceAlone(), seen, FrameworkLine.NAME);
  }

  /**
   * Lettuce's own options are handed to Netty's bootstrap unchecked: a 500 ms idle is truncated to
   * 0 s ({@code Duration.getSeconds}), and the kernel refuses that. On Netty 4.2.18 the connect
   * then fails with a bare "setsockopt() failed: Invalid argument" naming neither the option nor
   * the value; a {@code KeepalivePolicy} refuses the same idle before any socket exists, by name.
   */
  @Test
  void lettuceOwnSubSecondIdleIsTruncatedToZeroAndRefusedByTheKernelUnnamed() {
    ClientOptions options = ClientOptions.builder()
        .socketOptions(SocketOptions.builder()
            .keepAlive(SocketOptions.KeepAliveOptions.builder()
                .enable()
                .idle(Duration.ofMillis(500))
                .interval(Duration.ofSeconds(7))
                .count(4)
                .build())
            .build())
        .build();
    // Netty 4.1's bootstrap also logs the refused option at WARN before the connect fails.
    try (CapturedLog bootstrap = CapturedLog.of("io.netty.bootstrap")) {
      RedisConnectionException e = assertThrows(RedisConnectionException.class,
          () -> connectOnce(options, null));
      assertEquals("setsockopt() failed: Invalid argument", e.getCause().getMessage());
      for (java.util.logging.LogRecord r : bootstrap.matching(java.util.logging.Level.WARNING,
          "Failed to set channel option")) {
        assertTrue(r.getMessage().contains("TCP_KEEPIDLE"), r.getMessage());
      }
    }

    IllegalArgumentException ours = assertThrows(IllegalArgumentException.class,
        () -> KeepalivePolicy.of(Duration.ofMillis(500), Duration.ofSeconds(7), 4));
    assertTrue(ours.getMessage().contains("idle"), ours.getMessage());
    assertTrue(ours.getMessage().contains("PT0.5S"), ours.getMessage());
  }

  private static Seen connectOnce(ClientOptions options, KeepalivePolicy policy)
      throws Exception {
    BlockingQueue<Channel> channels = new LinkedBlockingQueue<>();
    ClientResources resources = resources(channels, policy);
    RedisClient client = RedisClient.create(resources,
        RedisURI.builder().withHost("127.0.0.1").withPort(port).withTimeout(WAIT).build());
    client.setOptions(options);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      assertEquals("PONG", connection.sync().ping());
      Channel channel = channels.poll(10, TimeUnit.SECONDS);
      assertNotNull(channel);
      return Seen.of(channel);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The far end belongs to redis-server: its {@code tcp-keepalive} (here 300 s), read through ss
   * since the test has no handle on Redis's socket.
   */
  private static void assertServerEndIsRedisOwn() throws Exception {
    List<Ss.Connection> ends = Ss.awaitKeepaliveTimers(port, 2, Duration.ofSeconds(5));
    Ss.Connection server = ends.stream().filter(c -> c.localPort() == port).findFirst()
        .orElseThrow(() -> new AssertionError("no server end: " + ends));
    Ss.Connection client = ends.stream().filter(c -> c.peerPort() == port).findFirst()
        .orElseThrow(() -> new AssertionError("no client end: " + ends));
    assertTrue(server.keepaliveSecondsLeft() > REDIS_TCP_KEEPALIVE - 10
        && server.keepaliveSecondsLeft() <= REDIS_TCP_KEEPALIVE, "server end " + server);
    assertTrue(client.keepaliveSecondsLeft() > POLICY.idleSeconds() - 10
        && client.keepaliveSecondsLeft() <= POLICY.idleSeconds(), "client end " + client);
  }

  /** One inline command on its own connection; returns the integer reply. */
  private static long redis(String command) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String reply = readLine(s.getInputStream());
      if (!reply.startsWith(":")) {
        throw new IOException(command + ": " + reply);
      }
      return Long.parseLong(reply.substring(1));
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed after " + line);
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
