package dev.keepalive.spring.boot;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.PlatformLimits;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The {@code keepalive.*} properties resolved and checked, once, when the application context
 * starts: for each {@link KeepaliveIntegration} the policy in force, where it came from, or why
 * there is none. A value that does not parse, or that this platform's kernel cannot take, is a
 * {@link KeepaliveConfigurationException} here; a policy an integration's transport cannot take
 * is one when that integration's hook is created ({@link #forJdkSockets}, {@link #forNetty}), also
 * at start-up.
 */
public final class KeepaliveSettings {

  /** The value that leaves an integration's connections alone. */
  public static final String UNCHANGED = "unchanged";

  private static final String EXAMPLE = "idle=60s,interval=10s,probes=3";

  private final boolean enabled;
  private final Map<KeepaliveIntegration, Resolved> resolved =
      new EnumMap<>(KeepaliveIntegration.class);

  /**
   * Resolves and checks {@code properties}.
   *
   * @param properties the bound {@code keepalive.*} properties
   * @throws KeepaliveConfigurationException if a policy does not parse or is beyond this
   *     platform's limits
   */
  public KeepaliveSettings(KeepaliveProperties properties) {
    Objects.requireNonNull(properties, "properties must not be null");
    this.enabled = properties.isEnabled();
    String globalProperty = KeepaliveProperties.PREFIX + ".policy";
    Resolved global = properties.getPolicy() == null ? null
        : resolve(globalProperty, properties.getPolicy(),
            "every integration without a policy of its own");
    for (KeepaliveIntegration integration : KeepaliveIntegration.values()) {
      String own = integration.of(properties).getPolicy();
      Resolved r;
      if (own != null) {
        r = resolve(integration.property(), own, integration.displayName());
      } else if (global != null) {
        r = global;
      } else {
        r = new Resolved(null, null, null);
      }
      resolved.put(integration, r);
    }
  }

  /**
   * Whether the starter is on ({@code keepalive.enabled}).
   *
   * @return false when switched off
   */
  public boolean enabled() {
    return enabled;
  }

  /**
   * The policy {@code integration}'s connections get.
   *
   * @param integration the integration
   * @return the policy; empty when none is configured or the value is {@value #UNCHANGED}
   */
  public Optional<KeepalivePolicy> policy(KeepaliveIntegration integration) {
    return Optional.ofNullable(resolved.get(integration).policy);
  }

  /**
   * The property that decided {@code integration}'s policy.
   *
   * @param integration the integration
   * @return e.g. {@code keepalive.policy} or {@code keepalive.redis.policy}; empty when none is set
   */
  public Optional<String> source(KeepaliveIntegration integration) {
    return Optional.ofNullable(resolved.get(integration).property);
  }

  /**
   * What {@code integration} gets, in words: the policy, {@value #UNCHANGED} or {@code none}.
   *
   * @param integration the integration
   * @return e.g. {@code idle=60s,interval=10s,probes=3}, {@code unchanged} or {@code none}
   */
  public String describe(KeepaliveIntegration integration) {
    Resolved r = resolved.get(integration);
    if (r.policy != null) {
      return r.policy.toString();
    }
    return r.property == null ? "none" : UNCHANGED;
  }

  /**
   * Every distinct policy in force, for the meters' {@code policy} state.
   *
   * @return the policies, in integration order
   */
  public Set<KeepalivePolicy> inForce() {
    Set<KeepalivePolicy> all = new LinkedHashSet<>();
    for (Resolved r : resolved.values()) {
      if (r.policy != null) {
        all.add(r.policy);
      }
    }
    return Collections.unmodifiableSet(all);
  }

  /**
   * {@code integration}'s policy, checked for JDK sockets (Tomcat, Jetty, HttpClient 5, JDBC
   * drivers): the JDK has no TCP_USER_TIMEOUT, and the {@code jdk.net} options must be there.
   *
   * @param integration the integration
   * @param technology what makes the sockets, for the report, e.g. {@code HikariCP (JDK sockets)}
   * @return the policy, or empty when none is configured or it is {@value #UNCHANGED}
   * @throws KeepaliveConfigurationException if JDK sockets cannot take the policy
   */
  public Optional<KeepalivePolicy> forJdkSockets(KeepaliveIntegration integration,
      String technology) {
    Resolved r = resolved.get(integration);
    if (r.policy == null) {
      return Optional.empty();
    }
    try {
      // The same check KeepaliveSocketFactory makes before any socket exists.
      KeepaliveSocketFactory.of(r.policy);
    } catch (UnsupportedKeepaliveOptionException e) {
      throw refused(integration, r, technology, e);
    }
    return Optional.of(r.policy);
  }

  /**
   * {@code integration}'s policy, checked for a Netty-based client or server: a user timeout needs
   * a native transport (epoll or io_uring), which the framework must be using.
   *
   * @param integration the integration
   * @param technology the framework, for the report, e.g. {@code Reactor Netty}
   * @param nativeTransport whether the framework runs on epoll or io_uring here
   * @return the policy, or empty when none is configured or it is {@value #UNCHANGED}
   * @throws KeepaliveConfigurationException if the policy has a user timeout and the framework runs
   *     on NIO
   */
  public Optional<KeepalivePolicy> forNetty(KeepaliveIntegration integration, String technology,
      boolean nativeTransport) {
    return forNetty(integration, technology, () -> nativeTransport);
  }

  /**
   * {@code integration}'s policy, checked for a Netty-based client or server as {@link
   * #forNetty(KeepaliveIntegration, String, boolean)} does, asking which transport the framework
   * uses only when the policy has a user timeout: finding out loads the native transport, which a
   * policy without one never needs at start-up.
   *
   * @param integration the integration
   * @param technology the framework, for the report, e.g. {@code Reactor Netty}
   * @param nativeTransport whether the framework runs on epoll or io_uring here, asked at most once
   * @return the policy, or empty when none is configured or it is {@value #UNCHANGED}
   * @throws KeepaliveConfigurationException if the policy has a user timeout and the framework runs
   *     on NIO
   */
  public Optional<KeepalivePolicy> forNetty(KeepaliveIntegration integration, String technology,
      BooleanSupplier nativeTransport) {
    Resolved r = resolved.get(integration);
    if (r.policy == null) {
      return Optional.empty();
    }
    if (r.policy.hasUserTimeout() && !nativeTransport.getAsBoolean()) {
      throw refused(integration, r, technology + " over Netty NIO",
          new UnsupportedKeepaliveOptionException(dev.keepalive.KeepaliveOption.TCP_USER_TIMEOUT,
              "Netty NIO", "only Netty's native epoll and io_uring transports set"
                  + " TCP_USER_TIMEOUT, and " + technology + " does not use one here (add"
                  + " netty-transport-native-epoll for linux-x86_64 or linux-aarch_64)"));
    }
    return Optional.of(r.policy);
  }

  private KeepaliveConfigurationException refused(KeepaliveIntegration integration, Resolved r,
      String technology, UnsupportedKeepaliveOptionException e) {
    KeepalivePolicy without = r.policy.withoutUserTimeout();
    String fix = "Set " + integration.property() + "=" + without + " (the same policy without the"
        + " user timeout), or keepalive-agent for this integration's sockets."
        + (r.property.equals(integration.property()) ? ""
            : " " + r.property + " keeps the user timeout for the integrations that can set it.");
    return new KeepaliveConfigurationException(r.property, r.text,
        integration.displayName() + " on " + technology, e.getMessage(), fix, e);
  }

  private static Resolved resolve(String property, String text, String integration) {
    String trimmed = text.trim();
    if (trimmed.equalsIgnoreCase(UNCHANGED)) {
      return new Resolved(null, property, text);
    }
    KeepalivePolicy policy;
    try {
      policy = KeepalivePolicy.parse(trimmed);
    } catch (IllegalArgumentException e) {
      throw new KeepaliveConfigurationException(property, text, integration,
          "it is not a keepalive policy: " + e.getMessage(),
          "Set " + property + " to a policy such as " + EXAMPLE + " (idle, interval and probes"
              + " required; durations such as 90s or 2m; user-timeout optional), to off, or to "
              + UNCHANGED + ".", e);
    }
    try {
      PlatformLimits.current().requireSupported(policy);
    } catch (IllegalArgumentException e) {
      PlatformLimits limits = PlatformLimits.current();
      throw new KeepaliveConfigurationException(property, text, integration,
          "this platform's kernel cannot take it: " + e.getMessage(),
          "Set " + property + " to values within " + limits.platform().displayName()
              + "'s limits (idle at most " + limits.maxIdleSeconds() + "s, interval at most "
              + limits.maxIntervalSeconds() + "s, probes at most " + limits.maxProbes() + ").", e);
    }
    return new Resolved(policy, property, text);
  }

  /** One integration's resolution: a policy, or none (unchanged, or nothing configured). */
  private static final class Resolved {
    final KeepalivePolicy policy;
    final String property;
    final String text;

    Resolved(KeepalivePolicy policy, String property, String text) {
      this.policy = policy;
      this.property = property;
      this.text = text;
    }
  }
}
