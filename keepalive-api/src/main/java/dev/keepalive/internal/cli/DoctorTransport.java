package dev.keepalive.internal.cli;

import dev.keepalive.spi.SocketOptionAccess;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One kind of socket the keepalive doctor examines: the JDK's {@code Socket} and {@code
 * SocketChannel}, and (from keepalive-netty, through {@link DoctorTransports}) each Netty
 * transport. A transport only opens a loopback connection and hands over its client end with the
 * adapter's own {@link SocketOptionAccess}; what the doctor asks of it (which options it can set,
 * apply leniently, read every option back) is the doctor's, written once for every transport.
 */
public interface DoctorTransport {

  /**
   * The name people see, as {@link SocketOptionAccess#platform} names the transport where it can.
   *
   * @return e.g. {@code "JDK Socket"}, {@code "Netty epoll"}
   */
  String name();

  /**
   * Why this transport cannot run here.
   *
   * @return the reason and what to add (a jar, a kernel), or null if it can
   */
  String unavailable();

  /**
   * Connects a new client socket of this transport to {@code server}.
   *
   * @param server a listening loopback address
   * @param timeout the longest the connect may take
   * @return the connected client end; the caller closes it
   * @throws Exception if the connection cannot be made
   */
  Connection<?> connect(InetSocketAddress server, Duration timeout) throws Exception;

  /**
   * A connected client socket and the adapter's operations on it.
   *
   * @param <S> the socket kind
   */
  interface Connection<S> extends AutoCloseable {

    /**
     * The adapter's operations, those its apply and inspect run on.
     *
     * @return the access
     */
    SocketOptionAccess<S, ?> access();

    /**
     * The client end.
     *
     * @return the socket
     */
    S socket();

    /** Closes the socket and whatever the transport started for it (an event loop). */
    @Override
    void close();
  }
}
