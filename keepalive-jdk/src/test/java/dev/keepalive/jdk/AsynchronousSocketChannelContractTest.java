package dev.keepalive.jdk;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.contract.KeepaliveAdapterContract;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/** The adapter contract on {@link AsynchronousSocketChannel}. */
class AsynchronousSocketChannelContractTest
    extends KeepaliveAdapterContract<AsynchronousSocketChannel> {
  private final Loopback loopback = new Loopback();

  @Override
  protected AsynchronousSocketChannel connect(InetAddress address) throws Exception {
    try (ServerSocket server = Loopback.listen(address)) {
      AsynchronousSocketChannel client = AsynchronousSocketChannel.open();
      try {
        client.connect(server.getLocalSocketAddress())
            .get(Loopback.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        return loopback.keep(client, server.accept());
      } catch (Exception e) {
        client.close();
        throw e;
      }
    }
  }

  @Override
  protected ApplyReport apply(AsynchronousSocketChannel socket, KeepalivePolicy policy,
      ApplyMode mode) throws Exception {
    return Keepalive.apply(socket, policy, mode);
  }

  @Override
  protected KeepalivePolicy inspect(AsynchronousSocketChannel socket) throws Exception {
    return Keepalive.inspect(socket);
  }

  @Override
  protected void close(AsynchronousSocketChannel socket) throws Exception {
    loopback.close(socket);
  }

  @Override
  protected Class<? extends Exception> closedSocketException() {
    return ClosedChannelException.class;
  }
}
