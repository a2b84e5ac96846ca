package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The public entry points' own rules, beyond the adapter contract. */
@Timeout(30)
class KeepaliveTest {
  private static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(90, 15, 2);
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final Loopback loopback = new Loopback();

  @Test
  void nullArgumentsAreRefusedNamingTheParameter() throws IOException {
    Socket socket = loopback.socket(LOOPBACK);
    try {
      assertEquals("socket must not be null", assertThrows(NullPointerException.class,
          () -> Keepalive.apply((Socket) null, POLICY)).getMessage());
      assertEquals("channel must not be null", assertThrows(NullPointerException.class,
          () -> Keepalive.apply((NetworkChannel) null, POLICY)).getMessage());
      assertEquals("policy must not be null", assertThrows(NullPointerException.class,
          () -> Keepalive.apply(socket, null)).getMessage());
      assertEquals("mode must not be null", assertThrows(NullPointerException.class,
          () -> Keepalive.apply(socket, POLICY, null)).getMessage());
      assertEquals("socket must not be null", assertThrows(NullPointerException.class,
          () -> Keepalive.inspect((Socket) null)).getMessage());
      assertEquals("channel must not be null", assertThrows(NullPointerException.class,
          () -> Keepalive.inspect((NetworkChannel) null)).getMessage());
      assertEquals("server must not be null", assertThrows(NullPointerException.class,
          () -> Keepalive.accept((ServerSocket) null, POLICY)).getMessage());
      assertEquals("server must not be null", assertThrows(NullPointerException.class,
          () -> Keepalive.accept((ServerSocketChannel) null, POLICY)).getMessage());
      assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(socket), "nothing changed");
    } finally {
      loopback.close(socket);
    }
  }

  @Test
  void listeningChannelIsRefusedPointingToAccept() throws IOException {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(LOOPBACK, 0));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Keepalive.apply(server, POLICY));
      assertTrue(e.getMessage().contains("Keepalive.accept(ServerSocketChannel, policy)"),
          e::getMessage);
      assertThrows(IllegalArgumentException.class, () -> Keepalive.inspect(server));
    }
    try (AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Keepalive.apply(server, POLICY, ApplyMode.LENIENT));
      assertTrue(e.getMessage().contains("listener"), e::getMessage);
    }
  }

  @Test
  void datagramChannelIsRefused() throws IOException {
    try (DatagramChannel udp = DatagramChannel.open()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Keepalive.apply(udp, POLICY));
      assertTrue(e.getMessage().contains("TCP"), e::getMessage);
    }
  }

  @Test
  void unixDomainChannelHasNoKeepaliveOptions(@TempDir Path dir) throws IOException {
    UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("s"));
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(address);
      try (SocketChannel client = SocketChannel.open(address);
          SocketChannel peer = server.accept()) {
        assertNotNull(peer);
        UnsupportedKeepaliveOptionException e = assertThrows(
            UnsupportedKeepaliveOptionException.class, () -> Keepalive.apply(client, POLICY));
        assertEquals(KeepaliveOption.TCP_KEEPIDLE, e.option());
        assertTrue(e.getMessage().contains("supportedOptions"), e::getMessage);

        ApplyReport report = Keepalive.apply(client, POLICY, ApplyMode.LENIENT);
        assertEquals(ApplyReport.optionsOf(POLICY).size(), report.notApplied().size(),
            report::toString);

        // Regression (issue 13, D3): inspect threw the JDK's raw UnsupportedOperationException.
        UnsupportedKeepaliveOptionException read = assertThrows(
            UnsupportedKeepaliveOptionException.class, () -> Keepalive.inspect(client));
        assertEquals(KeepaliveOption.SO_KEEPALIVE, read.option());
        assertTrue(read.getMessage().contains("cannot read it back"), read::getMessage);
      }
    } finally {
      Files.deleteIfExists(dir.resolve("s"));
    }
  }

  @Test
  void acceptedSocketHasThePolicy() throws IOException {
    try (ServerSocket server = Loopback.listen(LOOPBACK); Socket client = new Socket()) {
      client.connect(server.getLocalSocketAddress(), Loopback.TIMEOUT_MILLIS);
      try (Socket accepted = Keepalive.accept(server, POLICY)) {
        assertEquals(POLICY, Keepalive.inspect(accepted));
        assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(client), "the client is untouched");
      }
    }
  }

  @Test
  void acceptedChannelHasThePolicy() throws IOException {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(LOOPBACK, 0));
      try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
          SocketChannel accepted = Keepalive.accept(server, POLICY)) {
        assertNotEquals(POLICY, Keepalive.inspect(client));
        assertEquals(POLICY, Keepalive.inspect(accepted));
      }
    }
  }

  @Test
  void nonBlockingAcceptWithNothingPendingReturnsNullAsTheJdkDoes() throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(LOOPBACK, 0));
      server.configureBlocking(false);
      assertNull(Keepalive.accept(server, POLICY));

      try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
        assertTrue(client.isConnected());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        SocketChannel accepted = null;
        while (accepted == null && System.nanoTime() < deadline) {
          accepted = Keepalive.accept(server, POLICY);
          if (accepted == null) {
            Thread.sleep(5);
          }
        }
        assertNotNull(accepted, "the pending connection within 5 s");
        try (SocketChannel a = accepted) {
          assertEquals(POLICY, Keepalive.inspect(a));
        }
      }
    }
  }

  @Test
  void acceptRefusesAnInvalidPolicyBeforeTakingTheConnection() throws IOException {
    try (ServerSocket server = Loopback.listen(LOOPBACK); Socket client = new Socket()) {
      client.connect(server.getLocalSocketAddress(), Loopback.TIMEOUT_MILLIS);
      assertThrows(IllegalArgumentException.class,
          () -> Keepalive.accept(server, POLICY.withProbes(200)));
      UnsupportedKeepaliveOptionException e = assertThrows(UnsupportedKeepaliveOptionException.class,
          () -> Keepalive.accept(server, POLICY.withUserTimeout(Duration.ofSeconds(120))));
      assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
      try (Socket stillPending = server.accept()) {
        assertEquals(client.getLocalPort(), stillPending.getPort(), "the connection was not consumed");
      }
    }
  }

  @Test
  void unconnectedSocketTakesThePolicyBeforeConnecting() throws IOException {
    try (ServerSocket server = Loopback.listen(LOOPBACK); Socket client = new Socket()) {
      Keepalive.apply(client, POLICY);
      client.connect(server.getLocalSocketAddress(), Loopback.TIMEOUT_MILLIS);
      try (Socket accepted = server.accept()) {
        assertEquals(client.getLocalPort(), accepted.getPort());
        assertEquals(POLICY, Keepalive.inspect(client));
      }
    }
  }

  @Test
  void errorMessageForLinuxLimitNamesFieldValueAndLimit() throws IOException {
    Socket socket = loopback.socket(LOOPBACK);
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Keepalive.apply(socket, KeepalivePolicy.ofSeconds(40000, 15, 2)));
      org.junit.jupiter.api.Assumptions.assumeTrue(
          dev.keepalive.Platform.current() == dev.keepalive.Platform.LINUX, "Linux's message");
      assertEquals("idle 40000s is beyond Linux's limit: at most 32767s (TCP_KEEPIDLE)"
          + " in idle=40000s,interval=15s,probes=2", e.getMessage());
    } finally {
      loopback.close(socket);
    }
  }

  @Test
  void socketSubclassesTakeThePolicyOnTheUnderlyingConnection() throws IOException {
    // SSLSocketImpl (layered over a plain socket, and direct) and the SocketChannel adaptor are
    // other Socket classes: each gets its own cached support answer and delegates to the kernel.
    try (ServerSocket server = Loopback.listen(LOOPBACK); Socket plain = new Socket()) {
      plain.connect(server.getLocalSocketAddress(), Loopback.TIMEOUT_MILLIS);
      javax.net.ssl.SSLSocketFactory tls =
          (javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault();
      try (Socket peer = server.accept();
          Socket layered = tls.createSocket(plain, "localhost", server.getLocalPort(), false);
          Socket direct = tls.createSocket(LOOPBACK, server.getLocalPort());
          Socket directPeer = server.accept();
          SocketChannel channel = SocketChannel.open(server.getLocalSocketAddress());
          Socket channelPeer = server.accept()) {
        assertEquals(peer.getPort(), plain.getLocalPort());
        assertEquals(directPeer.getPort(), direct.getLocalPort());
        assertEquals(channelPeer.getPort(), channel.socket().getLocalPort());

        Keepalive.apply(layered, POLICY);
        assertEquals(POLICY, Keepalive.inspect(plain), "the layered TLS socket's connection");
        KeepalivePolicy three = POLICY.withProbes(3);
        Keepalive.apply(direct, three);
        assertEquals(three, Keepalive.inspect(direct));
        KeepalivePolicy four = POLICY.withProbes(4);
        Keepalive.apply(channel.socket(), four);
        assertEquals(four, Keepalive.inspect(channel), "the adaptor's channel");
      }
    }
  }

  @Test
  void inspectReadsOptionsNeverSetAsThisNamespacesDefaults() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        dev.keepalive.Platform.current() == dev.keepalive.Platform.LINUX,
        "Linux reads an unset TCP_KEEP* option back as the namespace default");
    Socket socket = loopback.socket(LOOPBACK);
    try {
      assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(socket));
      // SO_KEEPALIVE alone, as most code does it: the kernel's defaults are what runs.
      socket.setOption(java.net.StandardSocketOptions.SO_KEEPALIVE, true);
      assertEquals(dev.keepalive.KernelDefaults.current().policy().orElseThrow(),
          Keepalive.inspect(socket));
    } finally {
      loopback.close(socket);
    }
  }
}
