package dev.keepalive.jdk.internal;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.PlatformLimits;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.jdk.JdkOptions;
import java.io.Closeable;
import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Applies and inspects a policy through a {@link SocketAccess}: the one implementation behind every
 * public method of {@code Keepalive}, whatever the socket kind.
 *
 * <p>The default (strict) path makes exactly the raw setsockopt calls, in
 * {@link ApplyReport#optionsOf} order, and allocates nothing of its own: the platform limits, the
 * option order and the JDK's option objects are resolved once, and the report of a fully applied
 * policy is the policy's shared one.
 */
public final class Applier {

  private static final PlatformLimits LIMITS = PlatformLimits.current();

  /** What inspect reads back: the options of any enabled policy without a user timeout. */
  private static final List<KeepaliveOption> ENABLED =
      ApplyReport.optionsOf(KeepalivePolicy.linuxDefaults());

  private static final SocketOption<Integer> IDLE = tcp(KeepaliveOption.TCP_KEEPIDLE);
  private static final SocketOption<Integer> INTERVAL = tcp(KeepaliveOption.TCP_KEEPINTERVAL);
  private static final SocketOption<Integer> COUNT = tcp(KeepaliveOption.TCP_KEEPCOUNT);

  private Applier() {}

  private static SocketOption<Integer> tcp(KeepaliveOption option) {
    return JdkOptions.tcpOption(option).orElse(null);
  }

  /**
   * The JDK's socket option for {@code option}.
   *
   * @param option the option
   * @return the JDK's option, or null if this runtime has none
   */
  public static SocketOption<?> jdkOption(KeepaliveOption option) {
    switch (option) {
      case SO_KEEPALIVE:
        return StandardSocketOptions.SO_KEEPALIVE;
      case TCP_KEEPIDLE:
        return IDLE;
      case TCP_KEEPINTERVAL:
        return INTERVAL;
      case TCP_KEEPCOUNT:
        return COUNT;
      default:
        return null;
    }
  }

  /**
   * Why this runtime, whatever the socket, cannot set {@code option}.
   *
   * @param option the option
   * @return the reason, or null if the runtime has the option
   */
  public static String runtimeCannotSet(KeepaliveOption option) {
    if (option == KeepaliveOption.TCP_USER_TIMEOUT) {
      return "the JDK has no TCP_USER_TIMEOUT socket option (not in jdk.net.ExtendedSocketOptions);"
          + " keepalive-netty sets it on the epoll and io_uring transports";
    }
    if (option != KeepaliveOption.SO_KEEPALIVE && !JdkOptions.extendedOptionsAvailable()) {
      return JdkNetMissing.REASON;
    }
    return null;
  }

  /**
   * Why {@code socket} cannot take {@code option}.
   *
   * @param <S> the socket kind
   * @param access the socket operations
   * @param socket the socket
   * @param option the option
   * @return the reason, or null if the socket takes it
   */
  public static <S> String cannotSet(SocketAccess<S> access, S socket, KeepaliveOption option) {
    return cannotSet(access.supportedOptions(socket), socket, option);
  }

  private static String cannotSet(Set<SocketOption<?>> supported, Object socket,
      KeepaliveOption option) {
    String reason = runtimeCannotSet(option);
    if (reason != null) {
      return reason;
    }
    SocketOption<?> jdk = jdkOption(option);
    if (!supported.contains(jdk)) {
      return socket.getClass().getName() + " does not support " + jdk.name()
          + " (not in its supportedOptions()) on this platform";
    }
    return null;
  }

  /**
   * The platform named in {@link UnsupportedKeepaliveOptionException}s.
   *
   * @return e.g. {@code "JDK 17.0.15 (Debian) on Linux 6.18.44"}
   */
  public static String platform() {
    return JdkOptions.runtime();
  }

  /**
   * The checks that need no socket: platform limits, and in strict and transactional mode the
   * options this runtime cannot set at all. Lets a server refuse before it accepts a connection.
   *
   * @param policy the policy
   * @param mode the mode
   * @throws IllegalArgumentException if the platform's kernel cannot take the policy
   * @throws UnsupportedKeepaliveOptionException if the runtime cannot set an option (not lenient)
   */
  public static void checkPolicy(KeepalivePolicy policy, ApplyMode mode) {
    Objects.requireNonNull(policy, "policy must not be null");
    Objects.requireNonNull(mode, "mode must not be null");
    LIMITS.requireSupported(policy);
    if (mode != ApplyMode.LENIENT) {
      List<KeepaliveOption> options = ApplyReport.optionsOf(policy);
      for (int i = 0; i < options.size(); i++) {
        KeepaliveOption option = options.get(i);
        String reason = runtimeCannotSet(option);
        if (reason != null) {
          throw new UnsupportedKeepaliveOptionException(option, platform(), reason);
        }
      }
    }
  }

  /**
   * Makes {@code socket}'s keepalive exactly {@code policy}.
   *
   * @param <S> the socket kind
   * @param access the socket operations
   * @param socket the socket, borrowed: never closed here
   * @param policy the policy
   * @param mode strict, transactional or lenient
   * @return the shared all-applied report, or in lenient mode what took and what did not
   * @throws IOException if the socket is closed or a call fails (strict and transactional)
   * @throws IllegalArgumentException if the platform's kernel cannot take the policy
   * @throws UnsupportedKeepaliveOptionException if an option cannot be set here (not lenient)
   */
  public static <S> ApplyReport apply(SocketAccess<S> access, S socket, KeepalivePolicy policy,
      ApplyMode mode) throws IOException {
    Objects.requireNonNull(policy, "policy must not be null");
    Objects.requireNonNull(mode, "mode must not be null");
    // Refuse what the kernel would answer with a bare EINVAL, before the socket is touched.
    LIMITS.requireSupported(policy);
    List<KeepaliveOption> options = ApplyReport.optionsOf(policy);
    if (mode == ApplyMode.LENIENT) {
      if (access.isClosed(socket)) {
        throw access.closed();
      }
      return applyLeniently(access, socket, policy, options);
    }
    // No isClosed() here: on a closed socket the first call throws the JDK's own closed exception
    // before anything changed, which is what a closed socket gives. One fewer lock on the hot path.
    Set<SocketOption<?>> supported = access.supportedOptions(socket);
    for (int i = 0; i < options.size(); i++) {
      KeepaliveOption option = options.get(i);
      String reason = cannotSet(supported, socket, option);
      if (reason != null) {
        // A closed socket may answer an empty set: then it is the closed socket's exception.
        if (access.isClosed(socket)) {
          throw access.closed();
        }
        throw new UnsupportedKeepaliveOptionException(option, platform(), reason);
      }
    }
    Object[] before = mode == ApplyMode.TRANSACTIONAL ? read(access, socket, options) : null;
    int done = 0;
    try {
      for (; done < options.size(); done++) {
        set(access, socket, options.get(done), policy);
      }
    } catch (UnsupportedOperationException e) {
      // The JDK refused an option the support check let through (a Socket built on a SocketImpl
      // of the caller's own): still the typed exception, with the JDK's message.
      UnsupportedKeepaliveOptionException typed = e instanceof UnsupportedKeepaliveOptionException
          ? (UnsupportedKeepaliveOptionException) e
          : unsupported(options.get(done), e);
      undo(access, socket, options, done, before, typed);
      throw typed;
    } catch (IOException | RuntimeException e) {
      undo(access, socket, options, done, before, e);
      throw e;
    }
    return ApplyReport.allApplied(policy);
  }

  private static UnsupportedKeepaliveOptionException unsupported(KeepaliveOption option,
      UnsupportedOperationException cause) {
    UnsupportedKeepaliveOptionException e =
        new UnsupportedKeepaliveOptionException(option, platform(), String.valueOf(cause.getMessage()));
    e.initCause(cause);
    return e;
  }

  /**
   * After the call for {@code options.get(done)} failed. Nothing changed if it was the first call, so
   * nothing is undone; otherwise transactional mode restores every option already set (newest first)
   * and strict mode switches keepalive off, so it never runs with half the new policy and half the
   * old. Failures while undoing are attached to {@code failure}.
   */
  private static <S> void undo(SocketAccess<S> access, S socket, List<KeepaliveOption> options,
      int done, Object[] before, Exception failure) {
    if (done == 0) {
      return;
    }
    if (before != null) {
      for (int i = done - 1; i >= 0; i--) {
        try {
          restore(access, socket, options.get(i), before[i]);
        } catch (IOException | RuntimeException e) {
          failure.addSuppressed(e);
        }
      }
    } else {
      try {
        access.setOption(socket, StandardSocketOptions.SO_KEEPALIVE, Boolean.FALSE);
      } catch (IOException | RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  private static <S> ApplyReport applyLeniently(SocketAccess<S> access, S socket,
      KeepalivePolicy policy, List<KeepaliveOption> options) {
    ApplyReport.Builder report = ApplyReport.builder(policy);
    boolean all = true;
    Set<SocketOption<?>> supported = access.supportedOptions(socket);
    for (KeepaliveOption option : options) {
      String reason = cannotSet(supported, socket, option);
      if (reason != null) {
        report.notSupported(option, reason);
        all = false;
        continue;
      }
      try {
        set(access, socket, option, policy);
        report.applied(option);
      } catch (IOException | RuntimeException e) {
        report.failed(option, e.toString());
        all = false;
      }
    }
    return all ? ApplyReport.allApplied(policy) : report.build();
  }

  private static <S> void set(SocketAccess<S> access, S socket, KeepaliveOption option,
      KeepalivePolicy policy) throws IOException {
    switch (option) {
      case SO_KEEPALIVE:
        access.setOption(socket, StandardSocketOptions.SO_KEEPALIVE, policy.enabled());
        return;
      case TCP_KEEPIDLE:
        access.setOption(socket, IDLE, policy.idleSeconds());
        return;
      case TCP_KEEPINTERVAL:
        access.setOption(socket, INTERVAL, policy.intervalSeconds());
        return;
      case TCP_KEEPCOUNT:
        access.setOption(socket, COUNT, policy.probes());
        return;
      default:
        // Unreachable: cannotSet refuses TCP_USER_TIMEOUT on every JDK before any call is made.
        throw new UnsupportedKeepaliveOptionException(option, platform(),
            runtimeCannotSet(KeepaliveOption.TCP_USER_TIMEOUT));
    }
  }

  private static <S> Object[] read(SocketAccess<S> access, S socket,
      List<KeepaliveOption> options) throws IOException {
    Object[] values = new Object[options.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = access.getOption(socket, jdkOption(options.get(i)));
    }
    return values;
  }

  private static <S> void restore(SocketAccess<S> access, S socket, KeepaliveOption option,
      Object value) throws IOException {
    if (option == KeepaliveOption.SO_KEEPALIVE) {
      access.setOption(socket, StandardSocketOptions.SO_KEEPALIVE, (Boolean) value);
    } else {
      @SuppressWarnings("unchecked")
      SocketOption<Integer> jdk = (SocketOption<Integer>) jdkOption(option);
      access.setOption(socket, jdk, (Integer) value);
    }
  }

  /**
   * What the kernel has now: keepalive off, or on with its idle, interval and probes.
   *
   * @param <S> the socket kind
   * @param access the socket operations
   * @param socket the socket
   * @return {@link KeepalivePolicy#disabled()}, or the effective values (on Linux an option the
   *     socket never set reads as this network namespace's default)
   * @throws IOException if the socket is closed or a read fails
   * @throws UnsupportedKeepaliveOptionException if keepalive is on and this runtime or socket cannot
   *     read the tuning options
   * @throws IllegalStateException if the kernel reports a value no policy can hold
   */
  public static <S> KeepalivePolicy inspect(SocketAccess<S> access, S socket) throws IOException {
    if (access.isClosed(socket)) {
      throw access.closed();
    }
    if (!access.getOption(socket, StandardSocketOptions.SO_KEEPALIVE)) {
      return KeepalivePolicy.disabled();
    }
    Set<SocketOption<?>> supported = access.supportedOptions(socket);
    for (KeepaliveOption option : ENABLED) {
      String reason = cannotSet(supported, socket, option);
      if (reason != null) {
        throw new UnsupportedKeepaliveOptionException(option, platform(),
            "cannot read it back: " + reason);
      }
    }
    int idle = access.getOption(socket, IDLE);
    int interval = access.getOption(socket, INTERVAL);
    int count = access.getOption(socket, COUNT);
    if (idle < 1 || interval < 1 || count < 1) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "the kernel reports keepalive on with TCP_KEEPIDLE=%d, TCP_KEEPINTVL=%d, TCP_KEEPCNT=%d,"
              + " which no policy can hold", idle, interval, count));
    }
    return KeepalivePolicy.ofSeconds(idle, interval, count);
  }

  /**
   * Accepts a connection and applies {@code policy} to it (strict); closes it if that fails.
   *
   * @param access the socket operations
   * @param server the listener, borrowed
   * @param policy the policy
   * @return the accepted socket, keepalive applied
   * @throws IOException if accepting or applying fails
   */
  public static Socket accept(SocketAccess<Socket> access, ServerSocket server,
      KeepalivePolicy policy) throws IOException {
    checkPolicy(policy, ApplyMode.STRICT);
    Socket socket = server.accept();
    applyOrClose(access, socket, socket, policy);
    return socket;
  }

  /**
   * Accepts a connection and applies {@code policy} to it (strict); closes it if that fails.
   *
   * @param access the socket operations
   * @param server the listener, borrowed
   * @param policy the policy
   * @return the accepted channel, keepalive applied; null if the listener is non-blocking and no
   *     connection is pending, as {@link ServerSocketChannel#accept()}
   * @throws IOException if accepting or applying fails
   */
  public static SocketChannel accept(SocketAccess<NetworkChannel> access, ServerSocketChannel server,
      KeepalivePolicy policy) throws IOException {
    checkPolicy(policy, ApplyMode.STRICT);
    SocketChannel channel = server.accept();
    if (channel != null) {
      applyOrClose(access, channel, channel, policy);
    }
    return channel;
  }

  private static <S> void applyOrClose(SocketAccess<S> access, S socket, Closeable closeable,
      KeepalivePolicy policy) throws IOException {
    try {
      apply(access, socket, policy, ApplyMode.STRICT);
    } catch (IOException | RuntimeException e) {
      // The accepted connection is ours, not the caller's: nobody else can close it.
      try {
        closeable.close();
      } catch (IOException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
  }

  /** Built only when a reason is needed: says why this runtime lacks jdk.net and what to change. */
  private static final class JdkNetMissing {
    static final String REASON = ModuleFinder.ofSystem().find("jdk.net").isPresent()
        ? "this JDK has the jdk.net module but this JVM did not resolve it (--limit-modules, or"
            + " a custom module layer): include jdk.net in --limit-modules or the layer"
        : "this runtime image has no jdk.net module (a jlink'd image? add jdk.net to jlink's"
            + " --add-modules)";
  }
}
