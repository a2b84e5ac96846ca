package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.Keepalive;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OkHttp 5 ({@code okhttp-jvm}) through {@code OkHttpClient.Builder.socketFactory}: it calls
 * {@code createSocket()} and connects; the pooled connection carries the policy.
 */
@Timeout(60)
class OkHttpSocketFactoryTest {

  @Test
  void pooledConnectionCarriesThePolicy() throws Exception {
    RecordingSocketFactory.clear();
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(81, 11, 4);
    OkHttpClient client = new OkHttpClient.Builder()
        .socketFactory(RecordingSocketFactory.recording(policy))
        .connectTimeout(5, TimeUnit.SECONDS)
        .readTimeout(5, TimeUnit.SECONDS)
        .build();
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().body("ok").build());
      server.enqueue(new MockResponse.Builder().body("ok").build());
      server.start(InetAddress.getByName("127.0.0.1"), 0);
      for (int i = 0; i < 2; i++) {
        try (Response response = client.newCall(new Request.Builder().url(server.url("/")).build())
            .execute()) {
          assertEquals("ok", response.body().string());
        }
      }
      List<Socket> sockets = RecordingSocketFactory.created();
      assertEquals(1, sockets.size(), "one pooled connection for both calls: " + sockets);
      assertEquals(policy, Keepalive.inspect(sockets.get(0)));
    } finally {
      client.connectionPool().evictAll();
      client.dispatcher().executorService().shutdown();
    }
  }
}
