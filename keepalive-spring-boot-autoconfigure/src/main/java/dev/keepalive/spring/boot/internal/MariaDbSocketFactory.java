package dev.keepalive.spring.boot.internal;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.util.ConfigurableSocketFactory;

/**
 * The socket factory MariaDB Connector/J 3 instantiates by class name ({@code socketFactory}) for
 * each connection, with the policy in the connection option {@value #POLICY_OPTION}: MariaDB
 * calls {@code setConfiguration} before {@code createSocket()}, which gives it the connection's
 * own options, so two DataSources can carry different policies (the no-arg {@code
 * KeepaliveSocketFactory} could only read one JVM-wide system property). Sockets are {@link
 * KeepaliveSocketFactory}'s own, pinned.
 */
public class MariaDbSocketFactory extends ConfigurableSocketFactory {

  /** The connection option that holds the policy. */
  public static final String POLICY_OPTION = "keepalivePolicy";

  private KeepaliveSocketFactory factory;

  /** The factory MariaDB instantiates; {@link #setConfiguration} gives it its policy. */
  public MariaDbSocketFactory() {}

  @Override
  public void setConfiguration(Configuration conf, String host) {
    String text = conf.nonMappedOptions().getProperty(POLICY_OPTION);
    if (text == null) {
      throw new IllegalStateException("MariaDbSocketFactory needs the connection option "
          + POLICY_OPTION + " (e.g. " + POLICY_OPTION + "=idle=60s,interval=10s,probes=3)");
    }
    factory = KeepaliveSocketFactory.of(KeepalivePolicy.parse(text));
  }

  @Override
  public Socket createSocket() throws IOException {
    return factory().createSocket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return factory().createSocket(host, port);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return factory().createSocket(host, port, localHost, localPort);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return factory().createSocket(host, port);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    return factory().createSocket(address, port, localAddress, localPort);
  }

  private KeepaliveSocketFactory factory() {
    if (factory == null) {
      throw new IllegalStateException("MariaDbSocketFactory was not configured: MariaDB"
          + " Connector/J calls setConfiguration before createSocket");
    }
    return factory;
  }
}
