package dev.keepalive.spring.boot.internal;

import dev.keepalive.jdk.KeepaliveSocketFactory;
import dev.keepalive.mysql.KeepaliveMysqlSocketFactory;

/**
 * The socket factory MySQL Connector/J instantiates by class name ({@code socketFactory}) for each
 * connection, with no argument and none of the connection's own options (Connector/J keeps only
 * the properties it knows): its policy is the DataSource policy the starter registered for this
 * JVM ({@link MysqlPolicy}). Sockets are keepalive-mysql's, pinned.
 */
public class MysqlSocketFactory extends KeepaliveMysqlSocketFactory {

  /** The factory Connector/J instantiates for a connection. */
  public MysqlSocketFactory() {
    super(KeepaliveSocketFactory.of(MysqlPolicy.current()));
  }
}
