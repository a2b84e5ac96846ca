package dev.keepalive.audit;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import jdk.net.ExtendedSocketOptions;

/**
 * The process a test audits from outside: opens the {@link Fixture}, a listener with no
 * connection, and (when a port is given) a connection with 60/10/3 to the test's own server, prints
 * what it opened, then waits for commands on standard input: {@code close} closes that connection
 * (a {@link SocketChannel}, so no shutdown precedes the close); end of input ends the process.
 *
 * <p>Output lines: {@code socket NAME LOCAL_PORT REMOTE_PORT}, {@code listener PORT}, {@code lonely PORT},
 * {@code closable LOCAL_PORT}, then {@code ready}.
 */
public final class AuditTarget {

  private AuditTarget() {}

  public static void main(String[] args) throws Exception {
    // Never outlive a test that lost track of us.
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(120_000);
      } catch (InterruptedException e) {
        return;
      }
      Runtime.getRuntime().halt(3);
    });
    watchdog.setDaemon(true);
    watchdog.start();
    int peerPort = Integer.parseInt(args[0]);
    try (Fixture fixture = Fixture.open();
        ServerSocketChannel lonely = ServerSocketChannel.open()) {
      lonely.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      for (Fixture.Expected e : fixture.expected.values()) {
        System.out.println("socket " + e.name() + " " + e.localPort() + " " + e.remotePort());
      }
      for (int port : fixture.listenerPorts) {
        System.out.println("listener " + port);
      }
      System.out.println("lonely " + ((InetSocketAddress) lonely.getLocalAddress()).getPort());
      SocketChannel closable = null;
      if (peerPort > 0) {
        closable = SocketChannel.open(new InetSocketAddress(InetAddress.getByName("127.0.0.1"),
            peerPort));
        closable.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        closable.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 60);
        closable.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 10);
        closable.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
        System.out.println("closable "
            + ((InetSocketAddress) closable.getLocalAddress()).getPort());
      }
      System.out.println("ready");
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
          StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.equals("close") && closable != null) {
          closable.close();
          System.out.println("closed");
          System.out.flush();
        }
      }
      if (closable != null) {
        closable.close();
      }
    }
  }
}
