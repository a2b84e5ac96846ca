package dev.keepalive.jdk;

import dev.keepalive.ApplyMode;
import dev.keepalive.ApplyReport;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.jdk.internal.Applier;
import dev.keepalive.jdk.internal.SocketAccess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * Makes a JDK socket's TCP keepalive exactly a {@link KeepalivePolicy}, reads back what the kernel
 * has, and accepts server connections with a policy applied.
 *
 * <pre>{@code
 * KeepalivePolicy policy = KeepalivePolicy.parse("idle=90s,interval=15s,probes=2");
 * Keepalive.apply(socket, policy);               // or a SocketChannel, AsynchronousSocketChannel
 * assert Keepalive.inspect(socket).equals(policy);
 * Socket accepted = Keepalive.accept(serverSocket, policy);
 * }</pre>
 *
 * <p>Every apply first checks the policy against this platform's kernel limits
 * ({@link dev.keepalive.PlatformLimits}), so Linux's idle limit of 32767 s is an
 * {@link IllegalArgumentException} naming the field, not the kernel's bare
 * {@code SocketException: Invalid argument}. Then, in the default {@linkplain ApplyMode#STRICT
 * strict} mode, an option this runtime or socket cannot set (TCP_USER_TIMEOUT on every JDK; the
 * TCP_KEEP* options without the {@code jdk.net} module) is an
 * {@link UnsupportedKeepaliveOptionException} before anything changes. The options are set in
 * {@link ApplyReport#optionsOf(KeepalivePolicy)} order, SO_KEEPALIVE last; if a call fails part-way
 * keepalive is switched off, so it never runs with half a policy.
 * {@linkplain ApplyMode#TRANSACTIONAL Transactional} mode instead restores every option it changed
 * (reading them first costs about twice the raw calls); {@linkplain ApplyMode#LENIENT lenient} mode
 * sets what it can and lists the rest in the report.
 *
 * <p>Sockets and channels are borrowed: nothing here closes them, except a connection
 * {@code accept} made itself and could not configure. A closed socket gives the exception the JDK's
 * own option calls give: {@link java.net.SocketException} ("Socket is closed") for a {@link Socket},
 * {@link java.nio.channels.ClosedChannelException} for a channel. All methods are thread-safe; apply
 * to one socket from one thread at a time, as with any sequence of {@code setOption} calls.
 */
public final class Keepalive {

  private Keepalive() {}

  /**
   * Applies {@code policy} to {@code socket} in {@linkplain ApplyMode#STRICT strict} mode.
   *
   * @param socket a TCP socket, connected or not; borrowed, never closed
   * @param policy the policy; {@link KeepalivePolicy#disabled()} switches SO_KEEPALIVE off
   * @return the report, every option applied
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if this platform's kernel cannot take the policy; the socket is
   *     unchanged
   * @throws UnsupportedKeepaliveOptionException if this runtime or socket cannot set an option the
   *     policy asks for (TCP_USER_TIMEOUT, or TCP_KEEP* without {@code jdk.net}); the socket is
   *     unchanged
   * @throws java.net.SocketException if the socket is closed, or the kernel refuses an option; in
   *     the latter case keepalive is left off if any option had been changed
   * @throws IOException if an I/O error occurs while setting an option
   */
  public static ApplyReport apply(Socket socket, KeepalivePolicy policy) throws IOException {
    return apply(socket, policy, ApplyMode.STRICT);
  }

  /**
   * Applies {@code policy} to {@code socket} in the given mode.
   *
   * @param socket a TCP socket, connected or not; borrowed, never closed
   * @param policy the policy; {@link KeepalivePolicy#disabled()} switches SO_KEEPALIVE off
   * @param mode {@link ApplyMode#STRICT}, {@link ApplyMode#TRANSACTIONAL} or
   *     {@link ApplyMode#LENIENT}
   * @return the report: every option applied, or in lenient mode each option's outcome
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if this platform's kernel cannot take the policy; the socket is
   *     unchanged
   * @throws UnsupportedKeepaliveOptionException in strict and transactional mode, if this runtime or
   *     socket cannot set an option the policy asks for; the socket is unchanged
   * @throws java.net.SocketException if the socket is closed (in every mode), or the kernel refuses
   *     an option (strict: keepalive then left off if anything had changed; transactional: every
   *     option changed is restored)
   * @throws IOException if an I/O error occurs while setting an option
   */
  public static ApplyReport apply(Socket socket, KeepalivePolicy policy, ApplyMode mode)
      throws IOException {
    Objects.requireNonNull(socket, "socket must not be null");
    return Applier.apply(SocketAccess.SOCKET, socket, policy, mode);
  }

  /**
   * Applies {@code policy} to a connection channel in {@linkplain ApplyMode#STRICT strict} mode.
   *
   * @param channel a TCP {@link SocketChannel} or {@link java.nio.channels.AsynchronousSocketChannel};
   *     borrowed, never closed
   * @param policy the policy; {@link KeepalivePolicy#disabled()} switches SO_KEEPALIVE off
   * @return the report, every option applied
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code channel} is a listener or a datagram channel, or this
   *     platform's kernel cannot take the policy; the channel is unchanged
   * @throws UnsupportedKeepaliveOptionException if this runtime or channel cannot set an option the
   *     policy asks for (TCP_USER_TIMEOUT; TCP_KEEP* without {@code jdk.net} or on a UNIX-domain
   *     channel); the channel is unchanged
   * @throws java.nio.channels.ClosedChannelException if the channel is closed
   * @throws IOException if the kernel refuses an option (keepalive then left off if anything had
   *     changed) or an I/O error occurs
   */
  public static ApplyReport apply(NetworkChannel channel, KeepalivePolicy policy)
      throws IOException {
    return apply(channel, policy, ApplyMode.STRICT);
  }

  /**
   * Applies {@code policy} to a connection channel in the given mode.
   *
   * @param channel a TCP {@link SocketChannel} or {@link java.nio.channels.AsynchronousSocketChannel};
   *     borrowed, never closed
   * @param policy the policy; {@link KeepalivePolicy#disabled()} switches SO_KEEPALIVE off
   * @param mode {@link ApplyMode#STRICT}, {@link ApplyMode#TRANSACTIONAL} or
   *     {@link ApplyMode#LENIENT}
   * @return the report: every option applied, or in lenient mode each option's outcome
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code channel} is a listener or a datagram channel, or this
   *     platform's kernel cannot take the policy; the channel is unchanged
   * @throws UnsupportedKeepaliveOptionException in strict and transactional mode, if this runtime or
   *     channel cannot set an option the policy asks for; the channel is unchanged
   * @throws java.nio.channels.ClosedChannelException if the channel is closed (in every mode)
   * @throws IOException if the kernel refuses an option (strict: keepalive then left off if anything
   *     had changed; transactional: every option changed is restored) or an I/O error occurs
   */
  public static ApplyReport apply(NetworkChannel channel, KeepalivePolicy policy, ApplyMode mode)
      throws IOException {
    return Applier.apply(SocketAccess.CHANNEL, requireConnection(channel), policy, mode);
  }

  /**
   * What the kernel has now for {@code socket}. After {@code apply(socket, p)} with an enabled
   * {@code p} without a user timeout, {@code inspect(socket).equals(p)}. The JDK cannot read
   * TCP_USER_TIMEOUT, so the result never has one.
   *
   * @param socket a TCP socket; borrowed, never closed
   * @return {@link KeepalivePolicy#disabled()} if SO_KEEPALIVE is off, else the effective idle,
   *     interval and probes (on Linux an option never set on the socket reads as this network
   *     namespace's default, {@link dev.keepalive.KernelDefaults})
   * @throws NullPointerException if {@code socket} is null
   * @throws UnsupportedKeepaliveOptionException if keepalive is on and this runtime cannot read the
   *     TCP_KEEP* options (no {@code jdk.net})
   * @throws java.net.SocketException if the socket is closed
   * @throws IllegalStateException if the kernel reports a value no policy can hold (zero)
   * @throws IOException if an I/O error occurs while reading an option
   */
  public static KeepalivePolicy inspect(Socket socket) throws IOException {
    Objects.requireNonNull(socket, "socket must not be null");
    return Applier.inspect(SocketAccess.SOCKET, socket);
  }

  /**
   * What the kernel has now for a connection channel; see {@link #inspect(Socket)}.
   *
   * @param channel a TCP {@link SocketChannel} or {@link java.nio.channels.AsynchronousSocketChannel};
   *     borrowed, never closed
   * @return {@link KeepalivePolicy#disabled()} if SO_KEEPALIVE is off, else the effective idle,
   *     interval and probes
   * @throws NullPointerException if {@code channel} is null
   * @throws IllegalArgumentException if {@code channel} is a listener or a datagram channel
   * @throws UnsupportedKeepaliveOptionException if keepalive is on and this runtime or channel
   *     cannot read the TCP_KEEP* options
   * @throws java.nio.channels.ClosedChannelException if the channel is closed
   * @throws IllegalStateException if the kernel reports a value no policy can hold (zero)
   * @throws IOException if an I/O error occurs while reading an option
   */
  public static KeepalivePolicy inspect(NetworkChannel channel) throws IOException {
    return Applier.inspect(SocketAccess.CHANNEL, requireConnection(channel));
  }

  /**
   * Accepts a connection and applies {@code policy} to it in {@linkplain ApplyMode#STRICT strict}
   * mode: the server-side counterpart of {@link #apply(Socket, KeepalivePolicy)}. Keepalive belongs
   * on each accepted connection, not on the listener: {@code ServerSocket} has no SO_KEEPALIVE, on
   * macOS and BSD SO_KEEPALIVE on a listener gets the listener itself reaped, and macOS accepted
   * sockets do not inherit TCP_KEEP* from the listener. The policy is checked before accepting, so
   * an invalid one never costs a connection.
   *
   * @param server the listener; borrowed, never closed
   * @param policy the policy for the accepted connection
   * @return the accepted socket, whose keepalive is {@code policy}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if this platform's kernel cannot take the policy (nothing is
   *     accepted)
   * @throws UnsupportedKeepaliveOptionException if this runtime cannot set an option the policy asks
   *     for (nothing is accepted), or the accepted socket cannot (it is closed)
   * @throws java.net.SocketTimeoutException if the listener has a timeout and it expires
   * @throws IOException if accepting fails, or applying fails (the accepted socket is then closed)
   */
  public static Socket accept(ServerSocket server, KeepalivePolicy policy) throws IOException {
    Objects.requireNonNull(server, "server must not be null");
    return Applier.accept(SocketAccess.SOCKET, server, policy);
  }

  /**
   * Accepts a connection and applies {@code policy} to it in {@linkplain ApplyMode#STRICT strict}
   * mode; see {@link #accept(ServerSocket, KeepalivePolicy)}.
   *
   * @param server the listener, blocking or not; borrowed, never closed
   * @param policy the policy for the accepted connection
   * @return the accepted channel, whose keepalive is {@code policy}; null if the listener is
   *     non-blocking and no connection is pending, as {@link ServerSocketChannel#accept()}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if this platform's kernel cannot take the policy (nothing is
   *     accepted)
   * @throws UnsupportedKeepaliveOptionException if this runtime cannot set an option the policy asks
   *     for (nothing is accepted), or the accepted channel cannot (it is closed)
   * @throws java.nio.channels.ClosedChannelException if the listener is closed
   * @throws IOException if accepting fails, or applying fails (the accepted channel is then closed)
   */
  public static SocketChannel accept(ServerSocketChannel server, KeepalivePolicy policy)
      throws IOException {
    Objects.requireNonNull(server, "server must not be null");
    return Applier.accept(SocketAccess.CHANNEL, server, policy);
  }

  private static NetworkChannel requireConnection(NetworkChannel channel) {
    Objects.requireNonNull(channel, "channel must not be null");
    if (channel instanceof ServerSocketChannel
        || channel instanceof AsynchronousServerSocketChannel) {
      // ServerSocketChannel does not support SO_KEEPALIVE (UnsupportedOperationException), and on
      // macOS/BSD SO_KEEPALIVE on a listener gets the listener itself reaped: the accepted
      // connections are what need the policy.
      throw new IllegalArgumentException("channel must be a connection, was a listener ("
          + channel.getClass().getName() + "): keepalive belongs on each accepted connection;"
          + " use Keepalive.accept(ServerSocketChannel, policy) or apply the policy to each"
          + " channel the listener accepts");
    }
    if (channel instanceof DatagramChannel) {
      throw new IllegalArgumentException("channel must be a TCP connection, was a DatagramChannel:"
          + " keepalive is a TCP mechanism");
    }
    return channel;
  }
}
