package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import dev.keepalive.servers.RedisServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.providers.PooledConnectionProvider;

/**
 * Jedis 8 against a real redis-server, through a {@link JedisSocketFactory} whose sockets come from
 * {@link KeepaliveSocketFactory} (docs/clients.md's recipe, {@link Recipe} below): a single
 * {@code Jedis} and a pool's connections carry the policy, read back from the kernel. The control:
 * Jedis alone switches SO_KEEPALIVE on and leaves the namespace's defaults.
 */
@Timeout(120)
class JedisTest {

  private static RedisServer server;

  @BeforeAll
  static void startServer() throws Exception {
    Optional<String> why = RedisServer.unavailable();
    Assumptions.assumeTrue(why.isEmpty(), () -> why.get());
    Kernel.assumeReadable();
    // The server's own end gets 300 s: a value no client end here has.
    server = RedisServer.start(300);
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** docs/clients.md's Jedis recipe, as written there. */
  static final class Recipe implements JedisSocketFactory {
    private final KeepaliveSocketFactory sockets;
    private final HostAndPort address;
    private final JedisClientConfig config;

    Recipe(KeepalivePolicy policy, HostAndPort address, JedisClientConfig config) {
      this.sockets = KeepaliveSocketFactory.of(policy);
      this.address = address;
      this.config = config;
    }

    @Override
    public Socket createSocket() {
      Socket socket = null;
      try {
        socket = sockets.createSocket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(address.getHost(), address.getPort()),
            config.getConnectionTimeoutMillis());
        socket.setSoTimeout(config.getSocketTimeoutMillis());
        return socket;
      } catch (IOException e) {
        if (socket != null) {
          try {
            socket.close();
          } catch (IOException c) {
            e.addSuppressed(c);
          }
        }
        throw new JedisConnectionException("Failed to connect to " + address, e);
      }
    }
  }

  private static HostAndPort address() {
    return new HostAndPort("127.0.0.1", server.port());
  }

  @Test
  void controlJedisAloneLeavesTheNamespaceDefaults() throws Exception {
    try (Jedis jedis = new Jedis(address())) {
      assertEquals("PONG", jedis.ping());
      assertEquals(Kernel.namespaceDefaults(), Kernel.onlyConnectionTo(server.port()));
    }
  }

  @Test
  void aJedisFromTheRecipeCarriesThePolicy() throws Exception {
    JedisClientConfig config = DefaultJedisClientConfig.builder().build();
    Recipe sockets = new Recipe(KeepalivePolicy.ofSeconds(69, 19, 4), address(), config);
    try (Jedis jedis = new Jedis(sockets, config)) {
      assertEquals("PONG", jedis.ping());
      assertEquals("69/19/4", Kernel.onlyConnectionTo(server.port()));
    }
  }

  @Test
  void everyPooledConnectionCarriesThePolicy() throws Exception {
    JedisClientConfig config = DefaultJedisClientConfig.builder().build();
    Recipe sockets = new Recipe(KeepalivePolicy.ofSeconds(70, 20, 4), address(), config);
    try (PooledConnectionProvider pool = new PooledConnectionProvider(
        new ConnectionFactory(sockets, config));
        Connection first = pool.getConnection();
        Connection second = pool.getConnection()) {
      assertEquals(true, first.ping());
      assertEquals(true, second.ping());
      assertEquals(List.of("70/20/4", "70/20/4"), Kernel.connectionsTo(server.port(), 2));
    }
  }
}
