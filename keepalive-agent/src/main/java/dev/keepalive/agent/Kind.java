package dev.keepalive.agent;

import dev.keepalive.jdk.internal.SocketAccess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;

/**
 * What the hooks ask of one kind of JDK socket, through its public API only: is it connected or
 * closed, its peer and its local port; and the {@link SocketAccess} keepalive-jdk applies through.
 *
 * @param <S> the socket kind
 */
abstract class Kind<S> {

  static final Kind<Socket> SOCKET = new Kind<Socket>("java.net.Socket", SocketAccess.SOCKET) {
    @Override
    boolean connected(Socket s) {
      return s.isConnected();
    }

    @Override
    boolean closed(Socket s) {
      return s.isClosed();
    }

    @Override
    InetSocketAddress remote(Socket s) {
      // The InetAddress keeps the name the application connected to, if it gave one: no lookup.
      return s.getInetAddress() == null ? null : new InetSocketAddress(s.getInetAddress(),
          s.getPort());
    }

    @Override
    int localPort(Socket s) {
      return s.getLocalPort();
    }
  };

  static final Kind<NetworkChannel> CHANNEL =
      new Kind<NetworkChannel>("SocketChannel", SocketAccess.CHANNEL) {
        @Override
        boolean connected(NetworkChannel c) {
          return ((SocketChannel) c).isConnected();
        }

        @Override
        boolean closed(NetworkChannel c) {
          return !c.isOpen();
        }

        @Override
        InetSocketAddress remote(NetworkChannel c) throws IOException {
          SocketAddress a = ((SocketChannel) c).getRemoteAddress();
          return a instanceof InetSocketAddress ? (InetSocketAddress) a : null;
        }
      };

  static final Kind<NetworkChannel> ASYNC =
      new Kind<NetworkChannel>("AsynchronousSocketChannel", SocketAccess.CHANNEL) {
        @Override
        boolean connected(NetworkChannel c) throws IOException {
          return ((AsynchronousSocketChannel) c).getRemoteAddress() != null;
        }

        @Override
        boolean closed(NetworkChannel c) {
          return !c.isOpen();
        }

        @Override
        InetSocketAddress remote(NetworkChannel c) throws IOException {
          SocketAddress a = ((AsynchronousSocketChannel) c).getRemoteAddress();
          return a instanceof InetSocketAddress ? (InetSocketAddress) a : null;
        }
      };

  /** For messages: {@code java.net.Socket}, {@code SocketChannel}, … */
  final String name;
  final SocketAccess<S> access;

  Kind(String name, SocketAccess<S> access) {
    this.name = name;
    this.access = access;
  }

  abstract boolean connected(S socket) throws IOException;

  abstract boolean closed(S socket);

  /**
   * The peer of a connected socket.
   *
   * @return its address, or null if it has none that is an IP address
   */
  abstract InetSocketAddress remote(S socket) throws IOException;

  /**
   * The local port, or -1 if there is none that is an IP port.
   *
   * @param socket the socket
   * @return the port
   * @throws IOException if the socket cannot say
   */
  int localPort(S socket) throws IOException {
    SocketAddress a = ((NetworkChannel) socket).getLocalAddress();
    return a instanceof InetSocketAddress ? ((InetSocketAddress) a).getPort() : -1;
  }
}
