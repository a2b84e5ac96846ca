package dev.keepalive.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * What a capture shows after the peer went silent: when the peer's last segment passed, the
 * prober's keepalive probes after it, and the prober's reset. Times are microseconds from the
 * peer's last segment, since the kernel counts idle from the last packet it received.
 *
 * <p>A bare ACK the prober sends within {@link #ACK_WINDOW_MICROS} of the peer's last segment is the
 * ordinary (possibly delayed, at most 200 ms on Linux) acknowledgement of that segment, not a probe:
 * no probe can leave before idle, and idle is at least one second.
 */
record ProbeTrace(long lastPeerMicros, List<Long> probeOffsetsMicros,
    OptionalLong resetOffsetMicros) {

  static final long ACK_WINDOW_MICROS = 500_000;

  static ProbeTrace of(List<TcpdumpLine> segments, int proberPort, int peerPort) {
    long lastPeer = -1;
    for (TcpdumpLine s : segments) {
      if (s.sourcePort() == peerPort && s.destinationPort() == proberPort) {
        lastPeer = s.micros();
      }
    }
    if (lastPeer < 0) {
      throw new IllegalArgumentException("no segment from the peer port " + peerPort + " in "
          + segments);
    }
    List<Long> probes = new ArrayList<>();
    OptionalLong reset = OptionalLong.empty();
    for (TcpdumpLine s : segments) {
      if (s.sourcePort() != proberPort || s.destinationPort() != peerPort
          || s.micros() <= lastPeer) {
        continue;
      }
      long offset = s.micros() - lastPeer;
      if (s.isReset() && reset.isEmpty()) {
        reset = OptionalLong.of(offset);
      } else if (s.isBareAck() && offset > ACK_WINDOW_MICROS && reset.isEmpty()) {
        probes.add(offset);
      }
    }
    return new ProbeTrace(lastPeer, List.copyOf(probes), reset);
  }
}
