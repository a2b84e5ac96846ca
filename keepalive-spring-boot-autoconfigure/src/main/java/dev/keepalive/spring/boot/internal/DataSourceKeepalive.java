package dev.keepalive.spring.boot.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.spring.boot.KeepaliveSettings;
import dev.keepalive.spring.boot.KeepaliveWiring;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * The DataSource hook: its policy checked when the bean is created (at start-up, also with lazy
 * initialization), then applied to every {@link HikariDataSource} bean before it is initialized,
 * which is before its pool can start.
 */
public final class DataSourceKeepalive implements EagerHook {

  private final KeepalivePolicy policy;
  private final KeepaliveWiring wiring;

  /**
   * The hook.
   *
   * @param settings the resolved properties
   * @param wiring where to record what was wired
   * @throws dev.keepalive.spring.boot.KeepaliveConfigurationException if JDK sockets cannot take
   *     the DataSource policy
   */
  public DataSourceKeepalive(KeepaliveSettings settings, KeepaliveWiring wiring) {
    this.policy = DataSourceHooks.policy(settings).orElse(null);
    this.wiring = wiring;
  }

  /**
   * The post-processor that hands each HikariDataSource to the hook, found lazily so that the
   * post-processor depends on no bean while post-processors are registered.
   *
   * @param hook the hook
   * @return the post-processor
   */
  public static BeanPostProcessor postProcessor(ObjectProvider<DataSourceKeepalive> hook) {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource) {
          DataSourceKeepalive k = hook.getIfAvailable();
          if (k != null && k.policy != null) {
            DataSourceHooks.configure((HikariDataSource) bean, beanName, k.policy, k.wiring);
          }
        }
        return bean;
      }
    };
  }
}
