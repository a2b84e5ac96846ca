package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.KeepalivePolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link KeepaliveSSLSocketFactory} against a real TLS server on loopback (a self-signed key made
 * by the JDK's keytool): direct sockets carry the policy pinned and complete a handshake; the
 * layered overload applies it to the caller's socket; the unconnected one carries it unpinned.
 */
@Timeout(120)
class KeepaliveSSLSocketFactoryTest {

  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(87, 11, 5);
  private static final char[] PASSWORD = "changeit".toCharArray();

  private static Path dir;
  private static SSLContext server;
  private static SSLContext client;
  private static ExecutorService executor;

  private final List<AutoCloseable> open = new ArrayList<>();
  private LogCapture log;

  /** One direct createSocket overload, to {@code address:port}. */
  interface Direct {
    Socket create(KeepaliveSSLSocketFactory factory, InetAddress address, int port)
        throws IOException;
  }

  @BeforeAll
  static void makeKeyAndContexts() throws Exception {
    dir = Files.createTempDirectory("keepalive-tls");
    Path keystore = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool")
        .toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore",
        keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool finished");
    assertEquals(0, keytool.exitValue(), () -> "keytool: " + read(dir.resolve("keytool.log")));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, PASSWORD);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD);
    server = SSLContext.getInstance("TLS");
    server.init(kmf.getKeyManagers(), null, null);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(keys);
    client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);
    executor = Executors.newCachedThreadPool();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @AfterAll
  static void deleteKeyAndStop() throws IOException {
    if (executor != null) {
      executor.shutdownNow();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
  }

  @BeforeEach
  void captureLog() {
    log = LogCapture.factory();
  }

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    log.close();
  }

  /** A TLS listener that answers each byte it reads with the same byte, one connection. */
  private SSLServerSocket echoServer(InetAddress loopback) throws IOException {
    SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket();
    open.add(listener);
    listener.bind(new InetSocketAddress(loopback, 0));
    listener.setSoTimeout(Loopback.TIMEOUT_MILLIS);
    Future<?> served = executor.submit(() -> {
      try (Socket accepted = listener.accept()) {
        accepted.setSoTimeout(Loopback.TIMEOUT_MILLIS);
        int b;
        while ((b = accepted.getInputStream().read()) >= 0) {
          accepted.getOutputStream().write(b);
          accepted.getOutputStream().flush();
        }
      }
      return null;
    });
    open.add(() -> served.cancel(true));
    return listener;
  }

  private Socket keep(Socket socket) {
    open.add(socket);
    return socket;
  }

  /** A byte there and back: the TLS handshake and records run over the keepalive socket. */
  private static void roundTrip(Socket socket) throws IOException {
    socket.setSoTimeout(Loopback.TIMEOUT_MILLIS);
    socket.getOutputStream().write(42);
    socket.getOutputStream().flush();
    assertEquals(42, socket.getInputStream().read());
  }

  static Stream<Arguments> directOverloads() {
    Direct host = (f, a, p) -> f.createSocket(a.getHostAddress(), p);
    Direct hostLocal = (f, a, p) -> f.createSocket(a.getHostAddress(), p, a, 0);
    Direct address = (f, a, p) -> f.createSocket(a, p);
    Direct addressLocal = (f, a, p) -> f.createSocket(a, p, a, 0);
    List<Arguments> all = new ArrayList<>();
    for (InetAddress loopback : KeepaliveSocketFactoryTest.loopbacks()) {
      all.add(Arguments.of(loopback, "createSocket(String,int)", host));
      all.add(Arguments.of(loopback, "createSocket(String,int,InetAddress,int)", hostLocal));
      all.add(Arguments.of(loopback, "createSocket(InetAddress,int)", address));
      all.add(Arguments.of(loopback, "createSocket(InetAddress,int,InetAddress,int)",
          addressLocal));
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("directOverloads")
  void directSocketsCarryThePolicyPinnedAndSpeakTls(InetAddress loopback, String name,
      Direct overload) throws Exception {
    SSLServerSocket listener = echoServer(loopback);
    KeepaliveSSLSocketFactory factory =
        KeepaliveSSLSocketFactory.of(POLICY, client.getSocketFactory());
    Socket socket = keep(overload.create(factory, loopback, listener.getLocalPort()));
    assertInstanceOf(SSLSocket.class, socket);
    roundTrip(socket);
    assertEquals(POLICY, Keepalive.inspect(socket), name);
    socket.setKeepAlive(false);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 5);
    assertEquals(POLICY, Keepalive.inspect(socket), "pinned through the TLS socket");
    roundTrip(socket);
  }

  @Test
  void aPlainTlsSocketDiffersToBeginWith() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    SSLServerSocket listener = echoServer(loopback);
    Socket socket = keep(client.getSocketFactory().createSocket(loopback,
        listener.getLocalPort()));
    roundTrip(socket);
    assertNotEquals(POLICY, Keepalive.inspect(socket));
  }

  @Test
  void layeredOverloadAppliesThePolicyToTheCallersSocket() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    SSLServerSocket listener = echoServer(loopback);
    Socket plain = keep(new Socket(loopback, listener.getLocalPort()));
    assertNotEquals(POLICY, Keepalive.inspect(plain));
    Socket tls = keep(KeepaliveSSLSocketFactory.of(POLICY, client.getSocketFactory())
        .createSocket(plain, "localhost", listener.getLocalPort(), true));
    roundTrip(tls);
    assertEquals(POLICY, Keepalive.inspect(plain));
    assertEquals(POLICY, Keepalive.inspect(tls));
  }

  @Test
  void layeredOverTheFactoriesOwnPlainSocketIsPinned() throws Exception {
    // pgjdbc's sslmode=require: TLS layered over the plain socket from socketFactory.
    InetAddress loopback = InetAddress.getLoopbackAddress();
    SSLServerSocket listener = echoServer(loopback);
    Socket plain = keep(KeepaliveSocketFactory.of(POLICY).createSocket(loopback,
        listener.getLocalPort()));
    Socket tls = keep(client.getSocketFactory().createSocket(plain, "localhost",
        listener.getLocalPort(), true));
    roundTrip(tls);
    tls.setKeepAlive(false);
    assertEquals(POLICY, Keepalive.inspect(tls));
  }

  @Test
  void unconnectedSocketCarriesThePolicyButIsNotPinned() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    SSLServerSocket listener = echoServer(loopback);
    Socket socket = keep(KeepaliveSSLSocketFactory.of(POLICY, client.getSocketFactory())
        .createSocket());
    assertInstanceOf(SSLSocket.class, socket);
    assertEquals(POLICY, Keepalive.inspect(socket), "before it connects");
    socket.connect(listener.getLocalSocketAddress(), Loopback.TIMEOUT_MILLIS);
    roundTrip(socket);
    assertEquals(POLICY, Keepalive.inspect(socket));
    socket.setKeepAlive(false);
    assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(socket), "the JDK's TLS socket class"
        + " cannot be subclassed: a client's later call takes effect");
  }

  @Test
  void overridableFactoryLetsTheClientWin() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    SSLServerSocket listener = echoServer(loopback);
    KeepaliveSSLSocketFactory factory =
        KeepaliveSSLSocketFactory.of(POLICY, client.getSocketFactory()).overridable();
    assertFalse(factory.isPinned());
    assertSame(factory, factory.overridable());
    Socket socket = keep(factory.createSocket(loopback, listener.getLocalPort()));
    roundTrip(socket);
    assertEquals(POLICY, Keepalive.inspect(socket));
    socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 2);
    assertEquals(KeepalivePolicy.ofSeconds(87, 11, 2), Keepalive.inspect(socket));
  }

  @Test
  void applyFailureOnTheUnconnectedSocketClosesIt() {
    List<Socket> made = new ArrayList<>();
    SSLSocketFactory failing = new ForwardingSSLSocketFactory(client.getSocketFactory()) {
      @Override
      public Socket createSocket() {
        // A socket the kernel refuses TCP_KEEPCOUNT on.
        Socket socket = new Socket() {
          @Override
          public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
            if (name == ExtendedSocketOptions.TCP_KEEPCOUNT) {
              throw new SocketException("injected failure on TCP_KEEPCOUNT");
            }
            return super.setOption(name, value);
          }
        };
        made.add(socket);
        return socket;
      }
    };
    SocketException e = assertThrows(SocketException.class,
        () -> KeepaliveSSLSocketFactory.of(POLICY, failing).createSocket());
    assertEquals("injected failure on TCP_KEEPCOUNT", e.getMessage());
    assertTrue(made.get(0).isClosed(), "the socket that could not be configured is closed");
  }

  @Test
  void defaultFactoryAndDescription() {
    KeepaliveSSLSocketFactory factory = KeepaliveSSLSocketFactory.of(POLICY);
    assertEquals(POLICY, factory.policy());
    assertTrue(factory.isPinned());
    assertTrue(factory.toString().startsWith(
        "KeepaliveSSLSocketFactory[policy=idle=87s,interval=11s,probes=5, pinned, delegate "),
        factory.toString());
    javax.net.ssl.SSLSocketFactory tls = (javax.net.ssl.SSLSocketFactory)
        javax.net.ssl.SSLSocketFactory.getDefault();
    assertEquals(KeepaliveSSLSocketFactory.of(POLICY, tls), KeepaliveSSLSocketFactory.of(POLICY, tls));
    assertEquals(KeepaliveSSLSocketFactory.of(POLICY, tls).hashCode(),
        KeepaliveSSLSocketFactory.of(POLICY, tls).hashCode());
    assertFalse(factory.equals(factory.overridable()));
    assertTrue(factory.overridable().toString().contains(", overridable, delegate "),
        factory.overridable().toString());
    assertTrue(factory.getSupportedCipherSuites().length > 0);
    assertTrue(factory.getDefaultCipherSuites().length > 0);
  }

  @Test
  void getDefaultReadsTheConfigurationOnEveryCall() {
    Assumptions.assumeTrue(System.getenv(KeepaliveSocketFactory.POLICY_ENVIRONMENT_VARIABLE) == null,
        "KEEPALIVE_POLICY is set in this environment");
    String saved = System.getProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
    try {
      System.clearProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
      // Not the inherited SSLSocketFactory.getDefault(), which would have no keepalive at all.
      IllegalStateException e = assertThrows(IllegalStateException.class,
          KeepaliveSSLSocketFactory::getDefault);
      assertTrue(e.getMessage().startsWith("no keepalive policy configured"), e.getMessage());
      System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=87s,interval=11s,probes=5");
      SocketFactory factory = KeepaliveSSLSocketFactory.getDefault();
      assertEquals(POLICY, ((KeepaliveSSLSocketFactory) factory).policy());
      assertTrue(((KeepaliveSSLSocketFactory) factory).isPinned());
    } finally {
      if (saved == null) {
        System.clearProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
      } else {
        System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, saved);
      }
    }
  }

  /** Forwards every method, so a test can change one. */
  static class ForwardingSSLSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;

    ForwardingSSLSocketFactory(SSLSocketFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return delegate.createSocket();
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose)
        throws IOException {
      return delegate.createSocket(s, host, port, autoClose);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return delegate.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
        int localPort) throws IOException {
      return delegate.createSocket(address, port, localAddress, localPort);
    }
  }
}
