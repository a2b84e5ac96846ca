package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.connection.TransportSettings;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.netty.NettyKeepalive;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The MongoDB Java driver (sync 5.x). Its default transport hard-codes 120 s idle, 10 s interval, 9
 * probes (SocketStreamHelper) on sockets it makes itself: no factory reaches them (keepalive-agent
 * does). Only its Netty transport takes something of ours, the channel class
 * ({@code TransportSettings.nettyBuilder().socketChannelClass}): a {@code NioSocketChannel} whose
 * constructor applies the policy ({@link KeepaliveNioSocketChannel}, docs/clients.md's recipe). No
 * mongod in Debian: the server is a {@link SilentListener}; the driver's monitor connects and sends
 * its hello, and its connections are read from the kernel.
 */
@Timeout(120)
class MongoDbTest {

  private SilentListener server;
  private EventLoopGroup group;

  @BeforeEach
  void listen() throws Exception {
    Kernel.assumeReadable();
    server = new SilentListener();
  }

  @AfterEach
  void close() throws Exception {
    if (server != null) {
      server.close();
    }
    if (group != null) {
      group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  /** docs/clients.md's MongoDB recipe: the policy from the channel class's constructor. */
  public static final class KeepaliveNioSocketChannel extends NioSocketChannel {
    static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(72, 22, 4);

    public KeepaliveNioSocketChannel() {
      NettyKeepalive.apply(this, POLICY);
    }
  }

  private List<String> keepaliveOfTheMonitor(UnaryOperator<MongoClientSettings.Builder> transport)
      throws Exception {
    MongoClientSettings settings = transport.apply(MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString("mongodb://127.0.0.1:" + server.port()
            + "/?serverSelectionTimeoutMS=1000&connectTimeoutMS=10000"))).build();
    MongoClient client = MongoClients.create(settings);
    try {
      assertTrue(server.awaitRequest(), "the driver's monitor sent its hello");
      List<String> connections = Kernel.connectionsTo(server.port(), 1);
      assertFalse(connections.isEmpty());
      return connections;
    } finally {
      client.close();
    }
  }

  @Test
  void controlTheDefaultTransportHardCodes120Seconds() throws Exception {
    for (String fields : keepaliveOfTheMonitor(b -> b)) {
      assertEquals("120/10/9", fields);
    }
  }

  @Test
  void controlTheNettyTransportAloneLeavesTheNamespaceDefaults() throws Exception {
    String defaults = Kernel.namespaceDefaults();
    for (String fields : keepaliveOfTheMonitor(b -> b.transportSettings(
        TransportSettings.nettyBuilder().build()))) {
      assertEquals(defaults, fields, "the transport's SO_KEEPALIVE option alone");
    }
  }

  @Test
  void theNettyTransportWithTheChannelClassCarriesThePolicy() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    for (String fields : keepaliveOfTheMonitor(b -> b.transportSettings(
        TransportSettings.nettyBuilder().socketChannelClass(KeepaliveNioSocketChannel.class)
            .eventLoopGroup(group).build()))) {
      assertEquals("72/22/4", fields);
    }
  }
}
