package dev.keepalive.spi;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepaliveOption;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.PlatformLimits;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The apply and inspect algorithm, written once for every adapter. An adapter supplies a {@link
 * SocketOptionAccess} for its kind of socket and calls {@link #apply} and {@link #inspect}; what is
 * checked, in which order options are set, what happens when a call fails, and what is reported
 * are the same everywhere:
 *
 * <ol>
 *   <li>The policy is checked against this platform's kernel limits ({@link
 *       PlatformLimits#requireSupported}): an {@link IllegalArgumentException} before the socket is
 *       touched.
 *   <li>A closed socket gives the socket kind's own closed-socket exception ({@link
 *       SocketOptionAccess#closed}), in every mode, also when it closes during the call.
 *   <li>Strict and transactional: an option the socket cannot take is an {@link
 *       UnsupportedKeepaliveOptionException} before anything is set.
 *   <li>Options are set in {@link ApplyReport#optionsOf} order: the tuning options, then
 *       SO_KEEPALIVE, so keepalive is never switched on before its policy is complete.
 *   <li>A policy without a user timeout clears one the socket holds (TCP_USER_TIMEOUT back to 0, in
 *       the user timeout's place in that order), where the socket can set the option: otherwise an
 *       old user timeout, or a framework's, would stay in force unseen, and {@link #inspect} would
 *       differ from the policy just applied. It costs one read of the option on such sockets, and a
 *       write only when there is something to clear.
 *   <li><b>When a call fails</b> (one rule for every adapter): if it was the first call, nothing
 *       changed and the socket is left exactly as it was. Otherwise {@link ApplyMode#STRICT}
 *       switches SO_KEEPALIVE off, so keepalive never runs with half the new policy and half the old;
 *       {@link ApplyMode#TRANSACTIONAL} restores every option it changed, newest first, to the value
 *       it read before, and if the kernel refuses a restore (a namespace default above setsockopt's
 *       limit, such as {@code net.ipv4.tcp_keepalive_time=86400}) it switches SO_KEEPALIVE off too
 *       and says so in a suppressed exception. The failure is then thrown, with any failure of the
 *       undo attached as suppressed.
 *   <li>{@link ApplyMode#LENIENT} sets what it can and reports the rest; it allocates a report only
 *       when something did not take.
 * </ol>
 *
 * <p>The strict path makes exactly the raw calls and allocates nothing of its own: the report of a
 * fully applied policy is the policy's shared {@link ApplyReport#allApplied}.
 */
public final class KeepaliveApplier {

  /** Read once: the platform cannot change under a running JVM. */
  private static final PlatformLimits LIMITS = PlatformLimits.current();

  /** The orders of a policy without a user timeout on a socket that holds one: it is cleared. */
  private static final List<KeepaliveOption> TUNING_CLEARING_THEN_ON = List.of(
      KeepaliveOption.TCP_KEEPIDLE, KeepaliveOption.TCP_KEEPINTERVAL,
      KeepaliveOption.TCP_KEEPCOUNT, KeepaliveOption.TCP_USER_TIMEOUT,
      KeepaliveOption.SO_KEEPALIVE);
  private static final List<KeepaliveOption> CLEARING_THEN_OFF = List.of(
      KeepaliveOption.TCP_USER_TIMEOUT, KeepaliveOption.SO_KEEPALIVE);

  private KeepaliveApplier() {}

  /**
   * Makes {@code socket}'s keepalive exactly {@code policy}.
   *
   * @param <S> the socket kind
   * @param <X> the socket kind's exception
   * @param access the adapter's socket operations
   * @param socket the socket, borrowed: never closed here
   * @param policy the policy
   * @param mode strict, transactional or lenient
   * @return the policy's shared all-applied report, or in lenient mode what took and what did not
   * @throws X if the socket is closed (every mode), or (strict and transactional) a call failed
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if this platform's kernel cannot take the policy
   * @throws UnsupportedKeepaliveOptionException (strict and transactional) if the socket cannot take
   *     an option of the policy
   */
  public static <S, X extends Exception> ApplyReport apply(SocketOptionAccess<S, X> access,
      S socket, KeepalivePolicy policy, ApplyMode mode) throws X {
    Objects.requireNonNull(access, "access must not be null");
    Objects.requireNonNull(socket, "socket must not be null");
    Objects.requireNonNull(policy, "policy must not be null");
    Objects.requireNonNull(mode, "mode must not be null");
    // Refuse what the kernel would answer with a bare EINVAL, before the socket is touched.
    LIMITS.requireSupported(policy);
    List<KeepaliveOption> options = ApplyReport.optionsOf(policy);
    // Strict skips this check: on a closed socket its first write throws before anything changed
    // (SocketOptionAccess#write's contract) and becomes the closed-socket exception below. One
    // fewer lock on the default path: java.net.Socket.isClosed() synchronizes. Lenient must not
    // report a closed socket's refusals, and transactional reads before it writes.
    if (mode != ApplyMode.STRICT && access.isClosed(socket)) {
      throw access.closed(socket, null);
    }
    if (mode == ApplyMode.LENIENT) {
      return applyLeniently(access, socket, policy, options);
    }
    for (int i = 0; i < options.size(); i++) {
      KeepaliveOption option = options.get(i);
      String reason = access.unsupported(socket, option);
      if (reason != null) {
        // A socket closed meanwhile may answer that it supports nothing: then it is closed.
        if (access.isClosed(socket)) {
          throw access.closed(socket, null);
        }
        throw new UnsupportedKeepaliveOptionException(option, access.platform(socket), reason);
      }
    }
    try {
      if (holdsUserTimeoutToClear(access, socket, policy)) {
        options = clearing(policy);
      }
    } catch (UnsupportedKeepaliveOptionException e) {
      throw e;
    } catch (Exception e) {
      // Nothing was set yet: the socket is as it was.
      if (access.isClosed(socket)) {
        throw access.closed(socket, e);
      }
      throw e;
    }
    int[] before = mode == ApplyMode.TRANSACTIONAL ? readAll(access, socket, options) : null;
    int done = 0;
    try {
      for (; done < options.size(); done++) {
        KeepaliveOption option = options.get(done);
        access.write(socket, option, valueOf(option, policy));
      }
    } catch (UnsupportedKeepaliveOptionException e) {
      undo(access, socket, options, done, before, e);
      throw e;
    } catch (UnsupportedOperationException e) {
      // The runtime refused an option the support check let through (a Socket built on a
      // SocketImpl of the caller's own): still the typed exception, with the runtime's message.
      UnsupportedKeepaliveOptionException typed = typed(access, socket, options.get(done), e);
      undo(access, socket, options, done, before, typed);
      throw typed;
    } catch (Exception e) {
      if (access.isClosed(socket)) {
        throw access.closed(socket, e);
      }
      undo(access, socket, options, done, before, e);
      throw e;
    }
    return ApplyReport.allApplied(policy);
  }

  /**
   * What the kernel has now on {@code socket}: keepalive off, or on with its idle, interval, probes
   * and, where the socket can read it and it is above zero, its user timeout. On Linux an option the
   * socket never set reads as the network namespace's default, which may be beyond what setsockopt
   * takes (a {@code tcp_keepalive_time} sysctl of 86400 reads back as {@code idle=86400s}, a policy
   * {@link #apply} then refuses, as the kernel would).
   *
   * @param <S> the socket kind
   * @param <X> the socket kind's exception
   * @param access the adapter's socket operations
   * @param socket the socket, borrowed
   * @return {@link KeepalivePolicy#disabled()} (with the user timeout in force, if any and the
   *     socket can read it), or the effective values
   * @throws X if the socket is closed or a read fails
   * @throws NullPointerException if an argument is null
   * @throws UnsupportedKeepaliveOptionException if the socket cannot read SO_KEEPALIVE, or keepalive
   *     is on and it cannot read the tuning options
   * @throws IllegalStateException if the kernel reports a value no policy can hold
   */
  public static <S, X extends Exception> KeepalivePolicy inspect(SocketOptionAccess<S, X> access,
      S socket) throws X {
    Objects.requireNonNull(access, "access must not be null");
    Objects.requireNonNull(socket, "socket must not be null");
    if (access.isClosed(socket)) {
      throw access.closed(socket, null);
    }
    requireReadable(access, socket, KeepaliveOption.SO_KEEPALIVE);
    if (read(access, socket, KeepaliveOption.SO_KEEPALIVE) == 0) {
      // Keepalive off never hides a user timeout in force: it still bounds unacknowledged data.
      return withUserTimeoutInForce(access, socket, KeepalivePolicy.disabled());
    }
    requireReadable(access, socket, KeepaliveOption.TCP_KEEPIDLE);
    requireReadable(access, socket, KeepaliveOption.TCP_KEEPINTERVAL);
    requireReadable(access, socket, KeepaliveOption.TCP_KEEPCOUNT);
    int idle = read(access, socket, KeepaliveOption.TCP_KEEPIDLE);
    int interval = read(access, socket, KeepaliveOption.TCP_KEEPINTERVAL);
    int probes = read(access, socket, KeepaliveOption.TCP_KEEPCOUNT);
    if (idle < 1 || interval < 1 || probes < 1) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "the kernel reports keepalive on with TCP_KEEPIDLE=%d, TCP_KEEPINTVL=%d, TCP_KEEPCNT=%d,"
              + " which no policy can hold", idle, interval, probes));
    }
    return withUserTimeoutInForce(access, socket, KeepalivePolicy.ofSeconds(idle, interval,
        probes));
  }

  private static <S, X extends Exception> KeepalivePolicy withUserTimeoutInForce(
      SocketOptionAccess<S, X> access, S socket, KeepalivePolicy policy) throws X {
    if (access.unsupported(socket, KeepaliveOption.TCP_USER_TIMEOUT) == null) {
      // 0 is the kernel's "no user timeout", which a policy says by having none.
      int userTimeout = read(access, socket, KeepaliveOption.TCP_USER_TIMEOUT);
      if (userTimeout > 0) {
        return policy.withUserTimeout(Duration.ofMillis(userTimeout));
      }
    }
    return policy;
  }

  /**
   * The value {@code policy} gives {@code option}, in the kernel's unit.
   *
   * @param option the option
   * @param policy the policy
   * @return 1 or 0 for SO_KEEPALIVE, seconds for idle and interval, the probe count, or the user
   *     timeout in milliseconds (0, the kernel's "none", for a policy without one)
   * @throws NullPointerException if an argument is null
   * @throws IllegalStateException if {@code policy} does not set {@code option} (a disabled policy's
   *     tuning options)
   */
  public static int valueOf(KeepaliveOption option, KeepalivePolicy policy) {
    switch (option) {
      case SO_KEEPALIVE:
        return policy.enabled() ? 1 : 0;
      case TCP_KEEPIDLE:
        return policy.idleSeconds();
      case TCP_KEEPINTERVAL:
        return policy.intervalSeconds();
      case TCP_KEEPCOUNT:
        return policy.probes();
      default:
        return policy.hasUserTimeout() ? policy.userTimeoutMillis() : 0;
    }
  }

  /**
   * Whether {@code policy} has no user timeout while the socket, which can set the option, holds
   * one: then applying the policy clears it.
   */
  private static <S, X extends Exception> boolean holdsUserTimeoutToClear(
      SocketOptionAccess<S, X> access, S socket, KeepalivePolicy policy) throws X {
    if (policy.hasUserTimeout()
        || access.unsupported(socket, KeepaliveOption.TCP_USER_TIMEOUT) != null) {
      return false;
    }
    return read(access, socket, KeepaliveOption.TCP_USER_TIMEOUT) != 0;
  }

  /** The order that sets {@code policy} and clears a user timeout in force, in its place. */
  private static List<KeepaliveOption> clearing(KeepalivePolicy policy) {
    return policy.enabled() ? TUNING_CLEARING_THEN_ON : CLEARING_THEN_OFF;
  }

  private static <S, X extends Exception> ApplyReport applyLeniently(
      SocketOptionAccess<S, X> access, S socket, KeepalivePolicy policy,
      List<KeepaliveOption> options) throws X {
    // Made at the first option that does not take: a fully applied policy allocates nothing.
    ApplyReport.Builder report = null;
    try {
      if (holdsUserTimeoutToClear(access, socket, policy)) {
        options = clearing(policy);
      }
    } catch (Exception e) {
      if (access.isClosed(socket)) {
        throw access.closed(socket, e);
      }
      // A user timeout in force cannot be told, so it may stay: said in the report, never hidden.
      report = ApplyReport.builder(policy).failed(KeepaliveOption.TCP_USER_TIMEOUT,
          "could not read TCP_USER_TIMEOUT to clear one in force: " + describe(e));
    }
    for (int i = 0; i < options.size(); i++) {
      KeepaliveOption option = options.get(i);
      String reason = access.unsupported(socket, option);
      if (reason == null) {
        try {
          access.write(socket, option, valueOf(option, policy));
          if (report != null) {
            report.applied(option);
          }
          continue;
        } catch (UnsupportedOperationException e) {
          reason = e.getMessage() != null ? e.getMessage() : e.toString();
        } catch (Exception e) {
          if (access.isClosed(socket)) {
            throw access.closed(socket, e);
          }
          report = report != null ? report : appliedBefore(policy, options, i);
          report.failed(option, describe(e));
          continue;
        }
      } else if (access.isClosed(socket)) {
        throw access.closed(socket, null);
      }
      report = report != null ? report : appliedBefore(policy, options, i);
      report.notSupported(option, reason);
    }
    return report == null ? ApplyReport.allApplied(policy) : report.build();
  }

  private static ApplyReport.Builder appliedBefore(KeepalivePolicy policy,
      List<KeepaliveOption> options, int first) {
    ApplyReport.Builder report = ApplyReport.builder(policy);
    for (int i = 0; i < first; i++) {
      report.applied(options.get(i));
    }
    return report;
  }

  private static <S, X extends Exception> void requireReadable(SocketOptionAccess<S, X> access,
      S socket, KeepaliveOption option) {
    String reason = access.unsupported(socket, option);
    if (reason != null) {
      throw new UnsupportedKeepaliveOptionException(option, access.platform(socket),
          "cannot read it back: " + reason);
    }
  }

  private static <S, X extends Exception> int read(SocketOptionAccess<S, X> access, S socket,
      KeepaliveOption option) throws X {
    try {
      return access.read(socket, option);
    } catch (UnsupportedKeepaliveOptionException e) {
      throw e;
    } catch (UnsupportedOperationException e) {
      throw typed(access, socket, option, e);
    }
  }

  /** ApplyMode.TRANSACTIONAL: every option the policy changes, as it is now. */
  private static <S, X extends Exception> int[] readAll(SocketOptionAccess<S, X> access, S socket,
      List<KeepaliveOption> options) throws X {
    int[] values = new int[options.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = read(access, socket, options.get(i));
    }
    return values;
  }

  /**
   * After the call for {@code options.get(done)} failed: the rule in the class comment. Failures
   * while undoing are attached to {@code failure}.
   */
  private static <S, X extends Exception> void undo(SocketOptionAccess<S, X> access, S socket,
      List<KeepaliveOption> options, int done, int[] before, Exception failure) {
    if (done == 0) {
      return;
    }
    if (before != null) {
      KeepaliveOption refused = null;
      for (int i = done - 1; i >= 0; i--) {
        KeepaliveOption option = options.get(i);
        try {
          access.write(socket, option, before[i]);
        } catch (Exception e) {
          suppress(failure, e);
          if (refused == null) {
            refused = option;
          }
        }
      }
      if (refused == null) {
        return;
      }
      IllegalStateException note = new IllegalStateException(String.format(Locale.ROOT,
          "%s could not restore %s=%d, so SO_KEEPALIVE was switched off rather than left on with"
              + " a mix of the old and the new policy", ApplyMode.TRANSACTIONAL,
          refused.kernelName(), before[options.indexOf(refused)]));
      switchOff(access, socket, note);
      failure.addSuppressed(note);
      return;
    }
    switchOff(access, socket, failure);
  }

  private static <S, X extends Exception> void switchOff(SocketOptionAccess<S, X> access, S socket,
      Exception failure) {
    try {
      access.write(socket, KeepaliveOption.SO_KEEPALIVE, 0);
    } catch (Exception e) {
      suppress(failure, e);
    }
  }

  private static void suppress(Exception failure, Exception e) {
    // A transport may throw one shared exception instance for every call.
    if (e != failure) {
      failure.addSuppressed(e);
    }
  }

  private static <S, X extends Exception> UnsupportedKeepaliveOptionException typed(
      SocketOptionAccess<S, X> access, S socket, KeepaliveOption option,
      UnsupportedOperationException cause) {
    UnsupportedKeepaliveOptionException e = new UnsupportedKeepaliveOptionException(option,
        access.platform(socket), String.valueOf(cause.getMessage()));
    e.initCause(cause);
    return e;
  }

  private static String describe(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }
}
