package dev.keepalive.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.netty.NettyKeepalive;
import dev.keepalive.servers.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lettuce on NIO ({@code -Dio.lettuce.core.epoll=false -Dio.lettuce.core.iouring=false}, the
 * surefire execution {@code lettuce-nio}), where a user timeout is refused: with the recipe's
 * {@code NettyKeepalive.initializer} the refusal reaches the caller's {@code connect()}; with
 * {@code NettyKeepalive.apply} called in the same hook (the recipe before), Netty's channel
 * initializer swallows it, closes the channel and the caller sees no trace of it.
 */
class LettuceNioTest {

  private static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(31, 7, 4);
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() throws Exception {
    assumeTrue("false".equals(System.getProperty("io.lettuce.core.epoll"))
        && "false".equals(System.getProperty("io.lettuce.core.iouring")),
        "runs in the lettuce-nio surefire execution, with Lettuce's native transports off");
    assumeTrue(RedisServer.unavailable().isEmpty(), () -> RedisServer.unavailable().get());
    Seen.assertDefaultsDifferFrom(POLICY);
    redis = RedisServer.start(LettuceTest.REDIS_TCP_KEEPALIVE);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
      redis = null;
    }
  }

  /** Connects once with {@code hook} as the customizer; returns the channel or the failure. */
  private static Object connect(Consumer<Channel> hook) throws Exception {
    BlockingQueue<Channel> channels = new LinkedBlockingQueue<>();
    ClientResources resources = ClientResources.builder()
        .nettyCustomizer(new NettyCustomizer() {
          @Override
          public void afterChannelInitialized(Channel channel) {
            channels.add(channel);
            hook.accept(channel);
          }
        })
        .build();
    RedisClient client = RedisClient.create(resources, RedisURI.builder().withHost("127.0.0.1")
        .withPort(redis.port()).withTimeout(Duration.ofSeconds(10)).build());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      assertEquals("PONG", connection.sync().ping());
      Channel channel = channels.poll(10, TimeUnit.SECONDS);
      assertNotNull(channel);
      return Seen.of(channel);
    } catch (RedisConnectionException e) {
      return e;
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }
  }

  private static Stream<Throwable> causes(Throwable t) {
    return Stream.iterate(t, c -> c != null, Throwable::getCause);
  }

  @Test
  void theRecipeGivesNioChannelsThePolicy() throws Exception {
    assertEquals(Seen.expected("nio", POLICY),
        connect(c -> c.pipeline().addFirst(NettyKeepalive.initializer(POLICY))));
  }

  @Test
  void aRefusedPolicyReachesTheCallersConnectThroughTheInitializer() throws Exception {
    KeepalivePolicy refused = POLICY.withUserTimeoutAtDetectionDeadline();
    Object result;
    try (CapturedLog netty = CapturedLog.of("io.netty.channel.ChannelInitializer")) {
      result = connect(c -> c.pipeline().addFirst(NettyKeepalive.initializer(refused)));
      assertEquals(List.of(), netty.records(), "nothing logged: the caller has the refusal");
    }
    RedisConnectionException e = assertThrows(RedisConnectionException.class, () -> {
      throw (Throwable) result;
    });
    UnsupportedKeepaliveOptionException refusal = causes(e)
        .filter(UnsupportedKeepaliveOptionException.class::isInstance)
        .map(UnsupportedKeepaliveOptionException.class::cast).findFirst()
        .orElseThrow(() -> new AssertionError("the refusal is not in the caller's exception", e));
    assertTrue(refusal.getMessage().startsWith("TCP_USER_TIMEOUT"), refusal.getMessage());
  }

  /**
   * Measured, for the docs: unlike Reactor Netty (where an exception from {@code doOnChannelInit}
   * leaves the caller a bare {@code ClosedChannelException}), Lettuce's own channel initializer
   * catches what its customizer throws and fails the connection with it, so {@code apply} in the
   * hook surfaces the refusal too, after Netty logged it at WARN with its stack trace. The recipe
   * uses the initializer all the same: nothing logged, and no reliance on Lettuce's catch.
   */
  @Test
  void applyInTheHookAlsoReachesTheCallerBecauseLettucesInitializerCatchesIt() throws Exception {
    KeepalivePolicy refused = POLICY.withUserTimeoutAtDetectionDeadline();
    Object result;
    try (CapturedLog netty = CapturedLog.of("io.netty.channel.ChannelInitializer")) {
      result = connect(c -> NettyKeepalive.apply(c, refused));
      // Netty's ChannelInitializer logs the exception thrown from initChannel, stack trace and all.
      assertEquals(1, netty.matching(Level.WARNING, "Failed to initialize a channel").size(),
          () -> String.valueOf(netty.records()));
    }
    assertTrue(result instanceof RedisConnectionException, String.valueOf(result));
    assertTrue(causes((Throwable) result)
        .anyMatch(UnsupportedKeepaliveOptionException.class::isInstance), String.valueOf(result));
  }
}
