package dev.keepalive.spring.boot.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import dev.keepalive.spring.boot.KeepaliveIntegration;
import dev.keepalive.spring.boot.KeepaliveSettings;
import dev.keepalive.spring.boot.KeepaliveWiring;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * HikariCP: before a pool starts, the driver is told through its data source properties to make
 * its sockets with a keepalive socket factory, so every pooled connection carries the policy from
 * before it connects, pinned against the driver's own settings. Each driver has its own property
 * names:
 *
 * <table>
 *   <caption>Drivers</caption>
 *   <tr><th>driver</th><th>properties set</th></tr>
 *   <tr><td>PostgreSQL JDBC</td><td>{@code socketFactory}, {@code socketFactoryArg} (the policy),
 *       {@code tcpKeepAlive} (on with the policy, so the pin has nothing to ignore; pgjdbc's
 *       default is off)</td></tr>
 *   <tr><td>MariaDB Connector/J</td><td>{@code socketFactory} ({@link MariaDbSocketFactory}, which
 *       reads {@code keepalivePolicy}), {@code tcpKeepAlive}</td></tr>
 *   <tr><td>Microsoft SQL Server (mssql-jdbc)</td><td>{@code socketFactoryClass}, {@code
 *       socketFactoryConstructorArg} (the policy); its own 30/1/9, set after connecting, is pinned
 *       out and logged once per JVM</td></tr>
 *   <tr><td>MySQL Connector/J</td><td>{@code socketFactory} ({@link MysqlSocketFactory}, on
 *       keepalive-mysql's {@code KeepaliveMysqlSocketFactory}: one policy per JVM, since the driver
 *       passes its factory nothing to tell DataSources apart), {@code tcpKeepAlive}</td></tr>
 * </table>
 *
 * <p>A DataSource whose driver already names a socket factory (in its properties or its URL) keeps
 * it, and is reported as not wired; so is one whose driver has no socket factory property.
 */
public final class DataSourceHooks {

  static final String KEEPALIVE_SOCKET_FACTORY = KeepaliveSocketFactory.class.getName();
  // By name: each extends its driver's class, which is on the class path only with that driver.
  static final String MARIADB_SOCKET_FACTORY =
      "dev.keepalive.spring.boot.internal.MariaDbSocketFactory";
  static final String MYSQL_SOCKET_FACTORY = "dev.keepalive.spring.boot.internal.MysqlSocketFactory";

  private DataSourceHooks() {}

  /**
   * The DataSource policy, checked for JDK sockets: every JDBC driver here opens JDK sockets,
   * which cannot set TCP_USER_TIMEOUT.
   *
   * @param settings the resolved properties
   * @return the policy, or empty when there is none
   */
  public static Optional<KeepalivePolicy> policy(KeepaliveSettings settings) {
    return settings.forJdkSockets(KeepaliveIntegration.DATASOURCE,
        "the JDBC driver's JDK sockets");
  }

  /**
   * Tells the pool's driver to make keepalive sockets, or records why not.
   *
   * @param dataSource a pool that has not started
   * @param beanName its bean name, for the record
   * @param policy the policy
   * @param wiring where to record it
   */
  public static void configure(HikariDataSource dataSource, String beanName,
      KeepalivePolicy policy, KeepaliveWiring wiring) {
    String what = "HikariDataSource '" + beanName + "'";
    if (dataSource.isRunning() || dataSource.getHikariPoolMXBean() != null) {
      wiring.notWired(KeepaliveIntegration.DATASOURCE, what + " had already started its pool");
      return;
    }
    Driver driver = Driver.of(dataSource);
    if (driver == null) {
      wiring.notWired(KeepaliveIntegration.DATASOURCE, what + " (" + describe(dataSource)
          + "): keepalive knows no socket factory property of this driver (PostgreSQL, MariaDB,"
          + " SQL Server and MySQL are supported): use keepalive-agent");
      return;
    }
    String existing = driver.existingFactory(dataSource);
    if (existing != null) {
      wiring.notWired(KeepaliveIntegration.DATASOURCE, what + " (" + driver.displayName
          + ") already names a socket factory: " + existing);
      return;
    }
    if (driver == Driver.MYSQL) {
      KeepalivePolicy held = MysqlPolicy.register(policy);
      if (held != null) {
        wiring.notWired(KeepaliveIntegration.DATASOURCE, what + " (" + driver.displayName
            + "): this JVM's MySQL connections already carry " + held + " from another"
            + " application context (Connector/J takes its socket factory by class name, with"
            + " nothing to tell DataSources apart)");
        return;
      }
    }
    Map<String, String> properties = driver.properties(policy);
    for (Map.Entry<String, String> p : properties.entrySet()) {
      dataSource.addDataSourceProperty(p.getKey(), p.getValue());
    }
    wiring.wired(KeepaliveIntegration.DATASOURCE, what + " (" + driver.displayName + "): every"
        + " pooled connection, through " + properties.keySet());
  }

  private static String describe(HikariDataSource dataSource) {
    if (dataSource.getJdbcUrl() != null) {
      String url = dataSource.getJdbcUrl();
      int params = url.indexOf('?');
      return params < 0 ? url : url.substring(0, params);
    }
    return String.valueOf(dataSource.getDataSourceClassName());
  }

  /** The drivers with a socket factory property, found from the URL or a class name. */
  enum Driver {
    POSTGRESQL("PostgreSQL JDBC", "jdbc:postgresql:", "org.postgresql.", "socketFactory"),
    MARIADB("MariaDB Connector/J", "jdbc:mariadb:", "org.mariadb.jdbc.", "socketFactory"),
    SQLSERVER("Microsoft SQL Server JDBC", "jdbc:sqlserver:", "com.microsoft.sqlserver.",
        "socketFactoryClass"),
    MYSQL("MySQL Connector/J", "jdbc:mysql:", "com.mysql.", "socketFactory");

    final String displayName;
    final String urlPrefix;
    final String packagePrefix;
    final String factoryProperty;

    Driver(String displayName, String urlPrefix, String packagePrefix, String factoryProperty) {
      this.displayName = displayName;
      this.urlPrefix = urlPrefix;
      this.packagePrefix = packagePrefix;
      this.factoryProperty = factoryProperty;
    }

    /** By the URL when there is one (it decides which driver answers), else by class name. */
    static Driver of(HikariDataSource dataSource) {
      String url = dataSource.getJdbcUrl();
      if (url != null) {
        for (Driver d : values()) {
          if (url.regionMatches(true, 0, d.urlPrefix, 0, d.urlPrefix.length())) {
            return d;
          }
        }
        return null;
      }
      for (String className : new String[] {dataSource.getDriverClassName(),
          dataSource.getDataSourceClassName()}) {
        for (Driver d : values()) {
          if (className != null && className.startsWith(d.packagePrefix)) {
            return d;
          }
        }
      }
      return null;
    }

    /** The factory the application already named, in the properties or the URL, or null. */
    String existingFactory(HikariDataSource dataSource) {
      Properties properties = dataSource.getDataSourceProperties();
      for (String name : properties.stringPropertyNames()) {
        if (name.equalsIgnoreCase(factoryProperty)) {
          return name + "=" + properties.getProperty(name);
        }
      }
      String url = dataSource.getJdbcUrl();
      if (url != null) {
        String lower = url.toLowerCase(Locale.ROOT);
        String key = factoryProperty.toLowerCase(Locale.ROOT) + "=";
        int at = lower.indexOf(key);
        while (at > 0) {
          char before = lower.charAt(at - 1);
          if (before == '?' || before == '&' || before == ';') {
            return "in the URL: " + url.substring(at).split("[&;]", 2)[0];
          }
          at = lower.indexOf(key, at + 1);
        }
      }
      return null;
    }

    Map<String, String> properties(KeepalivePolicy policy) {
      Map<String, String> p = new LinkedHashMap<>();
      String text = policy.toString();
      switch (this) {
        case POSTGRESQL:
          p.put("socketFactory", KEEPALIVE_SOCKET_FACTORY);
          p.put("socketFactoryArg", text);
          p.put("tcpKeepAlive", Boolean.toString(policy.enabled()));
          break;
        case MARIADB:
          p.put("socketFactory", MARIADB_SOCKET_FACTORY);
          p.put(MariaDbSocketFactory.POLICY_OPTION, text);
          p.put("tcpKeepAlive", Boolean.toString(policy.enabled()));
          break;
        case SQLSERVER:
          p.put("socketFactoryClass", KEEPALIVE_SOCKET_FACTORY);
          p.put("socketFactoryConstructorArg", text);
          break;
        default:
          p.put("socketFactory", MYSQL_SOCKET_FACTORY);
          p.put("tcpKeepAlive", Boolean.toString(policy.enabled()));
          break;
      }
      return p;
    }
  }
}
