package dev.keepalive.spring.boot.internal;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.spring.boot.KeepaliveSettings;
import dev.keepalive.spring.boot.KeepaliveWiring;
import io.lettuce.core.resource.ClientResources;
import java.util.function.Consumer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * The Redis hook, shared by the line modules' {@code ClientResourcesBuilderCustomizer}s: its
 * policy checked when it is created, and a check, once Lettuce's resources are built, that the
 * application did not replace it.
 */
public final class LettuceKeepalive implements EagerHook, Consumer<ClientResources.Builder> {

  private final KeepalivePolicy policy;
  private final KeepaliveWiring wiring;

  /**
   * The hook.
   *
   * @param settings the resolved properties
   * @param wiring where to record what was wired
   * @throws dev.keepalive.spring.boot.KeepaliveConfigurationException if Lettuce's transport
   *     cannot take the Redis policy here
   */
  public LettuceKeepalive(KeepaliveSettings settings, KeepaliveWiring wiring) {
    this.policy = LettuceHooks.policy(settings).orElse(null);
    this.wiring = wiring;
  }

  /**
   * Puts the policy into the resources being built, if there is one.
   *
   * @param builder Spring Boot's builder
   */
  @Override
  public void accept(ClientResources.Builder builder) {
    if (policy != null) {
      LettuceHooks.customize(builder, policy, wiring);
    }
  }

  /**
   * The post-processor that checks every built {@link ClientResources}.
   *
   * @param hook the hook
   * @return the post-processor
   */
  public static BeanPostProcessor postProcessor(ObjectProvider<LettuceKeepalive> hook) {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof ClientResources) {
          LettuceKeepalive k = hook.getIfAvailable();
          if (k != null && k.policy != null) {
            LettuceHooks.check((ClientResources) bean, k.wiring);
          }
        }
        return bean;
      }
    };
  }
}
