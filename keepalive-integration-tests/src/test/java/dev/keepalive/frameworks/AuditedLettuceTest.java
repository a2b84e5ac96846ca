package dev.keepalive.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.audit.KeepaliveAudit;
import dev.keepalive.audit.SocketKeepalive;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Both ends of a Lettuce connection read from the kernel by keepalive-audit (Java 22+; compiled
 * only in that build): the client's, in this JVM, is the policy the {@code nettyCustomizer} applied;
 * redis-server's, in another process the test has no handle on, is Redis's own {@code
 * tcp-keepalive} (idle 300 s, interval idle / 3, 3 probes), every field, where {@code ss} shows
 * only the timer.
 */
@Timeout(60)
class AuditedLettuceTest {

  @BeforeAll
  static void startRedis() throws Exception {
    LettuceTest.startRedis();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    LettuceTest.stopRedis();
  }

  @BeforeEach
  void skipWithoutRedis() {
    LettuceTest.requireRedis();
  }

  @Test
  void bothEndsOfTheConnectionAsTheKernelHasThem() throws Exception {
    BlockingQueue<Channel> channels = new LinkedBlockingQueue<>();
    ClientResources resources = LettuceTest.resources(channels, LettuceTest.POLICY);
    RedisClient client = RedisClient.create(resources, RedisURI.builder().withHost("127.0.0.1")
        .withPort(LettuceTest.port).withTimeout(Duration.ofSeconds(10)).build());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      assertEquals("PONG", connection.sync().ping());

      List<SocketKeepalive> clientEnd = KeepaliveAudit.thisProcess().stream()
          .filter(s -> s.isConnectionTo(LettuceTest.port)).collect(Collectors.toList());
      assertEquals(1, clientEnd.size(), clientEnd.toString());
      assertEquals(LettuceTest.POLICY, clientEnd.get(0).policy(), clientEnd.get(0)::toString);
      assertEquals(LettuceTest.POLICY.userTimeout().orElseThrow(), clientEnd.get(0).userTimeout());

      int clientPort = clientEnd.get(0).local().getPort();
      List<SocketKeepalive> serverEnd = KeepaliveAudit.process(LettuceTest.redis.pid()).stream()
          .filter(s -> s.isConnectionTo(clientPort)).collect(Collectors.toList());
      assertEquals(1, serverEnd.size(), serverEnd.toString());
      int idle = LettuceTest.REDIS_TCP_KEEPALIVE;
      assertEquals(KeepalivePolicy.ofSeconds(idle, idle / 3, 3), serverEnd.get(0).policy(),
          serverEnd.get(0)::toString);
      assertEquals(Duration.ZERO, serverEnd.get(0).userTimeout());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }
  }
}
