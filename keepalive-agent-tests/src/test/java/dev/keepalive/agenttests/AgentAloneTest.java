package dev.keepalive.agenttests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The agent adds no JVM warning of its own: an application of the JDK's own clients (HttpClient,
 * a ServerSocket server), started with nothing but {@code -javaagent} (none of the flags the
 * third-party clients need on JDK 25, such as {@code --sun-misc-unsafe-memory-access=allow} or
 * {@code --enable-native-access}), writes only the agent's INFO line on its standard error, on JDK
 * 17 and on JDK 25 (where a use of {@code sun.misc.Unsafe} or a restricted method would warn).
 */
@Timeout(120)
class AgentAloneTest {

  @ParameterizedTest
  @EnumSource(Jdk.class)
  void theAgentAloneWritesOnlyItsInfoLine(Jdk jdk) throws Exception {
    Optional<String> noJdk = jdk.unavailable();
    assumeTrue(noJdk.isEmpty(), noJdk::get);
    Optional<String> noReader = Readback.unavailable();
    assumeTrue(noReader.isEmpty(), noReader::get);
    HttpServer http = Servers.okServer();
    try (ClientApp app = new ClientApp(ChildJvm.on(jdk).withoutApplicationFlags()
        .agent(ClientsTestBase.POLICY.toString()).start())) {
      app.open("httpclient", http.getAddress().getPort()).serve("plain-server");
      assertEquals(ClientsTestBase.WITH_POLICY, app.connectionTo(http.getAddress().getPort()),
          app::diagnostics);
      assertEquals(ClientsTestBase.WITH_POLICY, app.acceptedBy("plain-server"), app::diagnostics);

      List<String> lines = app.child.stderrLines();
      assertEquals(1, lines.size(), app::diagnostics);
      assertTrue(lines.get(0).startsWith("keepalive-agent ")
          && lines.get(0).contains(" INFO: started in "), app::diagnostics);
    } finally {
      http.stop(0);
    }
  }
}
