package dev.keepalive.benchmarks;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.Platform;
import dev.keepalive.PlatformLimits;
import dev.keepalive.Rfc1122;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Parsing and validation of a typical policy: the target is under 1 µs for parse + validate. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyBenchmarks {

  // Not a constant, so the JIT cannot fold the parse away.
  private String text = "idle=90s,interval=15s,probes=2";
  private final KeepalivePolicy policy = KeepalivePolicy.ofSeconds(90, 15, 2);
  private final PlatformLimits linux = PlatformLimits.of(Platform.LINUX);

  @Benchmark
  public KeepalivePolicy parse() {
    return KeepalivePolicy.parse(text);
  }

  @Benchmark
  public KeepalivePolicy parseAndValidate() {
    KeepalivePolicy p = KeepalivePolicy.parse(text);
    linux.requireSupported(p);
    return Rfc1122.requireCompliant(p, Rfc1122.Use.EXPLICIT);
  }

  @Benchmark
  public Object platformCheck() {
    return linux.check(policy);
  }

  @Benchmark
  public Object rfc1122Check() {
    return Rfc1122.check(policy, Rfc1122.Use.EXPLICIT);
  }
}
