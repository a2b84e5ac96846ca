package dev.keepalive.micrometer.internal;

import dev.keepalive.KeepalivePolicy;

/**
 * One TCP connection of this JVM as keepalive-audit read it from the kernel: its peer, its TCP
 * state and the keepalive in force.
 */
public final class Connection {

  private final String peer;
  private final String peerHost;
  private final int acceptedOnPort;
  private final String tcpState;
  private final KeepalivePolicy policy;
  private final long userTimeoutMillis;

  Connection(String peer, String peerHost, int acceptedOnPort, String tcpState,
      KeepalivePolicy policy, long userTimeoutMillis) {
    this.peer = peer;
    this.peerHost = peerHost;
    this.acceptedOnPort = acceptedOnPort;
    this.tcpState = tcpState;
    this.policy = policy;
    this.userTimeoutMillis = userTimeoutMillis;
  }

  /**
   * The peer's address as people write it.
   *
   * @return e.g. {@code 127.0.0.1:5432}
   */
  public String peer() {
    return peer;
  }

  /**
   * The peer's address without the port.
   *
   * @return e.g. {@code 127.0.0.1} or {@code [::1]}
   */
  public String peerHost() {
    return peerHost;
  }

  /**
   * The local port of a listener of this JVM that accepted this connection.
   *
   * @return the port, or 0 for a connection this JVM opened
   */
  public int acceptedOnPort() {
    return acceptedOnPort;
  }

  /**
   * The kernel's name of the TCP state.
   *
   * @return e.g. {@code ESTABLISHED}
   */
  public String tcpState() {
    return tcpState;
  }

  /**
   * The keepalive in force: disabled when SO_KEEPALIVE is off, else idle, interval, probes and a
   * user timeout above 0.
   *
   * @return the policy the kernel holds
   */
  public KeepalivePolicy policy() {
    return policy;
  }

  /**
   * TCP_USER_TIMEOUT as the kernel holds it, also with keepalive off.
   *
   * @return milliseconds, 0 for none
   */
  public long userTimeoutMillis() {
    return userTimeoutMillis;
  }

  /**
   * What the connection holds, in the policy syntax, user timeout included even with keepalive
   * off.
   *
   * @return e.g. {@code idle=60s,interval=10s,probes=3} or {@code off,user-timeout=5000ms}
   */
  public String keepalive() {
    if (!policy.enabled() && userTimeoutMillis > 0) {
      return policy + ",user-timeout=" + userTimeoutMillis + "ms";
    }
    return policy.toString();
  }
}
