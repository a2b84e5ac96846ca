package dev.keepalive.agentit;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * The child JVM's program: opens, accepts and configures connections as the clients the agent must
 * reach do, on command (see {@link Child}). Connections are numbered in the order made; an answer
 * gives the number and the local port, which the test finds the socket by in the kernel.
 */
public final class Scenario {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final List<Object> CONNECTIONS = new ArrayList<>();
  private static final List<Object> LISTENERS = new ArrayList<>();

  private Scenario() {}

  public static void main(String[] args) throws Exception {
    System.out.println("ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] f = line.trim().split(" ");
      if (f[0].equals("quit")) {
        return;
      }
      String answer;
      try {
        answer = "ok " + run(f);
      } catch (Exception | Error e) {
        answer = "error " + e.getClass().getName() + ": " + String.valueOf(e.getMessage())
            .replace('\n', ' ');
      }
      System.out.println(answer.trim());
    }
  }

  private static String run(String[] f) throws Exception {
    switch (f[0]) {
      case "connect-socket": {
        Socket s = new Socket(LOOPBACK, Integer.parseInt(f[1]));
        return added(s, s.getLocalPort());
      }
      case "connect-socket-by-address": {
        // An address that carries no name: matched by address only.
        Socket s = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}),
            Integer.parseInt(f[1]));
        return added(s, s.getLocalPort());
      }
      case "connect-socket-by-name": {
        // As new Socket("localhost", port): the InetSocketAddress keeps the name.
        Socket s = new Socket();
        s.connect(new InetSocketAddress(f[1], Integer.parseInt(f[2])));
        return added(s, s.getLocalPort());
      }
      case "pgjdbc": {
        // pgjdbc with its default tcpKeepAlive=false: connect, then setKeepAlive(false).
        Socket s = new Socket();
        s.connect(new InetSocketAddress(LOOPBACK, Integer.parseInt(f[1])), 10_000);
        s.setKeepAlive(false);
        return added(s, s.getLocalPort());
      }
      case "httpclient5": {
        // Apache HttpClient 5's default SocketConfig, set before connect: 5/5/3.
        Socket s = new Socket();
        s.setKeepAlive(true);
        s.setOption(option("TCP_KEEPIDLE"), 5);
        s.setOption(option("TCP_KEEPINTERVAL"), 5);
        s.setOption(option("TCP_KEEPCOUNT"), 3);
        s.connect(new InetSocketAddress(LOOPBACK, Integer.parseInt(f[1])), 10_000);
        return added(s, s.getLocalPort());
      }
      case "mssql": {
        // mssql-jdbc's TDSChannel: 30/1/9 after connect.
        Socket s = new Socket(LOOPBACK, Integer.parseInt(f[1]));
        s.setKeepAlive(true);
        s.setOption(option("TCP_KEEPIDLE"), 30);
        s.setOption(option("TCP_KEEPINTERVAL"), 1);
        s.setOption(option("TCP_KEEPCOUNT"), 9);
        return added(s, s.getLocalPort());
      }
      case "explicit-before": {
        // The application's own keepalive-jdk, before connect: its choice wins.
        Socket s = new Socket();
        dev.keepalive.jdk.Keepalive.apply(s, dev.keepalive.KeepalivePolicy.parse(f[2]));
        s.connect(new InetSocketAddress(LOOPBACK, Integer.parseInt(f[1])), 10_000);
        return added(s, s.getLocalPort());
      }
      case "factory": {
        // KeepaliveSocketFactory (the application's own): its policy, pinned by itself.
        Socket s = dev.keepalive.jdk.KeepaliveSocketFactory.of(
            dev.keepalive.KeepalivePolicy.parse(f[2])).createSocket();
        s.connect(new InetSocketAddress(LOOPBACK, Integer.parseInt(f[1])), 10_000);
        return added(s, s.getLocalPort());
      }
      case "apply": {
        Object c = CONNECTIONS.get(Integer.parseInt(f[1]));
        dev.keepalive.KeepalivePolicy p = dev.keepalive.KeepalivePolicy.parse(f[2]);
        if (c instanceof Socket) {
          dev.keepalive.jdk.Keepalive.apply((Socket) c, p);
        } else {
          dev.keepalive.jdk.Keepalive.apply((NetworkChannel) c, p);
        }
        return "";
      }
      case "connect-channel": {
        SocketChannel c = SocketChannel.open(new InetSocketAddress(LOOPBACK,
            Integer.parseInt(f[1])));
        return added(c, port(c));
      }
      case "connect-adaptor": {
        // A channel's Socket view, connected through the Socket API.
        SocketChannel c = SocketChannel.open();
        c.socket().connect(new InetSocketAddress(LOOPBACK, Integer.parseInt(f[1])), 10_000);
        return added(c, port(c));
      }
      case "connect-async": {
        AsynchronousSocketChannel c = AsynchronousSocketChannel.open();
        c.connect(new InetSocketAddress(LOOPBACK, Integer.parseInt(f[1])))
            .get(10, TimeUnit.SECONDS);
        return added(c, port(c));
      }
      case "listen-socket": {
        ServerSocket s = new ServerSocket(f.length > 1 ? Integer.parseInt(f[1]) : 0, 50, LOOPBACK);
        LISTENERS.add(s);
        return (LISTENERS.size() - 1) + " " + s.getLocalPort();
      }
      case "listen-channel": {
        ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
        LISTENERS.add(s);
        return (LISTENERS.size() - 1) + " " + port(s);
      }
      case "listen-async": {
        AsynchronousServerSocketChannel s = AsynchronousServerSocketChannel.open()
            .bind(new InetSocketAddress(LOOPBACK, 0));
        LISTENERS.add(s);
        return (LISTENERS.size() - 1) + " " + port(s);
      }
      case "accept": {
        Object l = LISTENERS.get(Integer.parseInt(f[1]));
        if (l instanceof ServerSocket) {
          Socket s = ((ServerSocket) l).accept();
          return added(s, s.getPort());
        }
        if (l instanceof ServerSocketChannel) {
          SocketChannel c = ((ServerSocketChannel) l).accept();
          return added(c, ((InetSocketAddress) c.getRemoteAddress()).getPort());
        }
        AsynchronousSocketChannel c = ((AsynchronousServerSocketChannel) l).accept()
            .get(10, TimeUnit.SECONDS);
        return added(c, ((InetSocketAddress) c.getRemoteAddress()).getPort());
      }
      case "accept-adaptor": {
        // A ServerSocketChannel's ServerSocket view.
        Socket s = ((ServerSocketChannel) LISTENERS.get(Integer.parseInt(f[1]))).socket().accept();
        return added(s, s.getPort());
      }
      case "adaptor-keepalive": {
        // The channel's Socket view: SocketAdaptor.setKeepAlive.
        ((SocketChannel) CONNECTIONS.get(Integer.parseInt(f[1]))).socket()
            .setKeepAlive(Boolean.parseBoolean(f[2]));
        return "";
      }
      case "set-keepalive": {
        Object c = CONNECTIONS.get(Integer.parseInt(f[1]));
        boolean on = Boolean.parseBoolean(f[2]);
        if (c instanceof Socket) {
          ((Socket) c).setKeepAlive(on);
        } else {
          ((NetworkChannel) c).setOption(StandardSocketOptions.SO_KEEPALIVE, on);
        }
        return "";
      }
      case "set": {
        // set ID OPTION VALUE, with jdk.net's option.
        Object c = CONNECTIONS.get(Integer.parseInt(f[1]));
        SocketOption<Integer> o = option(f[2]);
        int v = Integer.parseInt(f[3]);
        if (c instanceof Socket) {
          ((Socket) c).setOption(o, v);
        } else {
          ((NetworkChannel) c).setOption(o, v);
        }
        return "";
      }
      case "unix": {
        // A UNIX-domain connection: listener, connect and accept, all here.
        Path path = Path.of(f[1]);
        ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
            .bind(UnixDomainSocketAddress.of(path));
        SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path));
        SocketChannel a = l.accept();
        c.write(ByteBuffer.wrap(new byte[] {1}));
        CONNECTIONS.add(c);
        CONNECTIONS.add(a);
        LISTENERS.add(l);
        return c.supportedOptions().contains(StandardSocketOptions.SO_KEEPALIVE) + "";
      }
      case "udp": {
        DatagramChannel d = DatagramChannel.open().connect(new InetSocketAddress(LOOPBACK,
            Integer.parseInt(f[1])));
        d.write(ByteBuffer.wrap(new byte[] {1}));
        CONNECTIONS.add(d);
        return "";
      }
      case "mbean": {
        Object v = ManagementFactory.getPlatformMBeanServer().getAttribute(
            new ObjectName("dev.keepalive:type=Agent"), f[1]);
        return show(v);
      }
      case "property":
        return String.valueOf(System.getProperty(f[1]));
      default:
        throw new IllegalArgumentException("unknown command " + f[0]);
    }
  }

  @SuppressWarnings("unchecked")
  private static SocketOption<Integer> option(String name) throws Exception {
    return (SocketOption<Integer>) Class.forName("jdk.net.ExtendedSocketOptions")
        .getField(name).get(null);
  }

  private static String added(Object connection, int port) {
    CONNECTIONS.add(connection);
    return (CONNECTIONS.size() - 1) + " " + port;
  }

  private static int port(NetworkChannel c) throws Exception {
    return ((InetSocketAddress) c.getLocalAddress()).getPort();
  }

  private static String show(Object v) {
    if (v instanceof TabularData) {
      return ((TabularData) v).values().stream().map(r -> (CompositeData) r)
          .map(r -> r.get("key") + "=" + r.get("value")).sorted()
          .collect(Collectors.joining(","));
    }
    if (v instanceof String[]) {
      return String.join(",", (String[]) v);
    }
    return String.valueOf(v);
  }

}
