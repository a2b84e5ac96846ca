package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.Keepalive;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.io.HttpClientConnectionOperator;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Apache HttpClient 5.6 with its default {@code SocketConfig} (SO_KEEPALIVE on, idle 5 s, interval
 * 5 s, 3 probes, applied to every socket after it is created) against the JDK's HTTP server: the
 * pooled connection keeps the factory's policy. HttpClient takes no {@code SocketFactory}; the
 * shortest wiring is {@code factory::createSocket} as the connection operator's
 * {@code DetachedSocketFactory}.
 */
@org.junit.jupiter.api.Timeout(60)
class HttpClient5SocketFactoryTest {

  private HttpServer server;
  private LogCapture log;

  @BeforeEach
  void startServer() throws IOException {
    RecordingSocketFactory.clear();
    log = new LogCapture();
    server = okServer();
  }

  /** The JDK's HTTP server on 127.0.0.1, a free port, answering "ok" to every request; started. */
  static HttpServer okServer() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return server;
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    log.close();
  }

  /** The wiring docs/socket-factory.md shows, with a connection config for bounded waits. */
  static CloseableHttpClient client(KeepaliveSocketFactory factory, SocketConfig socketConfig) {
    return client(factory, socketConfig, HttpClients.custom());
  }

  static CloseableHttpClient client(KeepaliveSocketFactory factory, SocketConfig socketConfig,
      HttpClientBuilder builder) {
    HttpClientConnectionOperator operator = new DefaultHttpClientConnectionOperator(
        factory::createSocket, null, null,
        RegistryBuilder.<TlsSocketStrategy>create()
            .register(URIScheme.HTTPS.id, DefaultClientTlsStrategy.createDefault())
            .build());
    PoolingHttpClientConnectionManager connections =
        new PoolingHttpClientConnectionManager(operator, null, null, null, null);
    connections.setDefaultSocketConfig(socketConfig);
    connections.setDefaultConnectionConfig(ConnectionConfig.custom()
        .setConnectTimeout(Timeout.ofSeconds(5)).setSocketTimeout(Timeout.ofSeconds(5)).build());
    return builder.setConnectionManager(connections).build();
  }

  private String get(CloseableHttpClient client) throws IOException {
    return client.execute(new HttpGet("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
        response -> EntityUtils.toString(response.getEntity()));
  }

  private static Socket onlySocket() {
    List<Socket> sockets = RecordingSocketFactory.created();
    assertEquals(1, sockets.size(), sockets.toString());
    return sockets.get(0);
  }

  @Test
  void withoutThePinTheDefaultSocketConfigRetunesKeepalive() throws Exception {
    // The control: HttpClient's 5/5/3 default replaces what the factory applied.
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(71, 11, 4);
    try (CloseableHttpClient client = client(RecordingSocketFactory.recordingOverridable(policy),
        SocketConfig.DEFAULT)) {
      assertEquals("ok", get(client));
      assertEquals(KeepalivePolicy.ofSeconds(5, 5, 3), Keepalive.inspect(onlySocket()));
    }
  }

  @Test
  void pooledConnectionKeepsThePolicyDespiteTheDefaultSocketConfig() throws Exception {
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(72, 12, 4);
    try (CloseableHttpClient client = client(RecordingSocketFactory.recording(policy),
        SocketConfig.DEFAULT)) {
      assertEquals("ok", get(client));
      assertEquals("ok", get(client));
      Socket socket = onlySocket();
      assertTrue(socket.isConnected() && !socket.isClosed(), "the pooled connection, reused");
      assertEquals(policy, Keepalive.inspect(socket));
    }
    List<String> warnings = log.warnings();
    assertEquals(3, warnings.size(), "idle, interval, probes; SO_KEEPALIVE=true agrees: " + warnings);
    String caller = "set by org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator";
    assertTrue(warnings.get(0).startsWith("Ignored TCP_KEEPIDLE=5 " + caller), warnings.get(0));
    assertTrue(warnings.get(1).startsWith("Ignored TCP_KEEPINTERVAL=5 " + caller));
    assertTrue(warnings.get(2).startsWith("Ignored TCP_KEEPCOUNT=3 " + caller));
  }

  @Test
  void zeroKeepaliveValuesInSocketConfigLeaveThePolicyAndLogNothing() throws Exception {
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(73, 13, 4);
    SocketConfig leaveKeepaliveAlone = SocketConfig.custom()
        .setTcpKeepIdle(0).setTcpKeepInterval(0).setTcpKeepCount(0).build();
    try (CloseableHttpClient client = client(RecordingSocketFactory.recording(policy),
        leaveKeepaliveAlone)) {
      assertEquals("ok", get(client));
      assertEquals(policy, Keepalive.inspect(onlySocket()));
    }
    assertEquals(List.of(), log.warnings());
  }

  @Test
  void aSocksProxyInTheSocketConfigReachesTheFactoryAndKeepaliveRunsToTheProxy()
      throws Exception {
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(74, 14, 4);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (ServerSocket proxy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        CloseableHttpClient client = client(RecordingSocketFactory.recording(policy),
            SocketConfig.custom().setSocksProxyAddress(proxy.getLocalSocketAddress()).build(),
            // One attempt: a retry would connect to the silent proxy again and wait it out.
            HttpClients.custom().disableAutomaticRetries())) {
      proxy.setSoTimeout(5000);
      Future<String> request = executor.submit(() -> get(client));
      try (Socket accepted = proxy.accept()) {
        // The client connected to the proxy, not to the server: the proxy reached the socket.
        Socket socket = onlySocket();
        assertEquals(proxy.getLocalPort(), accepted.getLocalPort());
        assertEquals(policy, Keepalive.inspect(socket));
      }
      // No SOCKS reply: the request fails, within its bounds.
      ExecutionException failed = assertThrows(ExecutionException.class,
          () -> request.get(30, TimeUnit.SECONDS));
      assertTrue(failed.getCause() instanceof IOException, failed.getCause().toString());
    } finally {
      executor.shutdownNow();
    }
  }
}
