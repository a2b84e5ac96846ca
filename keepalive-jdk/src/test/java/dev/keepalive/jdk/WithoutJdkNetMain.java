package dev.keepalive.jdk;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * Run by {@link WithoutJdkNetTest} in a child JVM started with {@code --limit-modules java.base}:
 * prints one {@code key=value} line per observation. Uses nothing outside java.base and the
 * library, so a NoClassDefFoundError anywhere in the library would end it with a stack trace.
 */
public final class WithoutJdkNetMain {
  private WithoutJdkNetMain() {}

  public static void main(String[] args) throws Exception {
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(90, 15, 2);
    System.out.println("jdkNet=" + JdkOptions.extendedOptionsAvailable());
    System.out.println("tcpOption=" + JdkOptions.tcpOption(dev.keepalive.KeepaliveOption.TCP_KEEPIDLE));
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket socket = new Socket()) {
      socket.connect(server.getLocalSocketAddress(), 5000);
      try (Socket peer = server.accept()) {
        System.out.println("connected=" + (peer.getPort() == socket.getLocalPort()));
        try {
          Keepalive.apply(socket, policy);
          System.out.println("strict=applied");
        } catch (UnsupportedKeepaliveOptionException e) {
          System.out.println("strict.option=" + e.option());
          System.out.println("strict.platform=" + e.platform());
          System.out.println("strict.message=" + e.getMessage());
        }
        System.out.println("afterStrict.keepalive=" + socket.getOption(StandardSocketOptions.SO_KEEPALIVE));
        ApplyReport report = Keepalive.apply(socket, policy, ApplyMode.LENIENT);
        for (ApplyReport.Entry e : report.entries()) {
          System.out.println("lenient." + e.option() + "=" + e.status());
        }
        System.out.println("afterLenient.keepalive=" + socket.getOption(StandardSocketOptions.SO_KEEPALIVE));
        try {
          System.out.println("inspect=" + Keepalive.inspect(socket));
        } catch (UnsupportedKeepaliveOptionException e) {
          System.out.println("inspect.option=" + e.option());
        }
        Keepalive.apply(socket, KeepalivePolicy.disabled());
        System.out.println("disabled.keepalive=" + socket.getOption(StandardSocketOptions.SO_KEEPALIVE));
        System.out.println("inspectDisabled=" + Keepalive.inspect(socket));
      }
    }
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        SocketChannel channel = SocketChannel.open(server.getLocalSocketAddress());
        Socket peer = server.accept()) {
      try {
        Keepalive.apply(channel, policy);
        System.out.println("channel.strict=applied");
      } catch (UnsupportedKeepaliveOptionException e) {
        System.out.println("channel.strict.option=" + e.option() + " peer=" + peer.getPort());
      }
    }
    System.out.println("end");
  }
}
