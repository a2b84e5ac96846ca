package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.Platform;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** keepalive-jdk's README examples, line for line, with their claimed results. */
@Timeout(30)
class ReadmeExamplesTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @Test
  void applyingAPolicyToJdkSockets() throws Exception {
    try (ServerSocket serverSocket = Loopback.listen(LOOPBACK);
        Socket socket = new Socket();
        ServerSocketChannel serverSocketChannel = ServerSocketChannel.open()) {
      socket.connect(serverSocket.getLocalSocketAddress(), Loopback.TIMEOUT_MILLIS);
      serverSocketChannel.bind(new InetSocketAddress(LOOPBACK, 0));
      try (SocketChannel socketChannel = SocketChannel.open(serverSocketChannel.getLocalAddress())) {

        KeepalivePolicy policy = KeepalivePolicy.parse("idle=90s,interval=15s,probes=2");

        Keepalive.apply(socket, policy);
        Keepalive.apply(socketChannel, policy);
        assertEquals("idle=90s,interval=15s,probes=2", Keepalive.inspect(socket).toString());

        try (Socket accepted = Keepalive.accept(serverSocket, policy);
            SocketChannel channel = Keepalive.accept(serverSocketChannel, policy)) {
          assertEquals(policy, Keepalive.inspect(accepted));
          assertEquals(policy, Keepalive.inspect(channel));
        }

        Keepalive.apply(socket, KeepalivePolicy.disabled());
        assertEquals("off", Keepalive.inspect(socket).toString());
        assertEquals(policy, Keepalive.inspect(socketChannel));
      }
    }
  }

  @Test
  void whenItCannotApply() throws Exception {
    Assumptions.assumeTrue(Platform.current() == Platform.LINUX, "the README shows Linux's messages");
    Loopback loopback = new Loopback();
    Socket socket = loopback.socket(LOOPBACK);
    try {
      KeepalivePolicy policy = KeepalivePolicy.parse("idle=90s,interval=15s,probes=2");

      assertEquals("idle 40000s is beyond Linux's limit: at most 32767s (TCP_KEEPIDLE) in"
          + " idle=40000s,interval=15s,probes=2",
          assertThrows(IllegalArgumentException.class,
              () -> Keepalive.apply(socket, policy.withIdle(Duration.ofSeconds(40000))))
              .getMessage());

      KeepalivePolicy withUserTimeout = policy.withUserTimeoutAtDetectionDeadline();
      UnsupportedKeepaliveOptionException e = assertThrows(
          UnsupportedKeepaliveOptionException.class, () -> Keepalive.apply(socket, withUserTimeout));
      assertEquals(KeepaliveOption.TCP_USER_TIMEOUT, e.option());
      assertTrue(e.getMessage().startsWith("TCP_USER_TIMEOUT (userTimeout) cannot be set on JDK "),
          e.getMessage());
      assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(socket), "nothing changed");

      ApplyReport report = Keepalive.apply(socket, withUserTimeout, ApplyMode.LENIENT);
      assertEquals(java.util.Set.of(KeepaliveOption.TCP_USER_TIMEOUT), report.notApplied());
      assertTrue(report.toString().startsWith("idle=90s,interval=15s,probes=2,user-timeout=120s:"
          + " partly applied\n  TCP_KEEPIDLE=90s APPLIED\n  TCP_KEEPINTERVAL=15s APPLIED\n"
          + "  TCP_KEEPCOUNT=2 APPLIED\n  TCP_USER_TIMEOUT=120000ms NOT_SUPPORTED: the JDK has no"
          + " TCP_USER_TIMEOUT socket option"), report.toString());
      assertTrue(report.toString().endsWith("\n  SO_KEEPALIVE=on APPLIED"), report.toString());

      Keepalive.apply(socket, policy, ApplyMode.TRANSACTIONAL);
      assertEquals(policy, Keepalive.inspect(socket));
    } finally {
      loopback.close(socket);
    }
  }

  @Test
  void nonBlockingAcceptReturnsNullLikeTheJdk() throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(LOOPBACK, 0));
      server.configureBlocking(false);
      assertNull(Keepalive.accept(server, KeepalivePolicy.ofSeconds(90, 15, 2)));
    }
  }
}
