package dev.keepalive.kernel;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What the application saw while waiting for a dead peer, in order: e.g. a selector reporting the
 * channel readable, then the read throwing; or Netty's exceptionCaught, then channelInactive. No
 * events means the connection still looked alive when the wait ended.
 */
record Outcome(List<Event> events) {

  /** One thing the application saw, at System.nanoTime() {@code nanos}. */
  record Event(String name, long nanos, String detail) {}

  Outcome {
    events = List.copyOf(events);
  }

  boolean failed() {
    return !events.isEmpty();
  }

  /** When the application first learned of the failure. */
  long failedAtNanos() {
    return events.get(0).nanos();
  }

  /** The error text the application got (an exception's message), or "" if none. */
  String error() {
    return events.stream().map(Event::detail).filter(d -> !d.isEmpty()).findFirst().orElse("");
  }

  /** The events as {@code name@ms;name@ms} relative to {@code originNanos}. */
  String describe(long originNanos) {
    return events.stream()
        .map(e -> e.name() + "@" + (e.nanos() - originNanos) / 1_000_000)
        .collect(Collectors.joining(";"));
  }
}
