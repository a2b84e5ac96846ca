package dev.keepalive.spring.boot;

import dev.keepalive.spring.boot.internal.DataSourceKeepalive;
import dev.keepalive.spring.boot.internal.EagerHook;
import dev.keepalive.spring.boot.internal.LettuceKeepalive;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter's core, the same on Spring Boot 3.5 and 4.0: the {@code keepalive.*} properties
 * resolved and checked ({@link KeepaliveSettings}), the record of what was wired ({@link
 * KeepaliveWiring}), and the integrations that need no Boot-line-specific hook: the DataSource
 * (HikariCP) and the check on Lettuce's resources. The server, WebClient, RestClient and Lettuce
 * hooks are in keepalive-spring-boot3 and keepalive-spring-boot4, one of which is active.
 * {@code keepalive.enabled=false} switches all of it off.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = KeepaliveProperties.PREFIX, name = "enabled", havingValue = "true",
    matchIfMissing = true)
@EnableConfigurationProperties(KeepaliveProperties.class)
public class KeepaliveAutoConfiguration {

  /** The auto-configuration Spring Boot instantiates. */
  public KeepaliveAutoConfiguration() {}

  /**
   * The properties, resolved and checked now.
   *
   * @param properties the bound properties
   * @return the settings
   * @throws KeepaliveConfigurationException if a policy does not parse or is beyond this
   *     platform's limits
   */
  @Bean
  public KeepaliveSettings keepaliveSettings(KeepaliveProperties properties) {
    return new KeepaliveSettings(properties);
  }

  /**
   * The record of what was wired.
   *
   * @param settings the settings
   * @return an empty record
   */
  @Bean
  public KeepaliveWiring keepaliveWiring(KeepaliveSettings settings) {
    return new KeepaliveWiring(settings);
  }

  /**
   * Keeps the checks at start-up under {@code spring.main.lazy-initialization=true}.
   *
   * @return the filter
   */
  @Bean
  public static LazyInitializationExcludeFilter keepaliveEagerChecks() {
    return LazyInitializationExcludeFilter.forBeanTypes(KeepaliveSettings.class, EagerHook.class);
  }

  /**
   * Logs what was wired, once the application is ready.
   *
   * @param wiring the record
   * @return the listener
   */
  @Bean
  public ApplicationListener<ApplicationReadyEvent> keepaliveSummary(KeepaliveWiring wiring) {
    return event -> wiring.logSummary();
  }

  /** HikariCP: every pool's driver makes keepalive sockets. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "com.zaxxer.hikari.HikariDataSource")
  static class DataSource {

    @Bean
    DataSourceKeepalive keepaliveDataSource(KeepaliveSettings settings, KeepaliveWiring wiring) {
      return new DataSourceKeepalive(settings, wiring);
    }

    @Bean
    static BeanPostProcessor keepaliveDataSourcePostProcessor(
        ObjectProvider<DataSourceKeepalive> hook) {
      return DataSourceKeepalive.postProcessor(hook);
    }
  }

  /** Lettuce: the hook the line modules' customizers call, and the check that it was kept. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"io.lettuce.core.resource.ClientResources",
      "io.netty.channel.Channel"})
  static class Lettuce {

    @Bean
    LettuceKeepalive keepaliveLettuce(KeepaliveSettings settings, KeepaliveWiring wiring) {
      return new LettuceKeepalive(settings, wiring);
    }

    @Bean
    static BeanPostProcessor keepaliveLettucePostProcessor(ObjectProvider<LettuceKeepalive> hook) {
      return LettuceKeepalive.postProcessor(hook);
    }
  }
}
