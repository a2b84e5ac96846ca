package dev.keepalive.agenttests.child;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClients;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.zookeeper.ZooKeeper;
import redis.clients.jedis.Jedis;

/**
 * The application of the child JVMs: it uses each real client the way an application does, with
 * that client's defaults for everything that touches the socket, and holds the connections open
 * until told to stop. Nothing of keepalive's is on its class path; under {@code -javaagent} the
 * agent is the only difference.
 *
 * <p>Protocol (one line each way): it prints {@code ready} once started; reads {@code open NAME
 * ARGS...} and answers {@code opened NAME [key=value...]} when the client has made its connection
 * (or started to: a client of a silent listener waits for a handshake that never comes), or
 * {@code failed NAME: reason}; {@code stop} or the end of its input ends it. It ends itself after
 * ten minutes in any case, so no test can leave it behind.
 */
public final class ClientsMain {

  /** Strong references: every client stays open, with its connections, until the JVM ends. */
  private static final List<Object> HELD = Collections.synchronizedList(new ArrayList<>());

  /** Connection and request timeouts far beyond any test, so no client gives up and reconnects. */
  private static final int PATIENCE_MILLIS = 600_000;

  private ClientsMain() {}

  public static void main(String[] args) throws IOException {
    // The JDK's HttpClient closes a pooled HTTP/1.1 connection idle for 30 s (JDK 20+; 1200 s
    // before): a loaded machine could take that long between opening and reading it. HTTP's
    // connection reuse, not TCP keepalive: no socket option depends on it.
    System.setProperty("jdk.httpclient.keepalive.timeout",
        Integer.toString(PATIENCE_MILLIS / 1000));
    Thread reaper = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.MINUTES.toMillis(10));
      } catch (InterruptedException e) {
        return;
      }
      Runtime.getRuntime().halt(3);
    }, "reaper");
    reaper.setDaemon(true);
    reaper.start();

    System.out.println("ready");
    BufferedReader in = new BufferedReader(
        new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
      List<String> words = Arrays.asList(line.trim().split(" "));
      if (words.size() < 2 || !words.get(0).equals("open")) {
        System.out.println("failed " + line + ": not 'open NAME ARGS'");
        continue;
      }
      String name = words.get(1);
      List<String> rest = words.subList(2, words.size());
      try {
        String values = open(name, rest);
        System.out.println(("opened " + name + " " + values).trim());
      } catch (Exception | LinkageError e) {
        System.out.println("failed " + name + ": " + e.toString().replace('\n', ' '));
      }
    }
    // halt, not exit: no client's shutdown hook runs (and logs) on the way out.
    Runtime.getRuntime().halt(0);
  }

  private static String open(String name, List<String> args) throws Exception {
    switch (name) {
      case "httpclient":
        return httpClient(Integer.parseInt(args.get(0)));
      case "kafka":
        return kafka(Integer.parseInt(args.get(0)));
      case "zookeeper":
        return zooKeeper(Integer.parseInt(args.get(0)));
      case "mongo":
        return mongo(Integer.parseInt(args.get(0)));
      case "mssql":
        // Its PRELOGIN goes first (encryption, its default, is negotiated after it): the silent
        // listener sees it once the socket is set up.
        return inBackground("mssql", () -> DriverManager.getConnection("jdbc:sqlserver://127.0.0.1:"
            + args.get(0) + ";loginTimeout=" + PATIENCE_MILLIS / 1000 + ";user=sa;password=unused"));
      case "jdbc":
        return jdbc(args.get(0));
      case "jedis":
        return jedis(Integer.parseInt(args.get(0)));
      case "grpc":
        return grpc();
      case "plain-server":
        return plainServer();
      case "netty-epoll-server":
        return nettyEpollServer();
      default:
        throw new IllegalArgumentException("no client named " + name);
    }
  }

  /** The JDK's own client: HTTP/1.1, one GET, the connection kept in its pool. */
  private static String httpClient(int port) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HELD.add(client);
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    expect("ok", response.body());
    return "";
  }

  /** Kafka's AdminClient: it connects to the bootstrap server for metadata and waits for it. */
  private static String kafka(int port) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, PATIENCE_MILLIS);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, PATIENCE_MILLIS);
    Admin admin = Admin.create(p);
    HELD.add(admin);
    HELD.add(admin.listTopics().names());
    return "";
  }

  /** ZooKeeper's client, its default NIO transport: it connects and sends its ConnectRequest. */
  private static String zooKeeper(int port) throws IOException {
    HELD.add(new ZooKeeper("127.0.0.1:" + port, PATIENCE_MILLIS, event -> { }));
    return "";
  }

  /** The MongoDB sync driver, default transport: its monitor connects and sends hello. */
  private static String mongo(int port) {
    HELD.add(MongoClients.create(MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString("mongodb://127.0.0.1:" + port + "/"))
        .applyToSocketSettings(s -> s.connectTimeout(PATIENCE_MILLIS, TimeUnit.MILLISECONDS))
        .applyToClusterSettings(c -> c.serverSelectionTimeout(PATIENCE_MILLIS,
            TimeUnit.MILLISECONDS))
        .build()));
    return "";
  }

  /** A JDBC driver with its defaults (the URL carries only where and who), one query. */
  private static String jdbc(String url) throws SQLException {
    Connection c = DriverManager.getConnection(url);
    HELD.add(c);
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select 1")) {
      expect("true", Boolean.toString(rs.next()));
      expect("1", rs.getString(1));
    }
    return "";
  }

  /** Jedis with its defaults, one PING. */
  private static String jedis(int port) {
    Jedis jedis = new Jedis("127.0.0.1", port);
    HELD.add(jedis);
    expect("PONG", jedis.ping());
    return "";
  }

  /**
   * A gRPC server and a client of it, both from {@code grpc-netty} with no transport named: gRPC
   * picks epoll because the native jar is on the class path. One unary call.
   */
  private static String grpc() throws IOException {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(Echo.SERVICE).build().start();
    HELD.add(server);
    int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .build();
    HELD.add(channel);
    byte[] reply = ClientCalls.blockingUnaryCall(channel, Echo.METHOD,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        "ping".getBytes(StandardCharsets.US_ASCII));
    expect("ping", new String(reply, StandardCharsets.US_ASCII));
    return "port=" + port + " epoll=" + Epoll.isAvailable();
  }

  /**
   * A plain {@code ServerSocket} server: each accepted connection gets one byte, so the peer knows
   * the application holds the socket.
   */
  private static String plainServer() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    HELD.add(server);
    Thread acceptor = new Thread(() -> {
      while (true) {
        try {
          Socket s = server.accept();
          HELD.add(s);
          s.getOutputStream().write('a');
          s.getOutputStream().flush();
        } catch (IOException e) {
          return;
        }
      }
    }, "plain-server");
    acceptor.setDaemon(true);
    acceptor.start();
    return "port=" + server.getLocalPort();
  }

  /** A Netty server on native epoll: each accepted channel gets one byte when active. */
  private static String nettyEpollServer() throws InterruptedException {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("epoll unavailable: " + Epoll.unavailabilityCause());
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    HELD.add(group);
    Channel listener = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'a'}));
              }
            });
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
    HELD.add(listener);
    return "port=" + ((InetSocketAddress) listener.localAddress()).getPort();
  }

  @FunctionalInterface
  private interface Blocking {
    Object run() throws Exception;
  }

  /**
   * For a client whose connect blocks on a handshake a silent listener never gives: it runs in its
   * own thread, and the test watches the connection from the server's side.
   */
  private static String inBackground(String name, Blocking connect) {
    Thread t = new Thread(() -> {
      try {
        HELD.add(connect.run());
      } catch (Exception e) {
        // The peer is silent on purpose; a client that gives up is seen by the test as a missing
        // connection, with this line on the child's standard error to say why.
        System.err.println(name + " gave up: " + e);
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return "";
  }

  private static void expect(String expected, String actual) {
    if (!expected.equals(actual)) {
      throw new IllegalStateException(String.format(Locale.ROOT, "expected %s, got %s", expected,
          actual));
    }
  }

  /** A hand-written unary echo with a byte-array marshaller (no protoc), loaded on first use. */
  private static final class Echo {
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(InputStream stream) {
        try {
          return stream.readAllBytes();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
    static final MethodDescriptor<byte[], byte[]> METHOD =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("keepalive.Echo", "Echo"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    static final ServerServiceDefinition SERVICE = ServerServiceDefinition.builder("keepalive.Echo")
        .addMethod(METHOD, ServerCalls.asyncUnaryCall((request, reply) -> {
          reply.onNext(request);
          reply.onCompleted();
        }))
        .build();
  }
}
