package dev.keepalive;

import java.time.Duration;

/**
 * Observes a heartbeat: pings sent, pings answered (with the round-trip time) and the timeout.
 * Every method does nothing by default. Called by the driver (the Netty handler on the channel's
 * event loop; the JDK driver as each method says): keep it short and non-blocking. An exception
 * thrown from it ends the heartbeat as a failure, so that a broken listener is never a heartbeat
 * that silently stopped.
 */
public interface HeartbeatListener {

  /**
   * A ping was sent.
   *
   * @param unansweredPings the pings now outstanding, this one included: 1 … probes
   */
  default void pingSent(int unansweredPings) {}

  /**
   * The first message after a ping arrived: the peer is alive.
   *
   * @param roundTrip from the first unanswered ping to that message; includes the peer's time to
   *     answer
   */
  default void pingAnswered(Duration roundTrip) {}

  /**
   * The peer left {@code probes} pings unanswered; the driver reports the failure and closes the
   * connection right after this.
   *
   * @param timeout what happened
   */
  default void timedOut(HeartbeatTimeoutException timeout) {}
}
