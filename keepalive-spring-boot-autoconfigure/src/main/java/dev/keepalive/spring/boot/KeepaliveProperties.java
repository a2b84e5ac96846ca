package dev.keepalive.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code keepalive.*} properties. One property gives every connection the starter can reach a
 * policy; one per integration overrides it for that integration:
 *
 * <pre>
 * keepalive.policy=idle=60s,interval=10s,probes=3
 * keepalive.datasource.policy=idle=30s,interval=5s,probes=3
 * keepalive.redis.policy=unchanged
 * </pre>
 *
 * <p>A policy is written as {@code dev.keepalive.KeepalivePolicy#parse} reads it ({@code
 * idle=60s,interval=10s,probes=3}, {@code user-timeout=90s} optional, {@code off}); {@code
 * unchanged} leaves an integration's connections exactly as its client makes them. A value that
 * does not parse, or that an integration cannot take, stops the application at start-up with a
 * report naming the property.
 */
@ConfigurationProperties(prefix = KeepaliveProperties.PREFIX)
public class KeepaliveProperties {

  /** The prefix of every property. */
  public static final String PREFIX = "keepalive";

  /** Whether the starter configures anything at all. */
  private boolean enabled = true;

  /**
   * The keepalive policy of every connection the starter reaches, e.g.
   * "idle=60s,interval=10s,probes=3"; "off" switches keepalive off; "unchanged" leaves every
   * connection alone. Unset: only the integrations with a policy of their own are configured.
   */
  private String policy;

  /** The embedded web server's accepted connections (Reactor Netty, Tomcat, Jetty). */
  private final Integration server = new Integration();

  /** WebClient built from Boot's WebClient.Builder on Reactor Netty. */
  private final Integration webclient = new Integration();

  /** RestClient and RestTemplate built from Boot's builders, on Apache HttpClient 5 or Reactor Netty. */
  private final Integration restClient = new Integration();

  /** The JDBC DataSource (HikariCP) on PostgreSQL, MariaDB, SQL Server or MySQL drivers. */
  private final Integration datasource = new Integration();

  /** Redis connections of Lettuce (Spring Data Redis), reconnects included. */
  private final Integration redis = new Integration();

  /**
   * Whether the starter configures anything at all.
   *
   * @return false when {@code keepalive.enabled=false}
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Switches the starter on or off.
   *
   * @param enabled false to switch it off
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * The policy of every integration without one of its own.
   *
   * @return the text as configured, or null
   */
  public String getPolicy() {
    return policy;
  }

  /**
   * Sets the policy of every integration without one of its own.
   *
   * @param policy e.g. {@code idle=60s,interval=10s,probes=3}, {@code off} or {@code unchanged}
   */
  public void setPolicy(String policy) {
    this.policy = policy;
  }

  /**
   * {@code keepalive.server.*}.
   *
   * @return the server's settings
   */
  public Integration getServer() {
    return server;
  }

  /**
   * {@code keepalive.webclient.*}.
   *
   * @return WebClient's settings
   */
  public Integration getWebclient() {
    return webclient;
  }

  /**
   * {@code keepalive.rest-client.*}.
   *
   * @return RestClient's and RestTemplate's settings
   */
  public Integration getRestClient() {
    return restClient;
  }

  /**
   * {@code keepalive.datasource.*}.
   *
   * @return the DataSource's settings
   */
  public Integration getDatasource() {
    return datasource;
  }

  /**
   * {@code keepalive.redis.*}.
   *
   * @return Redis's settings
   */
  public Integration getRedis() {
    return redis;
  }

  /** The settings of one integration. */
  public static class Integration {

    /**
     * The keepalive policy of this integration's connections, overriding keepalive.policy, e.g.
     * "idle=60s,interval=10s,probes=3"; "off" switches keepalive off; "unchanged" leaves them
     * exactly as the client makes them.
     */
    private String policy;

    /**
     * The integration's own policy.
     *
     * @return the text as configured, or null to use {@code keepalive.policy}
     */
    public String getPolicy() {
      return policy;
    }

    /**
     * Sets the integration's own policy.
     *
     * @param policy e.g. {@code idle=60s,interval=10s,probes=3}, {@code off} or {@code unchanged}
     */
    public void setPolicy(String policy) {
      this.policy = policy;
    }
  }
}
