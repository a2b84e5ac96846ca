package dev.keepalive.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keepalive.spring.boot.KeepaliveIntegration;
import dev.keepalive.spring.boot.KeepaliveWiring;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * What the client hooks do with each of Boot's HTTP clients and with Lettuce's resources, through
 * Boot's own auto-configurations; the real connections are read back in the application tests.
 */
class HttpClientsAndLettuceTest {

  @Test
  void restClientOnTheJdkHttpClientIsReportedNotWiredPointingAtTheAgent() {
    Contexts.starter().withConfiguration(Line.restClient())
        .withPropertyValues("keepalive.policy=" + Contexts.POLICY,
            Line.REST_CLIENT_FACTORY_PROPERTY + "=jdk")
        .run(c -> {
          c.getBean(RestClient.Builder.class).build();
          KeepaliveWiring wiring = c.getBean(KeepaliveWiring.class);
          assertThat(wiring.wiredTo(KeepaliveIntegration.REST_CLIENT)).isEmpty();
          assertThat(wiring.notWiredTo(KeepaliveIntegration.REST_CLIENT)).singleElement()
              .asString().contains("JdkClientHttpRequestFactoryBuilder")
              .endsWith("or keepalive-agent");
        });
  }

  @Test
  void restClientOnHttpClient5IsWired() {
    Contexts.starter().withConfiguration(Line.restClient())
        .withPropertyValues("keepalive.policy=" + Contexts.POLICY)
        .run(c -> {
          c.getBean(RestClient.Builder.class).build();
          assertThat(c.getBean(KeepaliveWiring.class).wiredTo(KeepaliveIntegration.REST_CLIENT))
              .singleElement().asString().startsWith("Apache HttpClient 5");
        });
  }

  @Test
  void aUserTimeoutForRestClientOnHttpClient5FailsAtStartUp() {
    Contexts.starter().withConfiguration(Line.restClient())
        .withPropertyValues("keepalive.policy=" + Contexts.POLICY,
            "keepalive.rest-client.policy=" + Contexts.POLICY + ",user-timeout=9s")
        .run(c -> {
          assertThat(c).hasFailed();
          assertThat(AutoConfigurationTest.analyze(c.getStartupFailure()).getAction())
              .startsWith("Set keepalive.rest-client.policy=" + Contexts.POLICY + " ");
        });
  }

  @Test
  void webClientOnTheJdkHttpClientIsReportedNotWired() {
    Contexts.starter().withConfiguration(Line.webClient())
        .withPropertyValues("keepalive.policy=" + Contexts.POLICY,
            Line.WEB_CLIENT_CONNECTOR_PROPERTY + "=jdk")
        .run(c -> {
          c.getBean(WebClient.Builder.class).build();
          assertThat(c.getBean(KeepaliveWiring.class).notWiredTo(KeepaliveIntegration.WEBCLIENT))
              .singleElement().asString().contains("JdkClientHttpConnectorBuilder");
        });
  }

  @Test
  void lettucesResourcesCarryTheStartersCustomizer() {
    Contexts.starter().withConfiguration(Line.redis())
        .withPropertyValues("keepalive.policy=" + Contexts.POLICY).run(c -> {
          ClientResources resources = c.getBean(ClientResources.class);
          assertThat(resources.nettyCustomizer().getClass().getName())
              .isEqualTo("dev.keepalive.spring.boot.internal.LettuceHooks$Customizer");
          assertThat(c.getBean(KeepaliveWiring.class).wiredTo(KeepaliveIntegration.REDIS))
              .singleElement().asString().startsWith("Lettuce ClientResources");
        });
  }

  @Test
  void anApplicationsOwnNettyCustomizerWinsAndIsReported() {
    Contexts.starter().withConfiguration(Line.redis())
        .withPropertyValues("keepalive.policy=" + Contexts.POLICY)
        .withUserConfiguration(Line.OwnNettyCustomizer.class)
        .run(c -> {
          assertThat(c.getBean(ClientResources.class).nettyCustomizer())
              .isInstanceOf(NettyCustomizer.class);
          assertThat(c.getBean(KeepaliveWiring.class).notWiredTo(KeepaliveIntegration.REDIS))
              .singleElement().asString().contains("replaced keepalive's");
        });
  }
}
