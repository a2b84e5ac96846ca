package dev.keepalive.agenttests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The agent's rules on real clients, from a settings file ({@code -javaagent:…=file=PATH}) as a
 * deployment writes one: a per-port rule ({@code keepalive.policy.to.PORT}) on mssql-jdbc (pinned
 * against its own 30/1/9), {@code unchanged} on Kafka's AdminClient (which only switches
 * SO_KEEPALIVE on: a policy applied, pinned or not, would show in its idle, interval and count),
 * and the default policy on the JDK's HttpClient, all in one application. The control runs of the
 * same clients are {@link ClientsTestBase}'s.
 */
@Timeout(180)
class RulesTest {

  static final String RULE = "idle=71s,interval=13s,probes=5";

  @ParameterizedTest
  @EnumSource(Jdk.class)
  void aPortRuleOnMssqlAndUnchangedOnKafkaBesideTheDefaultOnHttpClient(Jdk jdk) throws Exception {
    Optional<String> noJdk = jdk.unavailable();
    assumeTrue(noJdk.isEmpty(), noJdk::get);
    Optional<String> noReader = Readback.unavailable();
    assumeTrue(noReader.isEmpty(), noReader::get);
    HttpServer http = Servers.okServer();
    SilentListener kafka = SilentListener.open("kafka");
    SilentListener mssql = SilentListener.open("mssql");
    Path settings = Files.createTempFile("keepalive-agent", ".properties");
    try {
      Files.write(settings, List.of(
          "keepalive.policy=" + ClientsTestBase.POLICY,
          "keepalive.policy.to." + mssql.port() + "=" + RULE,
          "keepalive.policy.to." + kafka.port() + "=unchanged"), StandardCharsets.UTF_8);
      try (ClientApp app = new ClientApp(ChildJvm.on(jdk).agent("file=" + settings).start())) {
        app.open("httpclient", http.getAddress().getPort())
            .openSilent("kafka", kafka)
            .openSilent("mssql", mssql);

        // The rule, pinned as the default is: mssql-jdbc's own 30/1/9 after connect is ignored.
        assertEquals("on 71/13/5 ut=0", app.silentPeer("mssql", true), app::diagnostics);
        // Exactly as Kafka makes it (its control run): SO_KEEPALIVE on, the kernel's 7200/75/9.
        assertEquals(ClientsTestBase.KERNEL_ON, app.silentPeer("kafka", true), app::diagnostics);
        assertEquals(ClientsTestBase.WITH_POLICY, app.connectionTo(http.getAddress().getPort()),
            app::diagnostics);
      }
    } finally {
      kafka.close();
      mssql.close();
      http.stop(0);
      Files.delete(settings);
    }
  }
}
