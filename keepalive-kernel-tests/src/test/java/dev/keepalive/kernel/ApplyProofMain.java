package dev.keepalive.kernel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The process {@link AuditProofApplyTest} fixes from outside, run as {@code unshare -n -- java
 * ...}: a client with keepalive OFF (the JDK's default) and its peer on {@code lo}; one byte from
 * the peer (the last thing the client ever receives), then the peer is silenced with nftables and
 * the client blocks in a read. With keepalive off it would block forever; the test applies a
 * policy with {@code keepalive-audit --apply} and the kernel then declares the peer dead.
 *
 * <p>Prints {@code silenced LOCAL_PORT} once the peer is silent, then {@code dead MESSAGE} when the
 * read fails; waits for the end of standard input, at most 60 s in all.
 */
public final class ApplyProofMain {

  private ApplyProofMain() {}

  public static void main(String[] args) throws Exception {
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        return;
      }
      Runtime.getRuntime().halt(3);
    });
    watchdog.setDaemon(true);
    watchdog.start();
    Namespace.enter(args[0]);
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int peerPort = ((InetSocketAddress) server.getLocalAddress()).getPort();
      try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
          SocketChannel peer = server.accept()) {
        peer.write(ByteBuffer.wrap(new byte[] {42}));
        if (client.read(ByteBuffer.allocate(1)) != 1) {
          throw new IOException("the peer's byte did not arrive");
        }
        Namespace.silence(peerPort);
        System.out.println("silenced "
            + ((InetSocketAddress) client.getLocalAddress()).getPort());
        System.out.flush();
        try {
          int n = client.read(ByteBuffer.allocate(1));
          System.out.println("dead read returned " + n);
        } catch (IOException e) {
          System.out.println("dead " + e.getMessage());
        }
        System.out.flush();
        while (System.in.read() >= 0) {
          // the test reads the result, then closes our input
        }
      }
    }
  }
}
