package dev.keepalive.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keepalive.spring.boot.KeepaliveConfigurationException;
import dev.keepalive.spring.boot.KeepaliveFailureAnalyzer;
import dev.keepalive.spring.boot.KeepaliveIntegration;
import dev.keepalive.spring.boot.KeepaliveProperties;
import dev.keepalive.spring.boot.KeepaliveSettings;
import dev.keepalive.spring.boot.KeepaliveWiring;
import dev.keepalive.spring.boot.internal.DataSourceKeepalive;
import dev.keepalive.spring.boot.internal.LettuceKeepalive;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * Every condition of the starter's auto-configuration: what it registers, when, and what it
 * refuses, on this Boot line with the other line's module beside it.
 */
class AutoConfigurationTest {

  /** The hook beans of the line modules, by the names both lines give them. */
  private static final List<String> LINE_HOOKS = List.of("keepaliveNettyServerCustomizer",
      "keepaliveTomcatCustomizer", "keepaliveJettyServerCustomizer",
      "keepaliveWebClientCustomizer", "keepaliveRestClientCustomizer",
      "keepaliveLettuceCustomizer");

  @Test
  void everyHookIsRegisteredWhenItsTechnologyIsPresent() {
    Contexts.starter().withPropertyValues("keepalive.policy=" + Contexts.POLICY).run(c -> {
      assertThat(c).hasNotFailed().hasSingleBean(KeepaliveSettings.class)
          .hasSingleBean(KeepaliveWiring.class).hasSingleBean(KeepaliveProperties.class)
          .hasSingleBean(DataSourceKeepalive.class).hasSingleBean(LettuceKeepalive.class);
      for (String hook : LINE_HOOKS) {
        assertThat(c).hasBean(hook);
        // This line's module, never the other's.
        assertThat(c.getBean(hook).getClass().getName())
            .startsWith(Line.KEEPALIVE_LINE.substring(0, Line.KEEPALIVE_LINE.lastIndexOf('.')));
      }
    });
  }

  @Test
  void keepaliveEnabledFalseSwitchesEverythingOff() {
    Contexts.starter().withPropertyValues("keepalive.enabled=false",
        "keepalive.policy=" + Contexts.POLICY).run(c -> {
          assertThat(c).hasNotFailed().doesNotHaveBean(KeepaliveSettings.class)
              .doesNotHaveBean(KeepaliveWiring.class).doesNotHaveBean(DataSourceKeepalive.class)
              .doesNotHaveBean("keepaliveEndpoint").doesNotHaveBean("keepaliveMetrics");
          for (String hook : LINE_HOOKS) {
            assertThat(c).doesNotHaveBean(hook);
          }
        });
  }

  @Test
  void keepaliveEnabledFalseSkipsEvenAMalformedPolicy() {
    Contexts.starter().withPropertyValues("keepalive.enabled=false", "keepalive.policy=idle=abc")
        .run(c -> assertThat(c).hasNotFailed());
  }

  @Test
  void eachServerHookNeedsItsServer() {
    Contexts.starter().withPropertyValues("keepalive.policy=" + Contexts.POLICY)
        .withClassLoader(new FilteredClassLoader("reactor.netty.http.server"))
        .run(c -> assertThat(c).doesNotHaveBean("keepaliveNettyServerCustomizer")
            .hasBean("keepaliveTomcatCustomizer"));
    Contexts.starter().withPropertyValues("keepalive.policy=" + Contexts.POLICY)
        .withClassLoader(new FilteredClassLoader("org.apache.catalina"))
        .run(c -> assertThat(c).doesNotHaveBean("keepaliveTomcatCustomizer")
            .hasBean("keepaliveNettyServerCustomizer"));
    Contexts.starter().withPropertyValues("keepalive.policy=" + Contexts.POLICY)
        .withClassLoader(new FilteredClassLoader("org.eclipse.jetty"))
        .run(c -> assertThat(c).doesNotHaveBean("keepaliveJettyServerCustomizer")
            .hasBean("keepaliveTomcatCustomizer"));
  }

  @Test
  void theClientHooksNeedTheirClients() {
    Contexts.starter().withPropertyValues("keepalive.policy=" + Contexts.POLICY)
        .withClassLoader(new FilteredClassLoader("org.springframework.web.reactive.function"))
        .run(c -> assertThat(c).doesNotHaveBean("keepaliveWebClientCustomizer")
            .hasBean("keepaliveRestClientCustomizer"));
    Contexts.starter().withPropertyValues("keepalive.policy=" + Contexts.POLICY)
        .withClassLoader(new FilteredClassLoader("io.lettuce"))
        .run(c -> assertThat(c).doesNotHaveBean("keepaliveLettuceCustomizer")
            .doesNotHaveBean(LettuceKeepalive.class));
    Contexts.starter().withPropertyValues("keepalive.policy=" + Contexts.POLICY)
        .withClassLoader(new FilteredClassLoader("com.zaxxer.hikari"))
        .run(c -> assertThat(c).doesNotHaveBean(DataSourceKeepalive.class));
  }

  @Test
  void withoutAPolicyTheHooksChangeNothing() {
    Contexts.starter().run(c -> {
      assertThat(c).hasNotFailed();
      KeepaliveWiring wiring = c.getBean(KeepaliveWiring.class);
      for (KeepaliveIntegration i : KeepaliveIntegration.values()) {
        assertThat(wiring.wiredTo(i)).isEmpty();
        assertThat(wiring.notWiredTo(i)).isEmpty();
      }
      Map<String, Map<String, Object>> report = wiring.report();
      assertThat(report.get("server")).containsEntry("policy", "none");
    });
  }

  @Test
  void aMalformedPolicyFailsTheContextAndTheAnalyzerNamesTheFix() {
    Contexts.starter().withPropertyValues("keepalive.policy=" + Contexts.POLICY,
        "keepalive.redis.policy=idle=62s,probes=5").run(c -> {
          assertThat(c).hasFailed();
          FailureAnalysis analysis = analyze(c.getStartupFailure());
          assertThat(analysis.getDescription()).isEqualTo("The keepalive property"
              + " 'keepalive.redis.policy' is set to 'idle=62s,probes=5', which cannot be used for"
              + " Redis (Lettuce):\n\n    it is not a keepalive policy: "
              + ((KeepaliveConfigurationException) analysis.getCause()).reason()
                  .substring("it is not a keepalive policy: ".length()) + "\n");
          assertThat(analysis.getAction()).startsWith("Set keepalive.redis.policy to a policy"
              + " such as idle=60s,interval=10s,probes=3");
        });
  }

  @Test
  void aUserTimeoutTheDataSourceCannotTakeFailsAtStartUpEvenWithLazyInitialization() {
    Contexts.starter()
        .withPropertyValues("keepalive.policy=" + Contexts.POLICY + ",user-timeout=5s")
        .withBean(LazyInitializationBeanFactoryPostProcessor.class)
        .run(c -> {
          assertThat(c).hasFailed();
          FailureAnalysis analysis = analyze(c.getStartupFailure());
          assertThat(analysis.getDescription()).contains("'keepalive.policy'")
              .contains("the DataSource (HikariCP)")
              .contains("TCP_USER_TIMEOUT (userTimeout) cannot be set on JDK");
          assertThat(analysis.getAction())
              .startsWith("Set keepalive.datasource.policy=" + Contexts.POLICY + " ");
        });
  }

  @Test
  void withTheDataSourceUnchangedAUserTimeoutStaysForNetty() {
    Contexts.starter()
        .withPropertyValues("keepalive.policy=" + Contexts.POLICY + ",user-timeout=5s",
            "keepalive.datasource.policy=unchanged", "keepalive.server.policy=unchanged",
            "keepalive.rest-client.policy=unchanged")
        .run(c -> assertThat(c).hasNotFailed());
  }

  @Test
  void theFailureAnalyzerIsRegisteredForSpringBoot() throws Exception {
    List<String> analyzers = new ArrayList<>();
    Enumeration<URL> files = getClass().getClassLoader()
        .getResources(SpringFactoriesLoader.FACTORIES_RESOURCE_LOCATION);
    while (files.hasMoreElements()) {
      Properties p = new Properties();
      try (InputStream in = files.nextElement().openStream()) {
        p.load(in);
      }
      String names = p.getProperty(FailureAnalyzer.class.getName());
      if (names != null) {
        analyzers.addAll(List.of(names.split("\\s*,\\s*")));
      }
    }
    assertThat(analyzers).contains(KeepaliveFailureAnalyzer.class.getName());
  }

  static FailureAnalysis analyze(Throwable failure) {
    FailureAnalysis analysis = new KeepaliveFailureAnalyzer().analyze(failure);
    assertThat(analysis).as("analysis of %s", failure).isNotNull();
    return analysis;
  }
}
