package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.ConnectionFactory;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RabbitMQ's amqp-client 5 with {@code ConnectionFactory.setSocketFactory(KeepaliveSocketFactory)}
 * (its default blocking I/O; {@code useNio()} takes no socket factory). No broker in Debian's test
 * budget: the broker is a {@link SilentListener}, and the connection is read from the kernel once
 * the client sent its protocol header. The control: the client alone leaves keepalive off.
 */
@Timeout(120)
class RabbitMqTest {

  private SilentListener broker;

  @BeforeEach
  void listen() throws Exception {
    Kernel.assumeReadable();
    broker = new SilentListener();
  }

  @AfterEach
  void close() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  private String keepaliveOfAConnection(ConnectionFactory factory) throws Exception {
    factory.setHost("127.0.0.1");
    factory.setPort(broker.port());
    factory.setConnectionTimeout(10_000);
    factory.setHandshakeTimeout(60_000);
    CompletableFuture<Throwable> connecting = CompletableFuture.supplyAsync(() -> {
      try {
        factory.newConnection().close();
        return null;
      } catch (Exception e) {
        return e;
      }
    });
    try {
      assertTrue(broker.awaitRequest(), "the client sent its AMQP protocol header");
      return Kernel.onlyConnectionTo(broker.port());
    } finally {
      broker.close();
      assertNotNull(connecting.get(60, TimeUnit.SECONDS),
          "the connection fails once the silent broker hangs up");
    }
  }

  @Test
  void controlTheClientAloneLeavesKeepaliveOff() throws Exception {
    assertEquals("off", keepaliveOfAConnection(new ConnectionFactory()));
  }

  @Test
  void theSocketFactoryGivesThePolicy() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setSocketFactory(KeepaliveSocketFactory.of(KeepalivePolicy.ofSeconds(71, 21, 4)));
    assertEquals("71/21/4", keepaliveOfAConnection(factory));
  }
}
