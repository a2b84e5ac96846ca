package dev.keepalive.netty;

import dev.keepalive.KeepalivePolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;

/**
 * A channel's keepalive options as the kernel reports them, read with the test's own table of
 * Netty options ({@link TestTransport}), not the library's.
 *
 * @param userTimeoutMillis -1 where the transport cannot read it
 */
record Observed(boolean keepalive, int idle, int interval, int probes, int userTimeoutMillis) {

  static Observed of(TestTransport transport, Channel channel) {
    return new Observed(channel.config().getOption(ChannelOption.SO_KEEPALIVE),
        channel.config().getOption(transport.idle), channel.config().getOption(transport.interval),
        channel.config().getOption(transport.count),
        transport.hasUserTimeout() ? channel.config().getOption(transport.userTimeout) : -1);
  }

  /** What a channel that started as {@code before} must show once {@code policy} took. */
  static Observed after(KeepalivePolicy policy, Observed before) {
    if (!policy.enabled()) {
      return new Observed(false, before.idle, before.interval, before.probes,
          before.userTimeoutMillis);
    }
    return new Observed(true, policy.idleSeconds(), policy.intervalSeconds(), policy.probes(),
        policy.hasUserTimeout() ? policy.userTimeoutMillis() : before.userTimeoutMillis);
  }

  /** True if no field of the policy already has its value here, so setting it can be seen. */
  boolean differsInEveryField(KeepalivePolicy policy) {
    return keepalive != policy.enabled() && idle != policy.idleSeconds()
        && interval != policy.intervalSeconds() && probes != policy.probes()
        && (!policy.hasUserTimeout() || userTimeoutMillis != policy.userTimeoutMillis());
  }
}
