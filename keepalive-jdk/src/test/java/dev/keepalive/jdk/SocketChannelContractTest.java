package dev.keepalive.jdk;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.contract.KeepaliveAdapterContract;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;

/** The adapter contract on {@link SocketChannel}. */
class SocketChannelContractTest extends KeepaliveAdapterContract<SocketChannel> {
  private final Loopback loopback = new Loopback();

  @Override
  protected SocketChannel connect(InetAddress address) throws Exception {
    try (ServerSocket server = Loopback.listen(address)) {
      // A blocking connect to a listening loopback port completes at once (SYN queue, no accept).
      SocketChannel client = SocketChannel.open(server.getLocalSocketAddress());
      return loopback.keep(client, server.accept());
    }
  }

  @Override
  protected ApplyReport apply(SocketChannel socket, KeepalivePolicy policy, ApplyMode mode)
      throws Exception {
    return Keepalive.apply(socket, policy, mode);
  }

  @Override
  protected KeepalivePolicy inspect(SocketChannel socket) throws Exception {
    return Keepalive.inspect(socket);
  }

  @Override
  protected void close(SocketChannel socket) throws Exception {
    loopback.close(socket);
  }

  @Override
  protected Class<? extends Exception> closedSocketException() {
    return ClosedChannelException.class;
  }
}
