package dev.keepalive.netty;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.PlatformLimits;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.spi.KeepaliveApplier;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Objects;

/**
 * Applies a {@link KeepalivePolicy} to Netty channels: the channels a {@link ServerBootstrap}
 * accepts, the channel a {@link Bootstrap} connects, or a live {@link Channel} now. The transport's
 * own options are picked at run time from the channel's class:
 *
 * <table>
 *   <caption>Options per transport</caption>
 *   <tr><th>transport</th><th>idle, interval, probes</th><th>user timeout</th></tr>
 *   <tr><td>NIO ({@code NioSocketChannel})</td>
 *       <td>{@code NioChannelOption} over {@code jdk.net.ExtendedSocketOptions}</td>
 *       <td>refused: the JDK has none</td></tr>
 *   <tr><td>epoll ({@code EpollSocketChannel})</td><td>{@code EpollChannelOption}</td>
 *       <td>{@code EpollChannelOption.TCP_USER_TIMEOUT}</td></tr>
 *   <tr><td>io_uring ({@code IoUringSocketChannel})</td><td>{@code IoUringChannelOption}</td>
 *       <td>{@code IoUringChannelOption.TCP_USER_TIMEOUT}</td></tr>
 *   <tr><td>kqueue ({@code KQueueSocketChannel}) on macOS</td>
 *       <td>{@code IntegerUnixChannelOption} with XNU's TCP_KEEPALIVE, TCP_KEEPINTVL, TCP_KEEPCNT</td>
 *       <td>refused: macOS has none</td></tr>
 * </table>
 *
 * <p>SO_KEEPALIVE is {@link ChannelOption#SO_KEEPALIVE} on each. The native transports are optional
 * dependencies: without them on the class path NIO works and nothing fails to load.
 *
 * <p><b>Loud by default.</b> Netty's {@code bootstrap.option(...)} and {@code childOption(...)} only
 * log a WARN for an option a transport does not know, and services have run for months without the
 * keepalive they configured (lettuce-io/lettuce-core#1679, Netflix/zuul#1638). Here the policy is
 * checked against the platform's limits ({@link PlatformLimits#requireSupported}) and the transport
 * before anything is set, and in the default {@link ApplyMode#STRICT} mode an option that cannot be
 * set is an {@link UnsupportedKeepaliveOptionException} naming the option and the transport.
 *
 * <p><b>Threads.</b> {@link #apply} calls {@code channel.config().setOption} on the calling
 * thread, as Netty's own config setters allow from any thread: the JDK serialises socket options
 * under the channel's lock and checks it is open, and the native transports issue {@code
 * setsockopt} on the descriptor. Like any Netty config call it should not race with {@code close()}
 * of the same channel from another thread (the native descriptor number could be reused); run it on
 * {@code channel.eventLoop()} if another thread may close the channel. The bootstraps apply the
 * policy on the channel's event loop as the channel is registered.
 */
public final class NettyKeepalive {

  /** Read once: the platform cannot change under a running JVM, and os.name costs a lookup. */
  private static final PlatformLimits LIMITS = PlatformLimits.current();

  private NettyKeepalive() {}

  /**
   * Applies {@code policy} to every channel {@code bootstrap} accepts, never to the listening
   * channel (Netty's {@code option} versus {@code childOption} trap; SO_KEEPALIVE on a listener
   * gets the listener itself reaped on macOS/BSD). Strict: see
   * {@link #configure(ServerBootstrap, KeepalivePolicy, ApplyMode)}.
   *
   * @param bootstrap a server bootstrap whose {@code childHandler} is already set
   * @param policy the policy
   * @return {@code bootstrap}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the policy is beyond this platform's limits
   * @throws IllegalStateException if {@code bootstrap} has no child handler yet
   */
  public static ServerBootstrap configure(ServerBootstrap bootstrap, KeepalivePolicy policy) {
    return configure(bootstrap, policy, ApplyMode.STRICT);
  }

  /**
   * Applies {@code policy} to every channel {@code bootstrap} accepts, never to the listening
   * channel. The bootstrap's child handler is wrapped: on each accepted channel, as it is
   * registered, the wrapper puts the original child handler in its own place, applies the policy
   * with {@link #apply(Channel, KeepalivePolicy, ApplyMode)} and leaves the pipeline; nothing stays
   * behind per channel. The policy is applied after Netty's {@code childOption}s, so it wins over a
   * conflicting one.
   *
   * <p>If the apply fails ({@link ApplyMode#STRICT} or {@link ApplyMode#TRANSACTIONAL}), the
   * exception is fired into the channel's pipeline ({@code exceptionCaught}, after the original
   * child handler was added) and the channel is closed, rather than left running without
   * keepalive. In {@link ApplyMode#LENIENT} mode the {@link ApplyReport} is fired as a user event
   * ({@code userEventTriggered}) on every channel, so a handler can log the options that did not
   * take.
   *
   * <p>Call it after {@code childHandler(...)}: it wraps the handler set at the time of the call,
   * and a later {@code childHandler(...)} replaces the wrapper. Calling it again replaces the policy
   * rather than stacking a second wrapper.
   *
   * @param bootstrap a server bootstrap whose {@code childHandler} is already set
   * @param policy the policy
   * @param mode how each accepted channel gets the policy
   * @return {@code bootstrap}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the policy is beyond this platform's limits
   * @throws IllegalStateException if {@code bootstrap} has no child handler yet
   */
  public static ServerBootstrap configure(ServerBootstrap bootstrap, KeepalivePolicy policy,
      ApplyMode mode) {
    requireNonNull(bootstrap, "bootstrap");
    return bootstrap.childHandler(wrap(bootstrap.config().childHandler(), "childHandler",
        "every accepted channel", policy, mode));
  }

  /**
   * Applies {@code policy} to the channel {@code bootstrap} connects. Strict: see
   * {@link #configure(Bootstrap, KeepalivePolicy, ApplyMode)}.
   *
   * @param bootstrap a client bootstrap whose {@code handler} is already set
   * @param policy the policy
   * @return {@code bootstrap}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the policy is beyond this platform's limits
   * @throws IllegalStateException if {@code bootstrap} has no handler yet
   */
  public static Bootstrap configure(Bootstrap bootstrap, KeepalivePolicy policy) {
    return configure(bootstrap, policy, ApplyMode.STRICT);
  }

  /**
   * Applies {@code policy} to the channel {@code bootstrap} connects, as it is registered and
   * before it connects. Works like {@link #configure(ServerBootstrap, KeepalivePolicy, ApplyMode)}
   * with the bootstrap's {@code handler}, except where a failure goes: the connect future fails
   * with the exception itself ({@code future.cause()} is the {@link
   * UnsupportedKeepaliveOptionException} or {@link ChannelException}), the channel never connects
   * and is closed. As with any failed connect, Netty does not fire it through {@code
   * exceptionCaught}. This holds with {@code channel(Class)} and with {@code channelFactory(...)},
   * where the transport is known only when the channel is registered.
   *
   * @param bootstrap a client bootstrap whose {@code handler} is already set
   * @param policy the policy
   * @param mode how the channel gets the policy
   * @return {@code bootstrap}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the policy is beyond this platform's limits
   * @throws IllegalStateException if {@code bootstrap} has no handler yet
   */
  public static Bootstrap configure(Bootstrap bootstrap, KeepalivePolicy policy, ApplyMode mode) {
    requireNonNull(bootstrap, "bootstrap");
    return bootstrap.handler(wrap(bootstrap.config().handler(), "handler", "the channel", policy,
        mode));
  }

  /**
   * A handler that applies {@code policy} to the channel whose pipeline it joins, strictly: see
   * {@link #initializer(KeepalivePolicy, ApplyMode)}.
   *
   * @param policy the policy
   * @return a sharable handler that leaves the pipeline once the policy is applied
   * @throws NullPointerException if {@code policy} is null
   * @throws IllegalArgumentException if the policy is beyond this platform's limits
   */
  public static ChannelHandler initializer(KeepalivePolicy policy) {
    return initializer(policy, ApplyMode.STRICT);
  }

  /**
   * A handler that applies {@code policy} to the channel whose pipeline it joins, for frameworks
   * that hand out the channel but not the bootstrap (Reactor Netty's {@code doOnChannelInit}, a
   * Lettuce {@code NettyCustomizer}):
   * {@code channel.pipeline().addFirst(NettyKeepalive.initializer(policy))}. It applies the policy
   * with {@link #apply(Channel, KeepalivePolicy, ApplyMode)} as soon as the channel is registered
   * (at once if it is already) and leaves the pipeline; one instance serves every channel.
   *
   * <p>Prefer it to calling {@code apply} in such a hook for client channels: a refused policy then
   * fails the client's connect future with the exception itself, and the channel is closed without
   * connecting, where an exception thrown from the hook only closes the channel and the caller sees
   * a bare {@code ClosedChannelException}. On an accepted (or already connected) channel the
   * exception is fired through {@code exceptionCaught} and the channel closed. In {@link
   * ApplyMode#LENIENT} mode the {@link ApplyReport} is fired as a user event.
   *
   * @param policy the policy
   * @param mode how each channel gets the policy
   * @return a sharable handler that leaves the pipeline once the policy is applied
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the policy is beyond this platform's limits
   */
  public static ChannelHandler initializer(KeepalivePolicy policy, ApplyMode mode) {
    requireNonNull(policy, "policy");
    requireNonNull(mode, "mode");
    LIMITS.requireSupported(policy);
    return KeepaliveInitializer.standalone(policy, mode);
  }

  /**
   * The bootstraps' shared set-up: checks the policy against the platform now (fail fast), and
   * wraps the handler the bootstrap already has, which must be there: a handler set later would
   * replace the wrapper.
   */
  private static ChannelHandler wrap(ChannelHandler handler, String setter, String whom,
      KeepalivePolicy policy, ApplyMode mode) {
    requireNonNull(policy, "policy");
    requireNonNull(mode, "mode");
    LIMITS.requireSupported(policy);
    if (handler == null) {
      throw new IllegalStateException("bootstrap has no " + setter + ": call " + setter + "(...) "
          + "before NettyKeepalive.configure, which wraps it so " + whom + " gets the policy first");
    }
    return KeepaliveInitializer.wrap(handler, policy, mode);
  }

  /**
   * Applies {@code policy} to a live channel now, in {@link ApplyMode#STRICT} mode.
   *
   * @param channel an open socket channel (not a server channel)
   * @param policy the policy
   * @return the shared all-applied report of {@code policy}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the policy is beyond this platform's limits, or {@code
   *     channel} is a server (listening) channel; the channel is unchanged
   * @throws UnsupportedKeepaliveOptionException if the channel's transport cannot set an option the
   *     policy asks for (a user timeout on NIO or kqueue; any tuning option on an unknown
   *     transport); the channel is unchanged
   * @throws ChannelException if the channel is closed (the channel is unchanged) or the kernel
   *     refused an option; SO_KEEPALIVE is then switched off if an earlier option had taken, and
   *     the channel is unchanged if the refused call was the first
   * @see #apply(Channel, KeepalivePolicy, ApplyMode)
   */
  public static ApplyReport apply(Channel channel, KeepalivePolicy policy) {
    return apply(channel, policy, ApplyMode.STRICT);
  }

  /**
   * Applies {@code policy} to a live channel now. The options are set in
   * {@link ApplyReport#optionsOf(KeepalivePolicy)} order (tuning options first, SO_KEEPALIVE last)
   * through {@code channel.config().setOption}; a {@code false} from it (Netty does not know the
   * option on this channel) counts as a failure, never as success.
   *
   * <ul>
   *   <li>{@link ApplyMode#STRICT}: anything the transport cannot set is refused before the channel
   *       is touched; if a call fails after another took, SO_KEEPALIVE is switched off (a refused
   *       first call changed nothing, and the channel is left as it was) and the exception is
   *       rethrown. On success the cost is the raw {@code setOption} calls: the report returned is
   *       the policy's shared {@link ApplyReport#allApplied(KeepalivePolicy)}.
   *   <li>{@link ApplyMode#TRANSACTIONAL}: like strict, but first reads every option it will change
   *       and, if a call fails, restores them, leaving the channel as it was.
   *   <li>{@link ApplyMode#LENIENT}: sets what the transport can; the options it cannot set and
   *       the calls that failed are {@code NOT_SUPPORTED} and {@code FAILED} entries of the report.
   *       SO_KEEPALIVE is still switched on.
   * </ul>
   *
   * @param channel an open socket channel (not a server channel)
   * @param policy the policy
   * @param mode how to handle what cannot be applied
   * @return what was applied; in strict and transactional mode always the all-applied report
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the policy is beyond this platform's limits, or {@code
   *     channel} is a server (listening) channel; the channel is unchanged
   * @throws UnsupportedKeepaliveOptionException (strict and transactional) if the channel's
   *     transport cannot set an option the policy asks for; the channel is unchanged. If instead
   *     Netty answers {@code false} for an option part-way (a JDK whose channel lacks the option on
   *     this operating system), it is thrown after the options before it were set, and strict mode
   *     switches SO_KEEPALIVE off while transactional mode restores them
   * @throws ChannelException if the channel is closed (in every mode; the channel is unchanged), or
   *     (strict and transactional) the kernel refused an option: Netty wraps the {@code
   *     IOException}. Strict then switches SO_KEEPALIVE off, transactional restores every option it
   *     changed; a failure while doing so is added as a suppressed exception
   */
  public static ApplyReport apply(Channel channel, KeepalivePolicy policy, ApplyMode mode) {
    requireNonNull(channel, "channel");
    requireNonNull(policy, "policy");
    requireNonNull(mode, "mode");
    Transport transport = Transport.of(channel);
    if (transport.listener) {
      throw new IllegalArgumentException("channel must be a socket channel, was the server channel "
          + channel + ": keepalive belongs on the channels it accepts (use "
          + "NettyKeepalive.configure(ServerBootstrap, KeepalivePolicy))");
    }
    return KeepaliveApplier.apply(ChannelAccess.INSTANCE, channel, policy, mode);
  }

  /**
   * Receives a policy's options one at a time. Its one method is not generic, so a lambda fits as
   * well as a builder's generic option method as a method reference: {@code (option, value) ->
   * builder.withOption(option, value)}, gRPC's {@code NettyServerBuilder::withChildOption} or {@code
   * NettyChannelBuilder::withOption}, Netty's {@code ServerBootstrap::childOption} or {@code
   * Bootstrap::option}. Each value has its option's type ({@code Integer} for the tuning options,
   * {@code Boolean} for SO_KEEPALIVE), so passing the pair on as it came is type-safe.
   */
  @FunctionalInterface
  public interface OptionSink {
    /**
     * Takes one option.
     *
     * @param option the transport's option, typed {@code Object} so that a lambda can be the sink
     *     (a generic method cannot be a lambda's target)
     * @param value its value, of the option's own type
     */
    void option(ChannelOption<Object> option, Object value);
  }

  /**
   * Hands {@code sink} the transport-specific channel options that carry {@code policy}, for
   * frameworks that take Netty channel options but offer no hook on the channel itself (gRPC-java's
   * {@code NettyServerBuilder.withChildOption} and {@code NettyChannelBuilder.withOption}). The
   * policy is checked against the platform and the transport now, strictly.
   *
   * <p>Prefer {@link #configure} or {@link #apply} where there is a bootstrap or a channel: options
   * handed to a framework are set by Netty, which only logs a WARN when one does not take. So name
   * the same channel class the framework will use (a different transport's options are exactly
   * what Netty ignores), and check a live channel once with {@link #inspect(Channel)}. When
   * {@code channelType} is NIO's and Netty's epoll transport is available in this JVM (its classes
   * are on the class path and {@code Epoll.isAvailable()}), a WARNING is logged once per JVM
   * ({@link System.Logger} named after this class): a framework that picks its transport by
   * itself would pick epoll and ignore these options.
   *
   * @param channelType the socket channel class, or the server channel class whose accepted
   *     channels get the options (e.g. {@code EpollServerSocketChannel.class} for gRPC's {@code
   *     channelType})
   * @param policy the policy
   * @param sink receives the options in {@link ApplyReport#optionsOf(KeepalivePolicy)} order:
   *     tuning options first, SO_KEEPALIVE last
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the policy is beyond this platform's limits
   * @throws UnsupportedKeepaliveOptionException if the transport of {@code channelType} cannot set
   *     an option the policy asks for; {@code sink} then received nothing
   */
  public static void options(Class<? extends Channel> channelType, KeepalivePolicy policy,
      OptionSink sink) {
    requireNonNull(channelType, "channelType");
    requireNonNull(policy, "policy");
    requireNonNull(sink, "sink");
    LIMITS.requireSupported(policy);
    Transport transport = Transport.forOptionsOf(channelType);
    List<KeepaliveOption> plan = ApplyReport.optionsOf(policy);
    refuseUnsupported(transport, plan);
    NioTrap.check(channelType);
    for (int i = 0; i < plan.size(); i++) {
      KeepaliveOption o = plan.get(i);
      if (o == KeepaliveOption.SO_KEEPALIVE) {
        sink.option(untyped(ChannelOption.SO_KEEPALIVE), policy.enabled());
      } else {
        sink.option(untyped(transport.option(o)), KeepaliveApplier.valueOf(o, policy));
      }
    }
  }

  /** Safe: each option is handed over with a value of its own type, never another. */
  @SuppressWarnings("unchecked")
  private static ChannelOption<Object> untyped(ChannelOption<?> option) {
    return (ChannelOption<Object>) option;
  }

  /**
   * Reads the keepalive options in force on a live channel: what the kernel reports, including
   * the network namespace's defaults for options never set on it.
   *
   * @param channel an open socket channel (not a server channel)
   * @return {@link KeepalivePolicy#disabled()} if SO_KEEPALIVE is off; otherwise idle, interval,
   *     probes and, on transports that can read it (epoll, io_uring) and when it is above zero, the
   *     user timeout
   * @throws NullPointerException if {@code channel} is null
   * @throws IllegalArgumentException if {@code channel} is a server (listening) channel
   * @throws UnsupportedKeepaliveOptionException if the transport cannot read the tuning options
   * @throws ChannelException if the channel is closed or a read fails
   */
  public static KeepalivePolicy inspect(Channel channel) {
    requireNonNull(channel, "channel");
    Transport transport = Transport.of(channel);
    if (transport.listener) {
      throw new IllegalArgumentException("channel must be a socket channel, was the server channel "
          + channel);
    }
    return KeepaliveApplier.inspect(ChannelAccess.INSTANCE, channel);
  }

  /** Strict: refuses, before anything is set, the first option the transport has no way to set. */
  private static void refuseUnsupported(Transport transport, List<KeepaliveOption> plan) {
    for (int i = 0; i < plan.size(); i++) {
      KeepaliveOption o = plan.get(i);
      if (o != KeepaliveOption.SO_KEEPALIVE && transport.option(o) == null) {
        throw new UnsupportedKeepaliveOptionException(o, transport.name, transport.missingReason(o));
      }
    }
  }

  static <T> T requireNonNull(T value, String name) {
    return Objects.requireNonNull(value, () -> name + " must not be null");
  }
}
