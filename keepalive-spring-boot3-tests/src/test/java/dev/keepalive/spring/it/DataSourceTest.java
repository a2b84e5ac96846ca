package dev.keepalive.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.keepalive.contract.KernelReader;
import dev.keepalive.servers.MariaDbServer;
import dev.keepalive.spring.boot.KeepaliveIntegration;
import dev.keepalive.spring.boot.KeepaliveWiring;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The DataSource integration, driver by driver: the data source properties each HikariDataSource
 * gets, what is left alone and reported; and on a real MariaDB server, MariaDB Connector/J's and
 * MySQL Connector/J's pooled connections read back from the kernel.
 */
class DataSourceTest {

  private static ApplicationContextRunner dataSource(String url, String... properties) {
    List<String> all = new ArrayList<>(List.of("keepalive.policy=" + Contexts.POLICY,
        "spring.datasource.url=" + url));
    all.addAll(List.of(properties));
    return Contexts.starter().withConfiguration(Line.dataSource())
        .withPropertyValues(all.toArray(String[]::new));
  }

  private static Properties properties(org.springframework.context.ApplicationContext c) {
    return c.getBean(HikariDataSource.class).getDataSourceProperties();
  }

  @Test
  void pgjdbcGetsTheFactoryThePolicyAndItsOwnKeepaliveSwitchOn() {
    dataSource("jdbc:postgresql://127.0.0.1:5432/app").run(c -> {
      assertThat(properties(c)).containsEntry("socketFactory",
          "dev.keepalive.jdk.KeepaliveSocketFactory")
          .containsEntry("socketFactoryArg", Contexts.POLICY)
          .containsEntry("tcpKeepAlive", "true");
      assertThat(c.getBean(KeepaliveWiring.class).wiredTo(KeepaliveIntegration.DATASOURCE))
          .containsExactly("HikariDataSource 'dataSource' (PostgreSQL JDBC): every pooled"
              + " connection, through [socketFactory, socketFactoryArg, tcpKeepAlive]");
    });
  }

  @Test
  void offSwitchesTheDriversOwnKeepaliveOffToo() {
    dataSource("jdbc:postgresql://127.0.0.1:5432/app", "keepalive.datasource.policy=off")
        .run(c -> assertThat(properties(c)).containsEntry("socketFactoryArg", "off")
            .containsEntry("tcpKeepAlive", "false"));
  }

  @Test
  void mariaDbGetsItsConfigurableFactoryWithThePolicyAsAnOption() {
    dataSource("jdbc:mariadb://127.0.0.1:3306/app").run(c -> assertThat(properties(c))
        .containsEntry("socketFactory", "dev.keepalive.spring.boot.internal.MariaDbSocketFactory")
        .containsEntry("keepalivePolicy", Contexts.POLICY)
        .containsEntry("tcpKeepAlive", "true"));
  }

  @Test
  void sqlServerGetsTheFactoryClassAndItsConstructorArgument() {
    dataSource("jdbc:sqlserver://127.0.0.1:1433;databaseName=app").run(c ->
        assertThat(properties(c))
            .containsEntry("socketFactoryClass", "dev.keepalive.jdk.KeepaliveSocketFactory")
            .containsEntry("socketFactoryConstructorArg", Contexts.POLICY)
            .doesNotContainKey("tcpKeepAlive"));
  }

  @Test
  void mySqlGetsTheKeepaliveMysqlFactory() {
    dataSource("jdbc:mysql://127.0.0.1:3306/app").run(c -> assertThat(properties(c))
        .containsEntry("socketFactory", "dev.keepalive.spring.boot.internal.MysqlSocketFactory")
        .containsEntry("tcpKeepAlive", "true"));
  }

  @Test
  void aFactoryTheApplicationNamedIsKeptAndReported() {
    dataSource("jdbc:postgresql://127.0.0.1:5432/app",
        "spring.datasource.hikari.data-source-properties.socketFactory=my.Factory").run(c -> {
          assertThat(properties(c)).containsEntry("socketFactory", "my.Factory")
              .doesNotContainKey("socketFactoryArg");
          KeepaliveWiring wiring = c.getBean(KeepaliveWiring.class);
          assertThat(wiring.wiredTo(KeepaliveIntegration.DATASOURCE)).isEmpty();
          assertThat(wiring.notWiredTo(KeepaliveIntegration.DATASOURCE)).containsExactly(
              "HikariDataSource 'dataSource' (PostgreSQL JDBC) already names a socket factory:"
                  + " socketFactory=my.Factory");
        });
    dataSource("jdbc:postgresql://127.0.0.1:5432/app?socketFactory=my.Factory&ssl=false")
        .run(c -> assertThat(c.getBean(KeepaliveWiring.class)
            .notWiredTo(KeepaliveIntegration.DATASOURCE)).containsExactly(
                "HikariDataSource 'dataSource' (PostgreSQL JDBC) already names a socket factory:"
                    + " in the URL: socketFactory=my.Factory"));
  }

  @Test
  void aDriverWithoutASocketFactoryIsReportedNotWired() {
    dataSource("jdbc:h2:mem:app", "spring.datasource.driver-class-name=org.postgresql.Driver")
        .run(c -> assertThat(properties(c)).isEmpty());
    dataSource("jdbc:oracle:thin:@127.0.0.1:1521/app",
        "spring.datasource.driver-class-name=org.postgresql.Driver").run(c -> {
          KeepaliveWiring wiring = c.getBean(KeepaliveWiring.class);
          assertThat(wiring.notWiredTo(KeepaliveIntegration.DATASOURCE)).singleElement()
              .asString().startsWith("HikariDataSource 'dataSource' (jdbc:oracle:thin:")
              .endsWith("use keepalive-agent");
        });
  }

  @Test
  void unchangedLeavesTheDataSourceAlone() {
    dataSource("jdbc:postgresql://127.0.0.1:5432/app", "keepalive.datasource.policy=unchanged")
        .run(c -> {
          assertThat(properties(c)).isEmpty();
          assertThat(c.getBean(KeepaliveWiring.class).notWiredTo(KeepaliveIntegration.DATASOURCE))
              .isEmpty();
        });
  }

  @Test
  void aSecondMySqlPolicyInOneJvmIsRefusedAndReported() {
    dataSource("jdbc:mysql://127.0.0.1:3306/app").run(first ->
        dataSource("jdbc:mysql://127.0.0.1:3306/app",
            "keepalive.datasource.policy=idle=99s,interval=11s,probes=4").run(second -> {
              assertThat(properties(second)).isEmpty();
              assertThat(second.getBean(KeepaliveWiring.class)
                  .notWiredTo(KeepaliveIntegration.DATASOURCE)).singleElement().asString()
                  .contains("this JVM's MySQL connections already carry " + Contexts.POLICY);
            }));
  }

  @Test
  void mariaDbAndMySqlConnectorsCarryThePolicyOnARealServer() throws Exception {
    assumeTrue(KernelReader.unavailable().isEmpty(), () -> KernelReader.unavailable().get());
    assumeTrue(MariaDbServer.unavailable().isEmpty(), () -> MariaDbServer.unavailable().get());
    try (MariaDbServer server = MariaDbServer.start()) {
      for (String subprotocol : List.of("mariadb", "mysql")) {
        dataSource(server.url(subprotocol, subprotocol.equals("mysql") ? "sslMode=DISABLED" : ""),
            "spring.datasource.hikari.maximum-pool-size=2",
            "spring.datasource.hikari.minimum-idle=2").run(c -> {
              HikariDataSource pool = c.getBean(HikariDataSource.class);
              try (Connection connection = pool.getConnection()) {
                assertThat(connection.isValid(5)).isTrue();
                List<KernelReader.Socket> sockets = KernelReader.connectionsTo(
                    ProcessHandle.current().pid(), server.port());
                assertThat(sockets).as(subprotocol).isNotEmpty();
                assertThat(Kernel.fields(sockets)).as(subprotocol).containsOnly("61/11/4");
              }
            });
      }
    }
  }
}
