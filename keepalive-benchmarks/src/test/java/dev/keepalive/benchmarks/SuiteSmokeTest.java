package dev.keepalive.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * CI's smoke run of the benchmark suite, so it never rots: every benchmark runs once and reports a
 * score, and the scale check accepts its connections with every one carrying the policy.
 */
class SuiteSmokeTest {

  @Test
  void everyBenchmarkRunsAndTheScaleCheckHolds() throws Exception {
    assumeTrue(Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
    // Netty logs through java.util.logging here; a reset reaching a child's pipeline is a warning.
    List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    Handler recorder = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
          warnings.add(r);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger netty = Logger.getLogger("io.netty");
    netty.addHandler(recorder);
    Suite.Outcome o;
    try {
      o = Suite.run(new String[] {"--smoke", "--quiet", "--out", "target/benchmark-smoke.md"});
    } finally {
      netty.removeHandler(recorder);
    }
    assertTrue(warnings.isEmpty(), () -> "connections end cleanly, without resets reaching a "
        + "pipeline; " + warnings.size() + " warnings, the first: " + warnings.get(0).getMessage()
        + " " + warnings.get(0).getThrown());
    Set<String> keys = o.scores().stream().map(Suite.Score::key).collect(Collectors.toSet());
    for (String expected : new String[] {"JdkBenchmarks.socketChannelApplyRaw",
        "JdkBenchmarks.socketChannelApplyLibrary", "JdkBenchmarks.socketApplyLibrary",
        "JdkBenchmarks.socketChannelInspectLibrary", "NettyBenchmarks.applyLibrary [epoll]",
        "NettyBenchmarks.applyLibrary [nio]", "PolicyBenchmarks.parseAndValidate",
        "SocketFactoryBenchmarks.createSocketAndConnectRaw",
        "SocketFactoryBenchmarks.createSocketAndConnectLibrary",
        "SocketFactoryBenchmarks.createSocketLibrary", "AgentBenchmarks.channelConnectRaw",
        "AgentBenchmarks.channelConnectLibrary"}) {
      assertTrue(keys.contains(expected), expected + " missing from " + keys);
    }
    o.scores().forEach(s -> assertTrue(s.nsPerOp() > 0, s.toString()));
    assertTrue(o.scale().everyConnectionCarriedThePolicy(), o.scale().table());
    assertEquals(2, o.scale().trials().size());
    assertTrue(o.heartbeat().healthy(), o.heartbeat().table());
    assertTrue(o.markdown().contains("| JdkBenchmarks.socketChannelApply |"), o.markdown());
  }
}
