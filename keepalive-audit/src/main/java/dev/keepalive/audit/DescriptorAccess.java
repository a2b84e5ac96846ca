package dev.keepalive.audit;

import dev.keepalive.KeepaliveOption;
import dev.keepalive.spi.SocketOptionAccess;
import java.io.IOException;

/**
 * The audit's adapter on the SPI: the one apply algorithm ({@link
 * dev.keepalive.spi.KeepaliveApplier}) over a duplicated descriptor of another process, with
 * {@code setsockopt(2)}/{@code getsockopt(2)} through FFM. A duplicate shares the target's open file
 * description, so setting an option on it changes the target's own socket. TCP_USER_TIMEOUT takes
 * this way too, on any process: a JDK socket of a Java 17 application gets one that the JDK's own
 * options cannot set.
 */
final class DescriptorAccess implements SocketOptionAccess<DescriptorAccess.Descriptor,
    IOException> {

  /** A duplicate this process holds open for the whole apply; MPTCP takes no TCP_USER_TIMEOUT. */
  record Descriptor(int fd, boolean mptcp) {}

  private final Reader reader;

  DescriptorAccess(Reader reader) {
    this.reader = reader;
  }

  @Override
  public String unsupported(Descriptor socket, KeepaliveOption option) {
    if (socket.mptcp() && option == KeepaliveOption.TCP_USER_TIMEOUT) {
      return "an MPTCP socket takes no TCP_USER_TIMEOUT (setsockopt answers ENOPROTOOPT (92))";
    }
    return null;
  }

  @Override
  public String platform(Descriptor socket) {
    return "Linux " + System.getProperty("os.version") + (socket.mptcp() ? ", MPTCP" : "")
        + " (pidfd_getfd)";
  }

  @Override
  public int read(Descriptor socket, KeepaliveOption option) throws IOException {
    return reader.getInt(socket.fd(), level(option), number(option), option.kernelName());
  }

  @Override
  public void write(Descriptor socket, KeepaliveOption option, int value) throws IOException {
    reader.setInt(socket.fd(), level(option), number(option), value, option.kernelName());
  }

  /** The duplicate keeps the socket open until the apply closes it. */
  @Override
  public boolean isClosed(Descriptor socket) {
    return false;
  }

  @Override
  public IOException closed(Descriptor socket, Exception cause) {
    return cause instanceof IOException io ? io : new IOException("socket closed", cause);
  }

  private static int level(KeepaliveOption option) {
    return option == KeepaliveOption.SO_KEEPALIVE ? Linux.SOL_SOCKET : Linux.IPPROTO_TCP;
  }

  private static int number(KeepaliveOption option) {
    switch (option) {
      case SO_KEEPALIVE:
        return Linux.SO_KEEPALIVE;
      case TCP_KEEPIDLE:
        return Linux.TCP_KEEPIDLE;
      case TCP_KEEPINTERVAL:
        return Linux.TCP_KEEPINTVL;
      case TCP_KEEPCOUNT:
        return Linux.TCP_KEEPCNT;
      default:
        return Linux.TCP_USER_TIMEOUT;
    }
  }
}
