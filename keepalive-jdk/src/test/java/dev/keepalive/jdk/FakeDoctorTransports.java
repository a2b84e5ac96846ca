package dev.keepalive.jdk;

import dev.keepalive.KeepaliveOption;
import dev.keepalive.internal.cli.DoctorTransport;
import dev.keepalive.internal.cli.DoctorTransports;
import dev.keepalive.jdk.internal.SocketAccess;
import dev.keepalive.spi.SocketOptionAccess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Transports for the doctor's tests, each a real loopback {@code java.net.Socket} whose access
 * differs from the JDK's in one way: one reads back another idle than the kernel holds (a broken
 * adapter), one also takes a TCP_USER_TIMEOUT (as Netty's epoll does, kept here in memory), one is
 * not on this machine. Found by {@link java.util.ServiceLoader} in a child JVM (public, with a
 * public no-argument constructor that reads {@code fake.transports}), or handed to {@code
 * Doctor.run} in-process.
 */
// Public for ServiceLoader; the tests are compiled into the module, where the toolkit's package is
// exported to it alone, hence the "exports" lint.
@SuppressWarnings("exports")
public final class FakeDoctorTransports implements DoctorTransports {

  /** A kernel whose idle reads back one second longer than set: the live check must see it. */
  static final String LYING = "lying";
  /** A transport that also has TCP_USER_TIMEOUT. */
  static final String USER_TIMEOUT = "user-timeout";
  /** A transport that cannot run here. */
  static final String ABSENT = "absent";
  /** A provider whose transports() throws. */
  static final String BROKEN = "broken";

  private final List<String> kinds;

  /** For ServiceLoader: the kinds named in {@code -Dfake.transports=a,b}. */
  public FakeDoctorTransports() {
    this(System.getProperty("fake.transports", "").split(","));
  }

  FakeDoctorTransports(String... kinds) {
    this.kinds = List.of(kinds);
  }

  @Override
  public String description() {
    return "fake transports " + kinds;
  }

  @Override
  public List<DoctorTransport> transports() {
    List<DoctorTransport> list = new ArrayList<>();
    for (String kind : kinds) {
      switch (kind) {
        case LYING:
          list.add(new Fake("Lying socket", null, new Lying()));
          break;
        case USER_TIMEOUT:
          list.add(new Fake("Socket with a user timeout", null, new WithUserTimeout()));
          break;
        case ABSENT:
          list.add(new Fake("Absent transport", "not on the class path: add fake-native.jar",
              null));
          break;
        case BROKEN:
          throw new IllegalStateException("this provider is broken");
        default:
          break;
      }
    }
    return list;
  }

  private static final class Fake implements DoctorTransport {
    private final String name;
    private final String unavailable;
    private final SocketOptionAccess<Socket, IOException> access;

    Fake(String name, String unavailable, SocketOptionAccess<Socket, IOException> access) {
      this.name = name;
      this.unavailable = unavailable;
      this.access = access;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String unavailable() {
      return unavailable;
    }

    @Override
    public Connection<?> connect(InetSocketAddress server, Duration timeout) throws IOException {
      Socket socket = new Socket();
      socket.connect(server, (int) timeout.toMillis());
      return new Connection<Socket>() {
        @Override
        public SocketOptionAccess<Socket, ?> access() {
          return access;
        }

        @Override
        public Socket socket() {
          return socket;
        }

        @Override
        public void close() {
          try {
            socket.close();
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        }
      };
    }
  }

  /** Reads back an idle one second longer than the kernel holds. */
  private static final class Lying extends ForwardingAccess<Socket> {
    Lying() {
      super(SocketAccess.SOCKET);
    }

    @Override
    public int read(Socket socket, KeepaliveOption option) throws IOException {
      int real = super.read(socket, option);
      return option == KeepaliveOption.TCP_KEEPIDLE ? real + 1 : real;
    }
  }

  /** The JDK's socket, plus a TCP_USER_TIMEOUT it keeps itself. */
  private static final class WithUserTimeout extends ForwardingAccess<Socket> {
    private volatile int userTimeout;

    WithUserTimeout() {
      super(SocketAccess.SOCKET);
    }

    @Override
    public String unsupported(Socket socket, KeepaliveOption option) {
      return option == KeepaliveOption.TCP_USER_TIMEOUT ? null : super.unsupported(socket, option);
    }

    @Override
    public int read(Socket socket, KeepaliveOption option) throws IOException {
      return option == KeepaliveOption.TCP_USER_TIMEOUT ? userTimeout : super.read(socket, option);
    }

    @Override
    public void write(Socket socket, KeepaliveOption option, int value) throws IOException {
      if (option == KeepaliveOption.TCP_USER_TIMEOUT) {
        userTimeout = value;
      } else {
        super.write(socket, option, value);
      }
    }
  }
}
