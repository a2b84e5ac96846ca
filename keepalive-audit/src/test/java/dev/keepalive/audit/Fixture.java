package dev.keepalive.audit;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.KernelDefaults;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;

/**
 * Sockets with known keepalive, set with raw JDK calls ({@code setOption}) or raw Netty epoll
 * options, never through the library: off, the kernel's defaults, 61/11/4, on IPv4 and IPv6; a
 * Netty epoll connection with 61/11/4 and TCP_USER_TIMEOUT 17 s; two listeners; and a UNIX-domain
 * and a UDP socket, which the audit must leave out. Used in this JVM and in a child
 * ({@link AuditTarget}).
 */
final class Fixture implements AutoCloseable {

  static final KeepalivePolicy CUSTOM = KeepalivePolicy.ofSeconds(61, 11, 4);
  static final Duration NETTY_USER_TIMEOUT = Duration.ofMillis(17_000);

  /**
   * What one client socket should read back as. Both ports name it: Linux shares an ephemeral
   * local port between connections to different peers.
   */
  record Expected(String name, int localPort, int remotePort, KeepalivePolicy policy,
      Duration userTimeout) {}

  final Map<String, Expected> expected = new LinkedHashMap<>();
  final List<Integer> listenerPorts = new ArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private EventLoopGroup group;

  static KeepalivePolicy kernelDefaults() {
    return KernelDefaults.current().policy().orElseThrow();
  }

  static Fixture open() throws Exception {
    Fixture f = new Fixture();
    try {
      f.openAll();
      return f;
    } catch (Exception | Error e) {
      f.close();
      throw e;
    }
  }

  private void openAll() throws Exception {
    for (String family : List.of("v4", "v6")) {
      InetAddress loopback = InetAddress.getByName(family.equals("v4") ? "127.0.0.1" : "::1");
      ServerSocketChannel server = ServerSocketChannel.open();
      resources.add(server);
      server.bind(new InetSocketAddress(loopback, 0));
      listenerPorts.add(((InetSocketAddress) server.getLocalAddress()).getPort());
      connect(family + "-off", server, null);
      connect(family + "-defaults", server, kernelDefaults());
      connect(family + "-custom", server, CUSTOM);
    }
    netty();
    Path dir = Files.createTempDirectory("audit-unix");
    Path path = dir.resolve("s");
    ServerSocketChannel unixServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    resources.add(() -> {
      Files.deleteIfExists(path);
      Files.deleteIfExists(dir);
    });
    resources.add(unixServer);
    unixServer.bind(UnixDomainSocketAddress.of(path));
    SocketChannel unixClient = SocketChannel.open(UnixDomainSocketAddress.of(path));
    resources.add(unixClient);
    resources.add(unixServer.accept());
    DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET);
    resources.add(udp);
    udp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  /** A connection whose client side gets {@code policy} (null: SO_KEEPALIVE left off). */
  private void connect(String name, ServerSocketChannel server, KeepalivePolicy policy)
      throws IOException {
    SocketChannel client = SocketChannel.open(server.getLocalAddress());
    resources.add(client);
    resources.add(server.accept());
    if (policy == null) {
      policy = KeepalivePolicy.disabled();
    } else if (policy.equals(kernelDefaults())) {
      client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
    } else {
      client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      client.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, policy.idleSeconds());
      client.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, policy.intervalSeconds());
      client.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, policy.probes());
    }
    int port = ((InetSocketAddress) client.getLocalAddress()).getPort();
    int peer = ((InetSocketAddress) server.getLocalAddress()).getPort();
    expected.put(name, new Expected(name, port, peer, policy, Duration.ZERO));
  }

  private void netty() throws Exception {
    ServerSocketChannel server = ServerSocketChannel.open();
    resources.add(server);
    server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    listenerPorts.add(((InetSocketAddress) server.getLocalAddress()).getPort());
    group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    Channel channel = new Bootstrap().group(group).channel(EpollSocketChannel.class)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(EpollChannelOption.TCP_KEEPIDLE, CUSTOM.idleSeconds())
        .option(EpollChannelOption.TCP_KEEPINTVL, CUSTOM.intervalSeconds())
        .option(EpollChannelOption.TCP_KEEPCNT, CUSTOM.probes())
        .option(EpollChannelOption.TCP_USER_TIMEOUT, (int) NETTY_USER_TIMEOUT.toMillis())
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {}
        })
        .connect(server.getLocalAddress()).syncUninterruptibly().channel();
    resources.add(server.accept());
    int port = ((InetSocketAddress) channel.localAddress()).getPort();
    int peer = ((InetSocketAddress) server.getLocalAddress()).getPort();
    expected.put("netty-epoll", new Expected("netty-epoll", port, peer,
        CUSTOM.withUserTimeout(NETTY_USER_TIMEOUT), NETTY_USER_TIMEOUT));
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof IOException io ? io : new IOException(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
