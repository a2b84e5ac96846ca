package dev.keepalive.benchmarks;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A whole client connection through {@code KeepaliveSocketFactory.createSocket()} + connect (what
 * pgjdbc and OkHttp do) against {@code new Socket()} + the four raw {@code setOption} calls +
 * connect, on loopback, in the same run. Both close with SO_LINGER 0 (a RST, no TIME_WAIT), so a
 * run cannot exhaust the ephemeral ports; a thread accepts and closes the server side. The connect
 * and the accepting thread's wake-up dominate and vary by tens of microseconds on a busy machine,
 * so the pair {@code createSocketRaw}/{@code createSocketLibrary} measures the same without the
 * connection (socket, options, close).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SocketFactoryBenchmarks {

  private final KeepalivePolicy policy = KeepalivePolicy.ofSeconds(90, 15, 2);
  private KeepaliveSocketFactory factory;
  private ServerSocket server;
  private InetSocketAddress address;
  private Thread acceptor;

  @Setup
  public void listen() throws IOException {
    factory = KeepaliveSocketFactory.of(policy);
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

  @Benchmark
  public void createSocketAndConnectRaw() throws IOException {
    Socket s = new Socket();
    try {
      s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, policy.idleSeconds());
      s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, policy.intervalSeconds());
      s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, policy.probes());
      s.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      s.connect(address);
    } finally {
      closeWithReset(s);
    }
  }

  @Benchmark
  public void createSocketAndConnectLibrary() throws IOException {
    Socket s = factory.createSocket();
    try {
      s.connect(address);
    } finally {
      closeWithReset(s);
    }
  }

  /** The same without the connection: the factory's own cost, without connect's noise. */
  @Benchmark
  public void createSocketRaw() throws IOException {
    Socket s = new Socket();
    try {
      s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, policy.idleSeconds());
      s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, policy.intervalSeconds());
      s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, policy.probes());
      s.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
    } finally {
      s.close();
    }
  }

  @Benchmark
  public void createSocketLibrary() throws IOException {
    factory.createSocket().close();
  }

  private static void closeWithReset(Socket s) throws IOException {
    try {
      s.setSoLinger(true, 0);
    } catch (SocketException e) {
      // Never connected: nothing to reset.
    }
    s.close();
  }
}
