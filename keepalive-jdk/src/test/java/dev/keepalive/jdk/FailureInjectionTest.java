package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.verify;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.jdk.internal.Applier;
import dev.keepalive.jdk.internal.SocketAccess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.concurrent.atomic.AtomicReference;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mockito.InOrder;

/**
 * A kernel refusal injected part-way through an apply (Mockito spy on the socket operations): what
 * each mode leaves on the socket, read back from the real kernel. The third option set is
 * TCP_KEEPCOUNT ({@link ApplyReport#optionsOf} order: idle, interval, count, SO_KEEPALIVE).
 */
@Timeout(30)
class FailureInjectionTest {
  private static final KeepalivePolicy FIRST = KeepalivePolicy.ofSeconds(91, 17, 3);
  private static final KeepalivePolicy SECOND = KeepalivePolicy.ofSeconds(301, 29, 5);

  private final Loopback loopback = new Loopback();
  private final SocketAccess<Socket> access = spy(new ForwardingAccess<>(SocketAccess.SOCKET));
  private Socket socket;

  @BeforeEach
  void connectWithFirstPolicy() throws IOException {
    socket = loopback.socket(InetAddress.getLoopbackAddress());
    Keepalive.apply(socket, FIRST);
    assertEquals(FIRST, Keepalive.inspect(socket));
  }

  @AfterEach
  void close() throws IOException {
    loopback.close(socket);
  }

  private void failOn(SocketOption<?> option, Exception failure) throws IOException {
    doThrow(failure).when(access).setOption(eq(socket), eq(option), any());
  }

  private static <T> void assertOption(Socket s, SocketOption<T> option, T expected)
      throws IOException {
    assertEquals(expected, s.getOption(option), option.name());
  }

  @Test
  void transactionalRestoresTheFirstTwoOptionsWhenTheThirdFails() throws IOException {
    SocketException injected = new SocketException("injected: Invalid argument");
    failOn(ExtendedSocketOptions.TCP_KEEPCOUNT, injected);

    SocketException thrown = assertThrows(SocketException.class,
        () -> Applier.apply(access, socket, SECOND, ApplyMode.TRANSACTIONAL));

    assertSame(injected, thrown);
    assertEquals(FIRST, Keepalive.inspect(socket), "idle and interval restored, keepalive on");
    InOrder order = inOrder(access);
    order.verify(access).setOption(socket, ExtendedSocketOptions.TCP_KEEPIDLE, 301);
    order.verify(access).setOption(socket, ExtendedSocketOptions.TCP_KEEPINTERVAL, 29);
    order.verify(access).setOption(socket, ExtendedSocketOptions.TCP_KEEPCOUNT, 5);
    order.verify(access).setOption(socket, ExtendedSocketOptions.TCP_KEEPINTERVAL, 17);
    order.verify(access).setOption(socket, ExtendedSocketOptions.TCP_KEEPIDLE, 91);
    verify(access, never()).setOption(eq(socket), eq(StandardSocketOptions.SO_KEEPALIVE), any());
  }

  @Test
  void strictLeavesKeepaliveOffWhenTheThirdOptionFails() throws IOException {
    SocketException injected = new SocketException("injected: Invalid argument");
    failOn(ExtendedSocketOptions.TCP_KEEPCOUNT, injected);

    SocketException thrown = assertThrows(SocketException.class,
        () -> Applier.apply(access, socket, SECOND, ApplyMode.STRICT));

    assertSame(injected, thrown);
    assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(socket),
        "keepalive must not run with idle and interval of one policy and probes of another");
    // The half-applied values are there, but inert while SO_KEEPALIVE is off.
    assertOption(socket, ExtendedSocketOptions.TCP_KEEPIDLE, 301);
    assertOption(socket, ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
  }

  @Test
  void strictFailureOnTheFirstOptionChangesNothing() throws IOException {
    failOn(ExtendedSocketOptions.TCP_KEEPIDLE, new SocketException("injected"));

    assertThrows(SocketException.class, () -> Applier.apply(access, socket, SECOND,
        ApplyMode.STRICT));

    assertEquals(FIRST, Keepalive.inspect(socket), "the old policy is whole: left running");
    verify(access, never()).setOption(eq(socket), eq(StandardSocketOptions.SO_KEEPALIVE), any());
  }

  @Test
  void failureWhileUndoingIsAttachedAsSuppressed() throws IOException {
    SocketException injected = new SocketException("injected on TCP_KEEPCOUNT");
    SocketException alsoInjected = new SocketException("injected on SO_KEEPALIVE");
    failOn(ExtendedSocketOptions.TCP_KEEPCOUNT, injected);
    failOn(StandardSocketOptions.SO_KEEPALIVE, alsoInjected);

    SocketException thrown = assertThrows(SocketException.class,
        () -> Applier.apply(access, socket, SECOND, ApplyMode.STRICT));

    assertSame(injected, thrown);
    assertEquals(1, thrown.getSuppressed().length);
    assertSame(alsoInjected, thrown.getSuppressed()[0]);
  }

  /**
   * Regression (issue 13, D1): in a network namespace whose {@code net.ipv4.tcp_keepalive_time} is
   * 86400 (legal, but above setsockopt's 32767), an unset TCP_KEEPIDLE reads back as 86400, and
   * restoring that value is refused by the kernel. Transactional used to leave idle=300 with
   * SO_KEEPALIVE on: the new idle with the old interval and probes. The namespace default is
   * reported through the injected read; the refusal of 86400 is the real kernel's.
   */
  @Test
  void transactionalWhoseRestoreTheKernelRefusesLeavesKeepaliveOffNeverAMix() throws IOException {
    socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 7200);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 75);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 9);
    doReturn(86400).when(access).getOption(socket, ExtendedSocketOptions.TCP_KEEPIDLE);
    SocketException refused = new SocketException("injected: Invalid argument (TCP_KEEPCNT=77)");
    failOn(ExtendedSocketOptions.TCP_KEEPCOUNT, refused);

    SocketException thrown = assertThrows(SocketException.class, () -> Applier.apply(access,
        socket, KeepalivePolicy.ofSeconds(300, 30, 77), ApplyMode.TRANSACTIONAL));

    assertSame(refused, thrown);
    assertEquals(KeepalivePolicy.disabled(), Keepalive.inspect(socket),
        "keepalive off rather than idle=300s with interval=75s, probes=9");
    Throwable[] suppressed = thrown.getSuppressed();
    assertEquals(2, suppressed.length, java.util.Arrays.toString(suppressed));
    assertTrue(suppressed[0] instanceof SocketException, "the kernel's refusal of 86400");
    assertEquals("TRANSACTIONAL could not restore TCP_KEEPIDLE=86400, so SO_KEEPALIVE was switched"
        + " off rather than left on with a mix of the old and the new policy",
        suppressed[1].getMessage());
  }

  /**
   * Regression (issue 13, D4): a socket closed by another thread during a lenient apply used to
   * give a report with the remaining options FAILED; a closed socket is the JDK's closed-socket
   * exception in every mode.
   */
  @Test
  void lenientOnASocketClosedDuringTheCallThrowsTheClosedSocketException() throws IOException {
    doAnswer(call -> {
      socket.close();
      return call.callRealMethod();
    }).when(access).setOption(eq(socket), eq(ExtendedSocketOptions.TCP_KEEPINTERVAL), any());

    SocketException e = assertThrows(SocketException.class,
        () -> Applier.apply(access, socket, SECOND, ApplyMode.LENIENT));

    assertEquals("Socket is closed", e.getMessage());
  }

  @Test
  void lenientRecordsTheFailedOptionAndAppliesTheRest() throws IOException {
    failOn(ExtendedSocketOptions.TCP_KEEPCOUNT, new SocketException("injected"));

    ApplyReport report = Applier.apply(access, socket, SECOND, ApplyMode.LENIENT);

    assertEquals(ApplyReport.Status.FAILED, report.status(KeepaliveOption.TCP_KEEPCOUNT));
    assertTrue(report.entries().get(2).detail().contains("injected"), report::toString);
    assertEquals(java.util.Set.of(KeepaliveOption.TCP_KEEPCOUNT), report.notApplied());
    assertEquals(KeepalivePolicy.ofSeconds(301, 29, 3), Keepalive.inspect(socket));
  }

  @Test
  void jdkRefusingAnOptionTheSupportCheckAllowedIsTheTypedException() throws IOException {
    // A Socket on a SocketImpl of the caller's own can lack an option its class usually has.
    UnsupportedOperationException jdk = new UnsupportedOperationException("'TCP_KEEPIDLE' not supported");
    failOn(ExtendedSocketOptions.TCP_KEEPIDLE, jdk);

    UnsupportedKeepaliveOptionException e = assertThrows(UnsupportedKeepaliveOptionException.class,
        () -> Applier.apply(access, socket, SECOND, ApplyMode.STRICT));

    assertEquals(KeepaliveOption.TCP_KEEPIDLE, e.option());
    assertSame(jdk, e.getCause());
    assertTrue(e.getMessage().contains("'TCP_KEEPIDLE' not supported"), e::getMessage);
    assertEquals(FIRST, Keepalive.inspect(socket));
  }

  @Test
  void acceptClosesTheAcceptedSocketWhenApplyFails() throws IOException {
    AtomicReference<Socket> accepted = new AtomicReference<>();
    SocketAccess<Socket> failing = spy(new ForwardingAccess<>(SocketAccess.SOCKET));
    doThrow(new SocketException("injected")).when(failing).setOption(
        org.mockito.ArgumentMatchers.argThat(s -> {
          accepted.set(s);
          return true;
        }), eq(ExtendedSocketOptions.TCP_KEEPCOUNT), any());
    try (ServerSocket server = Loopback.listen(InetAddress.getLoopbackAddress());
        Socket client = new Socket()) {
      client.connect(server.getLocalSocketAddress(), Loopback.TIMEOUT_MILLIS);
      client.setSoTimeout(Loopback.TIMEOUT_MILLIS);

      assertThrows(SocketException.class, () -> Applier.accept(failing, server, SECOND));

      assertTrue(accepted.get().isClosed(), "the accepted socket is ours to close");
      try (InputStream in = client.getInputStream()) {
        assertEquals(-1, in.read(), "the client sees the connection closed");
      }
    }
  }

  @Test
  void transactionalSnapshotCostsOneReadPerOption() throws IOException {
    Applier.apply(access, socket, SECOND, ApplyMode.TRANSACTIONAL);
    verify(access).getOption(socket, ExtendedSocketOptions.TCP_KEEPIDLE);
    verify(access).getOption(socket, ExtendedSocketOptions.TCP_KEEPINTERVAL);
    verify(access).getOption(socket, ExtendedSocketOptions.TCP_KEEPCOUNT);
    verify(access).getOption(socket, StandardSocketOptions.SO_KEEPALIVE);
    assertEquals(SECOND, Keepalive.inspect(socket));
  }

  @Test
  void strictPathReadsNothing() throws IOException {
    assertNotEquals(SECOND, Keepalive.inspect(socket));
    Applier.apply(access, socket, SECOND, ApplyMode.STRICT);
    verify(access, never()).getOption(any(), any());
    assertFalse(socket.isClosed());
    assertEquals(SECOND, Keepalive.inspect(socket));
  }
}
