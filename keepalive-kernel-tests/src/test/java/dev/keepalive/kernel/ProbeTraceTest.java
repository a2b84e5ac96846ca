package dev.keepalive.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProbeTraceTest {

  /**
   * A real capture ({@code tcpdump -i lo -nn -tt}, Linux 6.18) of policy 2 s/1 s/3 against a peer
   * silenced after one byte each way, like seed 000's: three probes, then the RST.
   */
  private static final List<String> CAPTURE = List.of(
      "1795299436.009628 IP 127.0.0.1.57074 > 127.0.0.1.35079: Flags [S], seq 3168347279, "
          + "win 65495, options [mss 65495,sackOK,TS val 2260345632 ecr 0,nop,wscale 10], length 0",
      "1795299436.009649 IP 127.0.0.1.35079 > 127.0.0.1.57074: Flags [S.], seq 3722984901, "
          + "ack 3168347280, win 65483, options [mss 65495,sackOK,TS val 2759727073 "
          + "ecr 2260345632,nop,wscale 10], length 0",
      "1795299436.009666 IP 127.0.0.1.57074 > 127.0.0.1.35079: Flags [.], ack 1, win 64, "
          + "options [nop,nop,TS val 2260345632 ecr 2759727073], length 0",
      "1795299436.009776 IP 127.0.0.1.57074 > 127.0.0.1.35079: Flags [P.], seq 1:2, ack 1, "
          + "win 64, options [nop,nop,TS val 2260345632 ecr 2759727073], length 1",
      "1795299436.009783 IP 127.0.0.1.35079 > 127.0.0.1.57074: Flags [.], ack 2, win 64, "
          + "options [nop,nop,TS val 2759727073 ecr 2260345632], length 0",
      "1795299436.009797 IP 127.0.0.1.35079 > 127.0.0.1.57074: Flags [P.], seq 1:2, ack 2, "
          + "win 64, options [nop,nop,TS val 2759727073 ecr 2260345632], length 1",
      "1795299436.009800 IP 127.0.0.1.57074 > 127.0.0.1.35079: Flags [.], ack 2, win 64, "
          + "options [nop,nop,TS val 2260345632 ecr 2759727073], length 0",
      "1795299438.011928 IP 127.0.0.1.57074 > 127.0.0.1.35079: Flags [.], ack 2, win 64, "
          + "options [nop,nop,TS val 2260347635 ecr 2759727073], length 0",
      "1795299439.035901 IP 127.0.0.1.57074 > 127.0.0.1.35079: Flags [.], ack 2, win 64, "
          + "options [nop,nop,TS val 2260348659 ecr 2759727073], length 0",
      "1795299440.059912 IP 127.0.0.1.57074 > 127.0.0.1.35079: Flags [.], ack 2, win 64, "
          + "options [nop,nop,TS val 2260349683 ecr 2759727073], length 0",
      "1795299441.083924 IP 127.0.0.1.57074 > 127.0.0.1.35079: Flags [R.], seq 2, ack 2, "
          + "win 64, options [nop,nop,TS val 2260350707 ecr 2759727073], length 0",
      "");

  private static List<TcpdumpLine> segments(List<String> lines) {
    return lines.stream().map(TcpdumpLine::parse).flatMap(java.util.Optional::stream)
        .collect(Collectors.toList());
  }

  @Test
  void parsesEverySegmentAndNothingElse() {
    List<TcpdumpLine> segments = segments(CAPTURE);
    assertEquals(11, segments.size());
    TcpdumpLine rst = segments.get(10);
    assertEquals(1795299441_083924L, rst.micros());
    assertEquals("127.0.0.1", rst.source());
    assertEquals(57074, rst.sourcePort());
    assertEquals(35079, rst.destinationPort());
    assertTrue(rst.isReset());
    assertEquals(1, segments.get(3).length());
    assertTrue(TcpdumpLine.parse("listening on lo, link-type EN10MB (Ethernet)").isEmpty());
  }

  @Test
  void parsesIpv6Segments() {
    TcpdumpLine probe = TcpdumpLine.parse("1795299438.011928 IP6 ::1.57074 > ::1.35079: "
        + "Flags [.], ack 2, win 64, options [nop,nop,TS val 1 ecr 2], length 0").orElseThrow();
    assertEquals("::1", probe.source());
    assertEquals(57074, probe.sourcePort());
    assertEquals(35079, probe.destinationPort());
    assertTrue(probe.isBareAck());
  }

  @Test
  void findsTheProbesAfterThePeersLastSegmentThenTheReset() {
    ProbeTrace trace = ProbeTrace.of(segments(CAPTURE), 57074, 35079);
    assertEquals(1795299436_009797L, trace.lastPeerMicros());
    // The ACK of the peer's byte 3 µs after it is not a probe; the bare ACKs seconds later are.
    assertEquals(List.of(2_002_131L, 3_026_104L, 4_050_115L), trace.probeOffsetsMicros());
    assertEquals(OptionalLong.of(5_074_127L), trace.resetOffsetMicros());
  }

  @Test
  void aPeerThatNeverSpokeIsAnError() {
    assertThrows(IllegalArgumentException.class,
        () -> ProbeTrace.of(segments(CAPTURE.subList(0, 1)), 57074, 35079));
  }
}
