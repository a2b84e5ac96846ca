package dev.keepalive.benchmarks;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.Keepalive;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * keepalive-agent's cost on the connection path: {@code SocketChannel.open()} + connect in a JVM
 * started with {@code -javaagent:keepalive-agent.jar=idle=90s,interval=15s,probes=2} ({@code
 * channelConnectLibrary}, its own fork) against the same + an explicit {@code Keepalive.apply} of
 * that policy in a JVM without the agent ({@code channelConnectRaw}), in the same run. The agent
 * does what the explicit call does, plus choosing the rule and its hooks' calls; a ratio near 1
 * and the same B/op say that is all. Both close with SO_LINGER 0 (no TIME_WAIT); a thread accepts.
 * The agent jar is the one keepalive-benchmarks' build copies beside its own jar; run the suite
 * from the repository's root, as its usage says.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AgentBenchmarks {

  /** The agent, as the forked JVM of {@link #channelConnectLibrary} starts with it. */
  static final String AGENT =
      "-javaagent:keepalive-benchmarks/target/keepalive-agent.jar=idle=90s,interval=15s,probes=2";

  private final KeepalivePolicy policy = KeepalivePolicy.ofSeconds(90, 15, 2);
  private ServerSocket server;
  private InetSocketAddress address;
  private Thread acceptor;

  @Setup
  public void listen() throws IOException {
    if (ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .anyMatch(a -> a.startsWith("-javaagent:"))
        && System.getProperty("keepalive.agent.version") == null) {
      throw new IllegalStateException("the fork was started with the agent, which did not start");
    }
    server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
    address = (InetSocketAddress) server.getLocalSocketAddress();
    acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket accepted = server.accept()) {
          accepted.getInputStream();
        } catch (IOException e) {
          // Closed by tearDown, or a connection reset before it was accepted: go on or stop.
        }
      }
    }, "acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @TearDown
  public void close() throws IOException, InterruptedException {
    server.close();
    acceptor.join(TimeUnit.SECONDS.toMillis(10));
  }

  /** No agent: open, the explicit apply, connect. */
  @Benchmark
  @Fork(1)
  public void channelConnectRaw() throws IOException {
    SocketChannel c = SocketChannel.open();
    try {
      Keepalive.apply(c, policy);
      c.connect(address);
    } finally {
      closeWithReset(c);
    }
  }

  /** Under the agent: open and connect; the agent applies the policy before the SYN. */
  @Benchmark
  @Fork(value = 1, jvmArgsAppend = AGENT)
  public void channelConnectLibrary() throws IOException {
    SocketChannel c = SocketChannel.open();
    try {
      c.connect(address);
    } finally {
      closeWithReset(c);
    }
  }

  private static void closeWithReset(SocketChannel c) throws IOException {
    if (c.isConnected()) {
      c.setOption(StandardSocketOptions.SO_LINGER, 0);
    }
    c.close();
  }
}
