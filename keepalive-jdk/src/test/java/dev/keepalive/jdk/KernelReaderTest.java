package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.contract.KernelReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The independent C reader the other modules' tests read back with, checked once here. */
@Timeout(60)
class KernelReaderTest {

  @Test
  void readsEveryFieldOfThisJvmsSockets() throws Exception {
    assumeTrue(KernelReader.unavailable().isEmpty(), () -> KernelReader.unavailable().get());
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket on = new Socket();
        Socket off = new Socket()) {
      on.connect(server.getLocalSocketAddress());
      off.connect(server.getLocalSocketAddress());
      try (Socket a = server.accept(); Socket b = server.accept()) {
        assertEquals(2, java.util.stream.Stream.of(a, b).filter(Socket::isConnected).count());
        Keepalive.apply(on, KeepalivePolicy.ofSeconds(61, 11, 4));
        Keepalive.apply(off, KeepalivePolicy.disabled());
        List<KernelReader.Socket> read = KernelReader.connectionsTo(ProcessHandle.current().pid(),
            server.getLocalPort());
        assertEquals(2, read.size(), read.toString());
        int onPort = ((InetSocketAddress) on.getLocalSocketAddress()).getPort();
        for (KernelReader.Socket s : read) {
          assertEquals(s.localPort() == onPort ? "61/11/4" : "off", s.keepaliveFields(),
              s.toString());
          assertEquals(server.getLocalPort(), s.remotePort());
        }
      }
    }
  }
}
