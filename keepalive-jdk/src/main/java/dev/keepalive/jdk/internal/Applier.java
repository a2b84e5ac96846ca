package dev.keepalive.jdk.internal;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.PlatformLimits;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.jdk.JdkOptions;
import dev.keepalive.spi.KeepaliveApplier;
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
import java.util.Objects;

/**
 * keepalive-jdk's side of the one apply and inspect algorithm ({@link KeepaliveApplier}, in
 * keepalive-api): the JDK's options, what this runtime and each socket can set, and the accept
 * helpers. The sequence itself (checks, order, undo, report) is not here.
 */
public final class Applier {

  private static final PlatformLimits LIMITS = PlatformLimits.current();

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
    String reason = runtimeCannotSet(option);
    if (reason != null) {
      return reason;
    }
    SocketOption<?> jdk = jdkOption(option);
    if (!access.supportedOptions(socket).contains(jdk)) {
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
   * Makes {@code socket}'s keepalive exactly {@code policy}, through keepalive-api's one algorithm
   * ({@link KeepaliveApplier#apply}).
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
    return KeepaliveApplier.apply(access, socket, policy, mode);
  }

  /**
   * The JDK's int option for a tuning option.
   *
   * @param option TCP_KEEPIDLE, TCP_KEEPINTERVAL or TCP_KEEPCOUNT
   * @return the JDK's option
   * @throws UnsupportedKeepaliveOptionException for an option this runtime has none of
   */
  @SuppressWarnings("unchecked")
  static SocketOption<Integer> intOption(KeepaliveOption option) {
    SocketOption<?> jdk = option == KeepaliveOption.SO_KEEPALIVE ? null : jdkOption(option);
    if (jdk == null) {
      // Unreachable through KeepaliveApplier: cannotSet refuses these before any call is made.
      throw new UnsupportedKeepaliveOptionException(option, platform(),
          String.valueOf(runtimeCannotSet(option)));
    }
    return (SocketOption<Integer>) jdk;
  }

  /**
   * What the kernel has now: keepalive off, or on with its idle, interval and probes
   * ({@link KeepaliveApplier#inspect}).
   *
   * @param <S> the socket kind
   * @param access the socket operations
   * @param socket the socket
   * @return {@link KeepalivePolicy#disabled()}, or the effective values (on Linux an option the
   *     socket never set reads as this network namespace's default)
   * @throws IOException if the socket is closed or a read fails
   * @throws UnsupportedKeepaliveOptionException if this runtime or socket cannot read SO_KEEPALIVE,
   *     or keepalive is on and it cannot read the tuning options
   * @throws IllegalStateException if the kernel reports a value no policy can hold
   */
  public static <S> KeepalivePolicy inspect(SocketAccess<S> access, S socket) throws IOException {
    return KeepaliveApplier.inspect(access, socket);
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
