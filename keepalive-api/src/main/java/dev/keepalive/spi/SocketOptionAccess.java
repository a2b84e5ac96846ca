package dev.keepalive.spi;

import dev.keepalive.KeepaliveOption;

/**
 * The socket operations an adapter gives {@link KeepaliveApplier}, which runs the one apply and
 * inspect algorithm (strict, transactional and lenient) for every adapter: keepalive-jdk's sockets
 * and channels, keepalive-netty's transports, and any adapter written later. An adapter only says
 * how to read and write one option on its kind of socket, whether it can, and whether the socket is
 * closed; the order of the calls, what is undone when one fails, and the report are not its
 * business.
 *
 * <p>Values are ints in the kernel's unit, so the default path boxes nothing of its own:
 * SO_KEEPALIVE is 1 (on) or 0 (off), TCP_KEEPIDLE and TCP_KEEPINTVL are seconds, TCP_KEEPCNT a
 * count, TCP_USER_TIMEOUT milliseconds.
 *
 * <p>Implementations must be thread-safe and must not allocate on {@link #unsupported}, {@link
 * #read} or {@link #write} when nothing fails: they run on every apply.
 *
 * @param <S> the socket kind, e.g. {@code java.net.Socket} or {@code io.netty.channel.Channel}
 * @param <X> the exception the socket kind's calls throw: {@code IOException} for the JDK, {@code
 *     RuntimeException} where failures are unchecked (Netty's {@code ChannelException})
 */
public interface SocketOptionAccess<S, X extends Exception> {

  /**
   * Why {@code socket} cannot take {@code option} here: the runtime, transport or socket has no
   * way to set or read it. Asked before any option is set, so that strict and transactional modes
   * refuse a policy before the socket is touched.
   *
   * @param socket the socket
   * @param option the option
   * @return the reason, naming what is missing and what to do; null if the socket takes it
   */
  String unsupported(S socket, KeepaliveOption option);

  /**
   * The runtime or transport, as {@link dev.keepalive.UnsupportedKeepaliveOptionException} names
   * it.
   *
   * @param socket the socket
   * @return e.g. {@code "JDK 17.0.15 (Debian) on Linux 6.18.44"} or {@code "Netty epoll"}
   */
  String platform(S socket);

  /**
   * Reads one option.
   *
   * @param socket the socket
   * @param option the option
   * @return its value in the kernel's unit (SO_KEEPALIVE: 1 or 0)
   * @throws X if the read fails or the socket is closed
   */
  int read(S socket, KeepaliveOption option) throws X;

  /**
   * Sets one option. One call is one setsockopt: it either takes or changes nothing. On a closed
   * socket it must throw without touching anything: an adapter over raw descriptor numbers checks
   * that the socket is open first, since a closed number may already belong to another socket (the
   * algorithm does not ask {@link #isClosed} before the first write of a strict apply).
   *
   * @param socket the socket
   * @param option the option
   * @param value the value in the kernel's unit (SO_KEEPALIVE: 1 or 0)
   * @throws X if the kernel refuses it or the socket is closed
   * @throws UnsupportedOperationException if, after all, the socket cannot take the option (turned
   *     into a {@link dev.keepalive.UnsupportedKeepaliveOptionException} if it is not one already)
   */
  void write(S socket, KeepaliveOption option, int value) throws X;

  /**
   * Whether the socket is closed.
   *
   * @param socket the socket
   * @return true once closed
   */
  boolean isClosed(S socket);

  /**
   * The exception a closed socket of this kind gives, in every mode.
   *
   * @param socket the socket
   * @param cause the failure a call on the closed socket gave, or null if no call was made
   * @return the socket kind's own closed-socket exception ({@code cause} itself if it is one)
   */
  X closed(S socket, Exception cause);
}
