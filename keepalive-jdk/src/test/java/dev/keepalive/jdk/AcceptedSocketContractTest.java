package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keepalive.KeepalivePolicy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The adapter contract on server-side sockets from {@link Keepalive#accept(ServerSocket,
 * KeepalivePolicy)}: each starts with {@link #ACCEPTED} applied, checked on arrival.
 */
class AcceptedSocketContractTest extends SocketContractTest {
  static final KeepalivePolicy ACCEPTED = KeepalivePolicy.ofSeconds(600, 60, 6);

  @Override
  protected Socket connect(InetAddress address) throws Exception {
    try (ServerSocket server = Loopback.listen(address)) {
      Socket client = new Socket();
      client.connect(server.getLocalSocketAddress(), Loopback.TIMEOUT_MILLIS);
      Socket accepted = loopback.keep(Keepalive.accept(server, ACCEPTED), client);
      assertEquals(ACCEPTED, Keepalive.inspect(accepted), "the accepted socket has the policy");
      return accepted;
    }
  }
}
