package dev.keepalive.kernel;

import dev.keepalive.KeepalivePolicy;
import java.time.Duration;

/** The scenarios of the proof (issue 5), numbered as the issue numbers them. */
enum Scenario {
  SILENT_PEER("1", "silent idle peer: read fails at the deadline"),
  NO_POLICY("2", "no policy (negative control): unnoticed"),
  PROBES_ON_WIRE("3", "probes on the wire (tcpdump)"),
  BUSY_PEER("4", "busy dead peer, keepalive alone: unnoticed"),
  BUSY_PEER_USER_TIMEOUT("4", "busy dead peer, user timeout: closed (or refused)"),
  RESET_PEER("5", "peer answers the probe with a reset"),
  SERVER_ACCEPTED("6", "server: accepted socket's keepalive timer (ss)");

  /** Idle 2 s, interval 1 s, 3 probes: detection deadline 5 s. */
  static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(2, 1, 3);

  /**
   * For accepted sockets an idle unlike any default (7200 s; Go's 15 s) and long enough that the
   * timer cannot fire before ss reads it.
   */
  static final KeepalivePolicy SERVER_POLICY = KeepalivePolicy.ofSeconds(37, 5, 4);

  private final String number;
  private final String title;

  Scenario(String number, String title) {
    this.number = number;
    this.title = title;
  }

  String label() {
    return number + ". " + title;
  }

  /** The policy the adapter applies, or null for none at all. */
  KeepalivePolicy policy() {
    switch (this) {
      case NO_POLICY:
        return null;
      case BUSY_PEER_USER_TIMEOUT:
        return POLICY.withUserTimeoutAtDetectionDeadline();
      case SERVER_ACCEPTED:
        return SERVER_POLICY;
      default:
        return POLICY;
    }
  }

  /**
   * The time the kernel should take: the detection deadline; for a reset, idle (the first probe
   * draws it); with a user timeout, the user timeout; for the server, the idle the timer shows.
   */
  Duration expected() {
    switch (this) {
      case RESET_PEER:
      case SERVER_ACCEPTED:
        return policy().idle();
      case BUSY_PEER_USER_TIMEOUT:
        return policy().userTimeout().orElseThrow();
      default:
        return POLICY.detectionDeadline();
    }
  }

  /** How long a scenario that expects nothing waits: long enough to show nothing came. */
  Duration quietPeriod() {
    switch (this) {
      case NO_POLICY:
        return POLICY.detectionDeadline().multipliedBy(2);
      case BUSY_PEER:
        return POLICY.detectionDeadline().plusSeconds(1);
      default:
        throw new IllegalStateException(this + " expects the connection to fail");
    }
  }

  boolean expectsFailure() {
    return this != NO_POLICY && this != BUSY_PEER && this != SERVER_ACCEPTED;
  }
}
