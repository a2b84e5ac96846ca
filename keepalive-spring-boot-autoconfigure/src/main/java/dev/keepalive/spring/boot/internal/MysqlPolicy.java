package dev.keepalive.spring.boot.internal;

import dev.keepalive.KeepalivePolicy;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one MySQL DataSource policy of this JVM, for {@link MysqlSocketFactory}: Connector/J gives a
 * socket factory nothing to tell two DataSources apart by, so a JVM holds one. The first
 * application context to configure a MySQL DataSource sets it; another context with a different
 * policy is refused (and reported), never silently given the first one's.
 */
final class MysqlPolicy {

  private static final AtomicReference<KeepalivePolicy> POLICY = new AtomicReference<>();

  private MysqlPolicy() {}

  /**
   * Holds {@code policy} for every MySQL connection of this JVM.
   *
   * @return null if it is now held, else the different policy already held
   */
  static KeepalivePolicy register(KeepalivePolicy policy) {
    Objects.requireNonNull(policy, "policy must not be null");
    POLICY.compareAndSet(null, policy);
    KeepalivePolicy held = POLICY.get();
    return held.equals(policy) ? null : held;
  }

  static KeepalivePolicy current() {
    KeepalivePolicy p = POLICY.get();
    if (p == null) {
      throw new IllegalStateException("no MySQL keepalive policy registered: "
          + MysqlSocketFactory.class.getName() + " is named by keepalive-spring-boot-starter for"
          + " the DataSources it configures; name dev.keepalive.mysql.KeepaliveMysqlSocketFactory"
          + " elsewhere");
    }
    return p;
  }
}
