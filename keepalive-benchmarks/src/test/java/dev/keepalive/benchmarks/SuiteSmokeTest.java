package dev.keepalive.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import java.util.Set;
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
    Suite.Outcome o = Suite.run(new String[] {"--smoke", "--out", "target/benchmark-smoke.md"});
    Set<String> keys = o.scores().stream().map(Suite.Score::key).collect(Collectors.toSet());
    for (String expected : new String[] {"JdkBenchmarks.socketChannelApplyRaw",
        "JdkBenchmarks.socketChannelApplyLibrary", "JdkBenchmarks.socketApplyLibrary",
        "JdkBenchmarks.socketChannelInspectLibrary", "NettyBenchmarks.applyLibrary [epoll]",
        "NettyBenchmarks.applyLibrary [nio]", "PolicyBenchmarks.parseAndValidate",
        "SocketFactoryBenchmarks.createSocketAndConnectRaw",
        "SocketFactoryBenchmarks.createSocketAndConnectLibrary",
        "SocketFactoryBenchmarks.createSocketLibrary"}) {
      assertTrue(keys.contains(expected), expected + " missing from " + keys);
    }
    o.scores().forEach(s -> assertTrue(s.nsPerOp() > 0, s.toString()));
    assertTrue(o.scale().everyConnectionCarriedThePolicy(), o.scale().table());
    assertEquals(2, o.scale().trials().size());
    assertTrue(o.heartbeat().healthy(), o.heartbeat().table());
    assertTrue(o.markdown().contains("| JdkBenchmarks.socketChannelApply |"), o.markdown());
  }
}
