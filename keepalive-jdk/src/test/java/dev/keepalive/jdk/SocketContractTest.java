package dev.keepalive.jdk;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.contract.KeepaliveAdapterContract;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;

/** The adapter contract on {@link java.net.Socket}. */
class SocketContractTest extends KeepaliveAdapterContract<Socket> {
  final Loopback loopback = new Loopback();

  @Override
  protected Socket connect(InetAddress address) throws Exception {
    return loopback.socket(address);
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
