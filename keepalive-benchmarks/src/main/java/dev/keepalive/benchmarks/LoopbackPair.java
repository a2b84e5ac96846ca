package dev.keepalive.benchmarks;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A connected loopback TCP pair: the benchmarks set options on {@code client}. */
final class LoopbackPair implements Closeable {
  final SocketChannel client;
  final SocketChannel peer;

  private LoopbackPair(SocketChannel client, SocketChannel peer) {
    this.client = client;
    this.peer = peer;
  }

  static LoopbackPair open() throws IOException {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      SocketChannel client = SocketChannel.open(server.getLocalAddress());
      return new LoopbackPair(client, server.accept());
    }
  }

  /** A blocking java.net.Socket connected to a loopback peer. */
  static Socket[] openSocket() throws IOException {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Socket client = new Socket();
      client.connect(server.getLocalAddress());
      return new Socket[] {client, server.accept().socket()};
    }
  }

  @Override
  public void close() throws IOException {
    try (peer) {
      client.close();
    }
  }
}
