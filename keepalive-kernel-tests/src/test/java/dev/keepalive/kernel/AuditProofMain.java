package dev.keepalive.kernel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;

/**
 * The audited process of {@link AuditProofTest} and {@link AuditProofApplyTest}, run as
 * {@code unshare -n -- java ... AuditProofMain NAMESPACE [off]}: a client and its peer on
 * {@code lo}, the client with keepalive 2/1/3 (set with raw JDK calls), or with {@code off} as the
 * JDK leaves it, off (for the apply proof, which fixes it from outside with
 * {@code keepalive-audit --apply}); one byte from the peer (the last thing the client ever
 * receives), then the peer is silenced with nftables and the client blocks in a read until the
 * kernel declares the peer dead (with keepalive off, never, unless a policy is applied).
 *
 * <p>Prints {@code silenced LOCAL_PORT} once the peer is silent, then {@code dead MESSAGE} when the
 * read fails; waits for the end of standard input (so the dead socket can still be audited), at most
 * 60 s in all.
 */
public final class AuditProofMain {

  private AuditProofMain() {}

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
        if (!(args.length > 1 && args[1].equals("off"))) {
          client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
          client.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 2);
          client.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
          client.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
        }
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
          // the test audits or reads the result, then closes our input
        }
      }
    }
  }
}
