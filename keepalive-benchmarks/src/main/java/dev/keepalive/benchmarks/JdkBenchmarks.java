package dev.keepalive.benchmarks;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.Keepalive;
import java.io.IOException;
import java.net.Socket;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@code Keepalive.apply} and {@code inspect} against the raw {@code setOption}/{@code getOption}
 * calls they replace, on live loopback connections. Raw and library share the state, so both set the
 * same values on the same socket in the same run. Pairs are named {@code <case>Raw} and
 * {@code <case>Library}; {@link Suite} turns them into ratios.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JdkBenchmarks {

  private final KeepalivePolicy policy = KeepalivePolicy.ofSeconds(90, 15, 2);
  private LoopbackPair channels;
  private Socket[] sockets;

  @Setup
  public void open() throws IOException {
    channels = LoopbackPair.open();
    sockets = LoopbackPair.openSocket();
    // Keepalive on from the start: otherwise inspect stops after SO_KEEPALIVE reads false
    // (disabled) while the raw case reads all four options, and the pair compares unequal work.
    Keepalive.apply(channels.client, policy);
    Keepalive.apply(sockets[0], policy);
  }

  @TearDown
  public void close() throws IOException {
    channels.close();
    sockets[0].close();
    sockets[1].close();
  }

  @Benchmark
  public void socketChannelApplyRaw() throws IOException {
    channels.client.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, policy.idleSeconds());
    channels.client.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, policy.intervalSeconds());
    channels.client.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, policy.probes());
    channels.client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
  }

  @Benchmark
  public ApplyReport socketChannelApplyLibrary() throws IOException {
    return Keepalive.apply(channels.client, policy);
  }

  /** The same raw calls, paired with the transactional apply (which reads every option first). */
  @Benchmark
  public void socketChannelTransactionalApplyRaw() throws IOException {
    socketChannelApplyRaw();
  }

  @Benchmark
  public ApplyReport socketChannelTransactionalApplyLibrary() throws IOException {
    return Keepalive.apply(channels.client, policy, ApplyMode.TRANSACTIONAL);
  }

  /** The same raw calls, paired with the lenient apply of a policy that fully applies. */
  @Benchmark
  public void socketChannelLenientApplyRaw() throws IOException {
    socketChannelApplyRaw();
  }

  @Benchmark
  public ApplyReport socketChannelLenientApplyLibrary() throws IOException {
    return Keepalive.apply(channels.client, policy, ApplyMode.LENIENT);
  }

  @Benchmark
  public void socketApplyRaw() throws IOException {
    Socket s = sockets[0];
    s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, policy.idleSeconds());
    s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, policy.intervalSeconds());
    s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, policy.probes());
    s.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
  }

  @Benchmark
  public ApplyReport socketApplyLibrary() throws IOException {
    return Keepalive.apply(sockets[0], policy);
  }

  @Benchmark
  public void socketChannelInspectRaw(Blackhole bh) throws IOException {
    bh.consume(channels.client.getOption(StandardSocketOptions.SO_KEEPALIVE));
    bh.consume(channels.client.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
    bh.consume(channels.client.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL));
    bh.consume(channels.client.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
  }

  @Benchmark
  public KeepalivePolicy socketChannelInspectLibrary() throws IOException {
    return Keepalive.inspect(channels.client);
  }
}
