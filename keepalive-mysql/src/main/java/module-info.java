/**
 * A MySQL Connector/J {@code socketFactory} whose sockets carry a {@link dev.keepalive.KeepalivePolicy},
 * pinned: {@code socketFactory=dev.keepalive.mysql.KeepaliveMysqlSocketFactory}.
 *
 * <p>The driver is not named here: Connector/J has no module-info and no Automatic-Module-Name, so
 * its module name would be guessed from a jar's file name (Maven refuses to bless publishing such a
 * descriptor). On the class path, where JDBC drivers live, nothing is needed. With this module on
 * the module path, let it read the driver: {@code --add-reads dev.keepalive.mysql=ALL-UNNAMED}
 * (driver on the class path) or {@code =mysql.connector.j} (driver on the module path).
 */
module dev.keepalive.mysql {
  requires transitive dev.keepalive.jdk;

  exports dev.keepalive.mysql;
}
