package dev.keepalive.jdk.internal;

import dev.keepalive.KeepaliveOption;
import dev.keepalive.spi.SocketOptionAccess;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.util.Set;

/**
 * The JDK's socket operations, once per socket kind ({@link Socket}, {@link NetworkChannel}), and
 * through them the {@link SocketOptionAccess} that keepalive-api's one apply and inspect algorithm
 * runs on: its methods are defaults written over the JDK's generic {@code setOption}/{@code
 * getOption}, so tests that wrap an implementation (Mockito spy) to inject a failure on one option
 * see every call the algorithm makes.
 *
 * @param <S> the socket kind
 */
public interface SocketAccess<S> extends SocketOptionAccess<S, IOException> {

  /** {@link Socket}: support answers cached per class (see {@link OfSocket#supportedOptions}). */
  SocketAccess<Socket> SOCKET = new OfSocket();

  /** {@link NetworkChannel}: SocketChannel, AsynchronousSocketChannel and others. */
  SocketAccess<NetworkChannel> CHANNEL = new OfChannel();

  /**
   * Sets one option.
   *
   * @param <T> the option's type
   * @param socket the socket
   * @param option the option
   * @param value the value
   * @throws IOException if the kernel refuses it or the socket is closed
   */
  <T> void setOption(S socket, SocketOption<T> option, T value) throws IOException;

  /**
   * Reads one option.
   *
   * @param <T> the option's type
   * @param socket the socket
   * @param option the option
   * @return its value
   * @throws IOException if the socket is closed or the kernel refuses
   */
  <T> T getOption(S socket, SocketOption<T> option) throws IOException;

  /**
   * The options the socket takes; one call per apply, so it must be cheap.
   *
   * @param socket the socket
   * @return the options whose setting does not throw UnsupportedOperationException
   */
  Set<SocketOption<?>> supportedOptions(S socket);

  /**
   * Whether the socket is closed.
   *
   * @param socket the socket
   * @return true once closed
   */
  boolean isClosed(S socket);

  /**
   * The exception the socket kind's own calls throw once it is closed.
   *
   * @return {@code SocketException("Socket is closed")} or {@link ClosedChannelException}
   */
  IOException closed();

  @Override
  default String unsupported(S socket, KeepaliveOption option) {
    return Applier.cannotSet(this, socket, option);
  }

  @Override
  default String platform(S socket) {
    return Applier.platform();
  }

  @Override
  default int read(S socket, KeepaliveOption option) throws IOException {
    if (option == KeepaliveOption.SO_KEEPALIVE) {
      return getOption(socket, StandardSocketOptions.SO_KEEPALIVE) ? 1 : 0;
    }
    return getOption(socket, Applier.intOption(option));
  }

  @Override
  default void write(S socket, KeepaliveOption option, int value) throws IOException {
    if (option == KeepaliveOption.SO_KEEPALIVE) {
      setOption(socket, StandardSocketOptions.SO_KEEPALIVE, value != 0);
    } else {
      setOption(socket, Applier.intOption(option), value);
    }
  }

  /**
   * {@link #closed()}, or {@code cause} itself if it already is that exception (the JDK's own,
   * thrown by the call that found the socket closed).
   */
  @Override
  default IOException closed(S socket, Exception cause) {
    IOException closed = closed();
    if (cause == null) {
      return closed;
    }
    if (cause.getClass() == closed.getClass()
        && java.util.Objects.equals(cause.getMessage(), closed.getMessage())) {
      return (IOException) cause;
    }
    closed.initCause(cause);
    return closed;
  }

  /** {@code java.net.Socket}. */
  final class OfSocket implements SocketAccess<Socket> {

    /*
     * Socket.supportedOptions() builds a new set per socket (NioSocketImpl.supportedOptions), which
     * would cost the default path about as much as one setsockopt. The answer depends on the
     * SocketImpl, which for a given Socket class is the platform's (NioSocketImpl) unless a caller
     * passed their own to Socket(SocketImpl): for that rare socket an option the cache claims is
     * simply refused by the JDK with UnsupportedOperationException on the first call, which Applier
     * handles like any failed call.
     */
    private static final ClassValue<Supported> CACHE = new ClassValue<>() {
      @Override
      protected Supported computeValue(Class<?> type) {
        return new Supported();
      }
    };

    /** One Socket class's answer, filled by the first open socket of that class. */
    private static final class Supported {
      volatile Set<SocketOption<?>> options;
    }

    OfSocket() {}

    @Override
    public <T> void setOption(Socket socket, SocketOption<T> option, T value) throws IOException {
      if (socket instanceof PinnedSocket) {
        // keepalive-jdk's own apply goes through the pin (and re-pins); a client's call does not.
        ((PinnedSocket) socket).setAndPin(option, value);
      } else {
        socket.setOption(option, value);
      }
    }

    @Override
    public <T> T getOption(Socket socket, SocketOption<T> option) throws IOException {
      return socket.getOption(option);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions(Socket socket) {
      Supported cached = CACHE.get(socket.getClass());
      Set<SocketOption<?>> supported = cached.options;
      if (supported == null) {
        supported = socket.supportedOptions();
        // A socket whose impl failed answers an empty set: never cache that for the whole class.
        if (supported.contains(StandardSocketOptions.SO_KEEPALIVE)) {
          cached.options = supported;
        }
      }
      return supported;
    }

    @Override
    public boolean isClosed(Socket socket) {
      return socket.isClosed();
    }

    @Override
    public IOException closed() {
      // The JDK's own message for every option call on a closed Socket.
      return new SocketException("Socket is closed");
    }
  }

  /** {@code java.nio.channels.NetworkChannel}. */
  final class OfChannel implements SocketAccess<NetworkChannel> {

    OfChannel() {}

    @Override
    public <T> void setOption(NetworkChannel channel, SocketOption<T> option, T value)
        throws IOException {
      channel.setOption(option, value);
    }

    @Override
    public <T> T getOption(NetworkChannel channel, SocketOption<T> option) throws IOException {
      return channel.getOption(option);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions(NetworkChannel channel) {
      // Not cached per class: SocketChannelImpl serves both TCP and UNIX-domain channels (JDK 16+),
      // and answers from static sets, so the call is cheap.
      return channel.supportedOptions();
    }

    @Override
    public boolean isClosed(NetworkChannel channel) {
      return !channel.isOpen();
    }

    @Override
    public IOException closed() {
      return new ClosedChannelException();
    }
  }
}
