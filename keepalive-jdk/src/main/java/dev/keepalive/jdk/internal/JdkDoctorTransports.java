package dev.keepalive.jdk.internal;

import dev.keepalive.internal.cli.DoctorTransport;
import dev.keepalive.internal.cli.DoctorTransports;
import dev.keepalive.spi.SocketOptionAccess;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;

/**
 * keepalive-jdk's transports for the doctor: {@code java.net.Socket} and {@code SocketChannel},
 * each through the {@link SocketAccess} that {@code Keepalive.apply} and {@code inspect} use.
 */
public final class JdkDoctorTransports implements DoctorTransports {

  /** The JDK's transports, always there. */
  public JdkDoctorTransports() {}

  @Override
  public String description() {
    return "keepalive-jdk on " + Applier.platform();
  }

  @Override
  public List<DoctorTransport> transports() {
    return List.of(new Jdk("JDK Socket", false), new Jdk("JDK SocketChannel", true));
  }

  private static final class Jdk implements DoctorTransport {
    private final String name;
    private final boolean channel;

    Jdk(String name, boolean channel) {
      this.name = name;
      this.channel = channel;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String unavailable() {
      return null;
    }

    @Override
    public Connection<?> connect(InetSocketAddress server, Duration timeout) throws IOException {
      int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
      if (channel) {
        SocketChannel c = SocketChannel.open();
        try {
          // The adaptor's connect takes a timeout; the channel stays in blocking mode.
          c.socket().connect(server, millis);
        } catch (IOException | RuntimeException e) {
          c.close();
          throw e;
        }
        return new Open<NetworkChannel>(SocketAccess.CHANNEL, c, c);
      }
      Socket s = new Socket();
      try {
        s.connect(server, millis);
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
      return new Open<Socket>(SocketAccess.SOCKET, s, s);
    }
  }

  private static final class Open<S> implements DoctorTransport.Connection<S> {
    private final SocketOptionAccess<S, IOException> access;
    private final S socket;
    private final Closeable closeable;

    Open(SocketOptionAccess<S, IOException> access, S socket, Closeable closeable) {
      this.access = access;
      this.socket = socket;
      this.closeable = closeable;
    }

    @Override
    public SocketOptionAccess<S, ?> access() {
      return access;
    }

    @Override
    public S socket() {
      return socket;
    }

    @Override
    public void close() {
      try {
        closeable.close();
      } catch (IOException e) {
        // A loopback socket the doctor made and no longer needs: nothing to report.
      }
    }
  }
}
