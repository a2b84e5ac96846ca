package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.contract.KeepaliveAdapterContract;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * The adapter contract on server-side sockets from {@link Keepalive#accept(ServerSocket,
 * KeepalivePolicy)}: each starts with {@link #ACCEPTED} applied, checked on arrival.
 */
class AcceptedSocketContractTest extends KeepaliveAdapterContract<Socket> {
  static final KeepalivePolicy ACCEPTED = KeepalivePolicy.ofSeconds(600, 60, 6);
  private final Loopback loopback = new Loopback();

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

  @Override
  protected ApplyReport apply(Socket socket, KeepalivePolicy policy, ApplyMode mode)
      throws Exception {
    return Keepalive.apply(socket, policy, mode);
  }

  @Override
  protected KeepalivePolicy inspect(Socket socket) throws Exception {
    return Keepalive.inspect(socket);
  }

  @Override
  protected void close(Socket socket) throws Exception {
    loopback.close(socket);
  }

  @Override
  protected Class<? extends Exception> closedSocketException() {
    return SocketException.class;
  }
}
