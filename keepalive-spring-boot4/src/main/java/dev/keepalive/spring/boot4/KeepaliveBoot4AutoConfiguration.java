package dev.keepalive.spring.boot4;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.spring.boot.KeepaliveAutoConfiguration;
import dev.keepalive.spring.boot.KeepaliveIntegration;
import dev.keepalive.spring.boot.KeepaliveSettings;
import dev.keepalive.spring.boot.KeepaliveWiring;
import dev.keepalive.spring.boot.internal.EagerHook;
import dev.keepalive.spring.boot.internal.HttpClientHooks;
import dev.keepalive.spring.boot.internal.JettyHooks;
import dev.keepalive.spring.boot.internal.LettuceKeepalive;
import dev.keepalive.spring.boot.internal.ReactorNettyHooks;
import dev.keepalive.spring.boot.internal.TomcatHooks;
import io.lettuce.core.resource.ClientResources;
import org.eclipse.jetty.server.Server;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.jetty.JettyServerCustomizer;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import reactor.netty.http.server.HttpServer;

/**
 * The hooks of the Spring Boot 4.0 line. Each is guarded by its customizer interface where Boot 4.0
 * keeps it (in the module of its technology: spring-boot-reactor-netty, spring-boot-tomcat,
 * spring-boot-http-client, spring-boot-data-redis …) AND by the technology itself; on 3.5 these
 * interfaces do not exist (keepalive-spring-boot3 has 3.5's).
 */
@AutoConfiguration(after = KeepaliveAutoConfiguration.class)
// Spring Boot 4.x only: a class of its core jar that the other line does not have.
@ConditionalOnClass(name = "org.springframework.boot.bootstrap.BootstrapRegistry")
@ConditionalOnBean(KeepaliveSettings.class)
public class KeepaliveBoot4AutoConfiguration {

  /** The auto-configuration Spring Boot instantiates. */
  public KeepaliveBoot4AutoConfiguration() {}

  /** WebFlux on Reactor Netty: every accepted connection. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.boot.reactor.netty.NettyServerCustomizer",
      "reactor.netty.http.server.HttpServer"})
  static class ReactorNettyServer {
    @Bean
    NettyServer keepaliveNettyServerCustomizer(KeepaliveSettings settings,
        KeepaliveWiring wiring) {
      return new NettyServer(settings, wiring);
    }
  }

  /** Embedded Tomcat: its NIO connector's accepted connections. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {
      "org.springframework.boot.tomcat.TomcatConnectorCustomizer",
      "org.springframework.boot.tomcat.TomcatWebServerFactory", "org.apache.catalina.startup.Tomcat",
      "org.apache.coyote.http11.Http11NioProtocol"})
  static class Tomcat {
    @Bean
    TomcatFactory keepaliveTomcatCustomizer(KeepaliveSettings settings, KeepaliveWiring wiring) {
      return new TomcatFactory(settings, wiring);
    }
  }

  /** Embedded Jetty 12: its ServerConnectors' accepted connections. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.boot.jetty.JettyServerCustomizer",
      "org.eclipse.jetty.server.ServerConnector", "org.eclipse.jetty.io.SelectorManager"})
  static class Jetty {
    @Bean
    JettyServer keepaliveJettyServerCustomizer(KeepaliveSettings settings,
        KeepaliveWiring wiring) {
      return new JettyServer(settings, wiring);
    }
  }

  /** WebClient from Boot's WebClient.Builder. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {
      "org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer",
      "org.springframework.web.reactive.function.client.WebClient"})
  static class WebClient {
    @Bean
    WebClientConnector keepaliveWebClientCustomizer(KeepaliveSettings settings,
        KeepaliveWiring wiring) {
      return new WebClientConnector(settings, wiring);
    }
  }

  /** RestClient and RestTemplate from Boot's builders. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {
      "org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer",
      "org.springframework.http.client.ClientHttpRequestFactory"})
  static class RestClient {
    @Bean
    RestClientRequestFactory keepaliveRestClientCustomizer(KeepaliveSettings settings,
        KeepaliveWiring wiring) {
      return new RestClientRequestFactory(settings, wiring);
    }
  }

  /** Lettuce, every connection and reconnect. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {
      "org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer",
      "io.lettuce.core.RedisClient"})
  static class Lettuce {
    @Bean
    LettuceResources keepaliveLettuceCustomizer(LettuceKeepalive hook) {
      return new LettuceResources(hook);
    }
  }

  /** Every accepted connection of the Reactor Netty server. */
  static final class NettyServer implements NettyServerCustomizer, EagerHook {
    private final KeepalivePolicy policy;
    private final KeepaliveWiring wiring;

    NettyServer(KeepaliveSettings settings, KeepaliveWiring wiring) {
      this.policy = ReactorNettyHooks.policy(settings, KeepaliveIntegration.SERVER).orElse(null);
      this.wiring = wiring;
    }

    @Override
    public HttpServer apply(HttpServer server) {
      return policy == null ? server : ReactorNettyHooks.server(server, policy, wiring);
    }
  }

  /**
   * Tomcat: the connector's protocol becomes keepalive's NIO protocol, which gets the policy when
   * Boot customizes the connector. First, so that an application that names its own protocol later
   * keeps it (and the connector is then reported as not wired).
   */
  static final class TomcatFactory
      implements WebServerFactoryCustomizer<TomcatWebServerFactory>, Ordered, EagerHook {
    private final KeepalivePolicy policy;
    private final KeepaliveWiring wiring;

    TomcatFactory(KeepaliveSettings settings, KeepaliveWiring wiring) {
      this.policy = TomcatHooks.policy(settings).orElse(null);
      this.wiring = wiring;
    }

    @Override
    public void customize(TomcatWebServerFactory factory) {
      if (policy == null) {
        return;
      }
      if (TomcatWebServerFactory.DEFAULT_PROTOCOL.equals(factory.getProtocol())) {
        factory.setProtocol(TomcatHooks.PROTOCOL);
      }
      factory.addConnectorCustomizers(c -> TomcatHooks.connector(c, policy, wiring));
    }

    @Override
    public int getOrder() {
      return Ordered.HIGHEST_PRECEDENCE;
    }
  }

  /** Jetty: an accept listener on every ServerConnector. */
  static final class JettyServer implements JettyServerCustomizer, EagerHook {
    private final KeepalivePolicy policy;
    private final KeepaliveWiring wiring;

    JettyServer(KeepaliveSettings settings, KeepaliveWiring wiring) {
      this.policy = JettyHooks.policy(settings).orElse(null);
      this.wiring = wiring;
    }

    @Override
    public void customize(Server server) {
      if (policy != null) {
        JettyHooks.server(server, policy, wiring);
      }
    }
  }

  /** WebClient's connector: last, so that its policy is what the connector ends with. */
  static final class WebClientConnector
      implements ClientHttpConnectorBuilderCustomizer<ClientHttpConnectorBuilder<?>>, Ordered {
    private final KeepaliveSettings settings;
    private final KeepaliveWiring wiring;

    WebClientConnector(KeepaliveSettings settings, KeepaliveWiring wiring) {
      this.settings = settings;
      this.wiring = wiring;
    }

    @Override
    public ClientHttpConnectorBuilder<?> customize(ClientHttpConnectorBuilder<?> builder) {
      return HttpClientHooks.webClient(builder, settings, wiring);
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }

  /** RestClient's and RestTemplate's request factory: last, as WebClient's connector. */
  static final class RestClientRequestFactory
      implements ClientHttpRequestFactoryBuilderCustomizer<ClientHttpRequestFactoryBuilder<?>>,
      Ordered {
    private final KeepaliveSettings settings;
    private final KeepaliveWiring wiring;

    RestClientRequestFactory(KeepaliveSettings settings, KeepaliveWiring wiring) {
      this.settings = settings;
      this.wiring = wiring;
    }

    @Override
    public ClientHttpRequestFactoryBuilder<?> customize(ClientHttpRequestFactoryBuilder<?> builder) {
      return HttpClientHooks.restClient(builder, settings, wiring);
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }

  /** Lettuce's resources: first, so that an application's own nettyCustomizer replaces it. */
  static final class LettuceResources implements ClientResourcesBuilderCustomizer, Ordered {
    private final LettuceKeepalive hook;

    LettuceResources(LettuceKeepalive hook) {
      this.hook = hook;
    }

    @Override
    public void customize(ClientResources.Builder builder) {
      hook.accept(builder);
    }

    @Override
    public int getOrder() {
      return Ordered.HIGHEST_PRECEDENCE;
    }
  }
}
