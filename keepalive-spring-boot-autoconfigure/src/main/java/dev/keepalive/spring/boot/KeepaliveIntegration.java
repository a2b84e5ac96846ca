package dev.keepalive.spring.boot;

import java.util.function.Function;

/** The connections the starter reaches, each with a policy property of its own. */
public enum KeepaliveIntegration {
  /** The embedded web server's accepted connections: Reactor Netty, Tomcat or Jetty. */
  SERVER("server", "the embedded web server (accepted connections)", KeepaliveProperties::getServer),
  /** WebClient built from Boot's {@code WebClient.Builder}. */
  WEBCLIENT("webclient", "WebClient (Boot's WebClient.Builder)", KeepaliveProperties::getWebclient),
  /** RestClient and RestTemplate built from Boot's builders. */
  REST_CLIENT("rest-client", "RestClient and RestTemplate (Boot's builders)",
      KeepaliveProperties::getRestClient),
  /** The JDBC DataSource (HikariCP). */
  DATASOURCE("datasource", "the DataSource (HikariCP)", KeepaliveProperties::getDatasource),
  /** Lettuce, Spring Data Redis's default client. */
  REDIS("redis", "Redis (Lettuce)", KeepaliveProperties::getRedis);

  private final String key;
  private final String displayName;
  private final Function<KeepaliveProperties, KeepaliveProperties.Integration> properties;

  KeepaliveIntegration(String key, String displayName,
      Function<KeepaliveProperties, KeepaliveProperties.Integration> properties) {
    this.key = key;
    this.displayName = displayName;
    this.properties = properties;
  }

  /**
   * The integration's name in properties and in the actuator endpoint.
   *
   * @return e.g. {@code rest-client}
   */
  public String key() {
    return key;
  }

  /**
   * The integration's own policy property.
   *
   * @return e.g. {@code keepalive.rest-client.policy}
   */
  public String property() {
    return KeepaliveProperties.PREFIX + "." + key + ".policy";
  }

  /**
   * What the integration is, for people.
   *
   * @return e.g. {@code the DataSource (HikariCP)}
   */
  public String displayName() {
    return displayName;
  }

  KeepaliveProperties.Integration of(KeepaliveProperties all) {
    return properties.apply(all);
  }
}
