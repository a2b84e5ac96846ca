package dev.keepalive.kernel;

import dev.keepalive.KeepalivePolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

/** The socket kinds the proof covers, each through its own adapter in the library. */
enum Adapter {
  SOCKET("java.net.Socket", null),
  SOCKET_CHANNEL("SocketChannel", null),
  NETTY_NIO("Netty NIO", NettyTransport.NIO),
  NETTY_EPOLL("Netty epoll", NettyTransport.EPOLL),
  NETTY_IO_URING("Netty io_uring", NettyTransport.IO_URING);

  private final String label;
  private final NettyTransport transport;

  Adapter(String label, NettyTransport transport) {
    this.label = label;
    this.transport = transport;
  }

  String label() {
    return label;
  }

  /** Why this adapter cannot run on this machine, or empty if it can. */
  Optional<String> unavailability() {
    return transport == null ? Optional.empty() : transport.unavailability();
  }

  /**
   * Whether this adapter can set TCP_USER_TIMEOUT: the JDK has no such option, so neither
   * java.net/java.nio nor Netty's NIO transport can; epoll and io_uring can.
   */
  boolean userTimeout() {
    return transport == NettyTransport.EPOLL || transport == NettyTransport.IO_URING;
  }

  Client connect(InetSocketAddress peer, KeepalivePolicy policy) throws Exception {
    switch (this) {
      case SOCKET:
        return new SocketClient(peer, policy);
      case SOCKET_CHANNEL:
        return new SocketChannelClient(peer, policy);
      default:
        return new NettyClient(transport, peer, policy);
    }
  }

  Server listen(InetAddress address, KeepalivePolicy policy) throws Exception {
    switch (this) {
      case SOCKET:
        return JdkServers.serverSocket(address, policy);
      case SOCKET_CHANNEL:
        return JdkServers.serverSocketChannel(address, policy);
      default:
        return new NettyServer(transport, address, policy);
    }
  }
}
