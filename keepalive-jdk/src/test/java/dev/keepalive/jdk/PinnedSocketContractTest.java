package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keepalive.KeepalivePolicy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The adapter contract on pinned sockets from {@link KeepaliveSocketFactory}: the library's own
 * apply (strict, transactional, lenient, undo on failure) works through the pin. Each socket starts
 * with {@link #FACTORY} applied, checked on arrival.
 */
class PinnedSocketContractTest extends SocketContractTest {
  static final KeepalivePolicy FACTORY = KeepalivePolicy.ofSeconds(700, 70, 7);

  @Override
  protected Socket connect(InetAddress address) throws Exception {
    try (ServerSocket server = Loopback.listen(address)) {
      Socket client = KeepaliveSocketFactory.of(FACTORY).createSocket(server.getInetAddress(),
          server.getLocalPort());
      loopback.keep(client, server.accept());
      assertEquals(FACTORY, Keepalive.inspect(client), "the factory's socket has the policy");
      return client;
    }
  }
}
