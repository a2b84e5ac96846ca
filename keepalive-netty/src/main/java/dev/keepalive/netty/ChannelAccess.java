package dev.keepalive.netty;

import dev.keepalive.KeepaliveOption;
import dev.keepalive.UnsupportedKeepaliveOptionException;
import dev.keepalive.spi.SocketOptionAccess;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import java.nio.channels.ClosedChannelException;

/**
 * A Netty channel's keepalive options, through its transport's table ({@link Transport}), for
 * keepalive-api's one apply and inspect algorithm. Netty's {@code ChannelConfig} answers {@code
 * false} (set) or {@code null} (get) for an option it does not know on a channel: both are
 * refusals here, never success or "off".
 */
final class ChannelAccess implements SocketOptionAccess<Channel, RuntimeException> {

  static final ChannelAccess INSTANCE = new ChannelAccess();

  private ChannelAccess() {}

  @Override
  public String unsupported(Channel channel, KeepaliveOption option) {
    Transport transport = Transport.of(channel);
    if (option == KeepaliveOption.SO_KEEPALIVE) {
      return transport.datagram ? transport.missingReason(option) : null;
    }
    return transport.option(option) == null ? transport.missingReason(option) : null;
  }

  @Override
  public String platform(Channel channel) {
    return Transport.of(channel).name;
  }

  @Override
  public int read(Channel channel, KeepaliveOption option) {
    if (!channel.isOpen()) {
      // As in write: a native transport's getsockopt on a closed number could read another socket.
      throw closed(channel, null);
    }
    ChannelConfig config = channel.config();
    ChannelOption<?> used = nettyOption(channel, option);
    Object value = config.getOption(used);
    if (value == null) {
      throw new UnsupportedKeepaliveOptionException(option, platform(channel), "Netty's "
          + config.getClass().getSimpleName() + " cannot read " + used + " on this channel "
          + "(getOption returned null)");
    }
    return value instanceof Boolean ? ((Boolean) value ? 1 : 0) : (Integer) value;
  }

  @Override
  public void write(Channel channel, KeepaliveOption option, int value) {
    if (!channel.isOpen()) {
      // A native transport's setsockopt on a closed descriptor number could reach another socket
      // that reused it.
      throw closed(channel, null);
    }
    ChannelConfig config = channel.config();
    boolean taken;
    if (option == KeepaliveOption.SO_KEEPALIVE) {
      taken = config.setOption(ChannelOption.SO_KEEPALIVE, value != 0);
    } else {
      taken = config.setOption(Transport.of(channel).option(option), value);
    }
    if (!taken) {
      throw new UnsupportedKeepaliveOptionException(option, platform(channel), "Netty's "
          + config.getClass().getSimpleName() + " does not know " + nettyOption(channel, option)
          + " on this channel (setOption returned false)");
    }
  }

  @Override
  public boolean isClosed(Channel channel) {
    return !channel.isOpen();
  }

  @Override
  public RuntimeException closed(Channel channel, Exception cause) {
    if (cause instanceof ChannelException && cause.getCause() instanceof ClosedChannelException) {
      return (ChannelException) cause;
    }
    ChannelException closed =
        new ChannelException("channel is closed: " + channel, new ClosedChannelException());
    if (cause != null) {
      closed.addSuppressed(cause);
    }
    return closed;
  }

  private static ChannelOption<?> nettyOption(Channel channel, KeepaliveOption option) {
    return option == KeepaliveOption.SO_KEEPALIVE ? ChannelOption.SO_KEEPALIVE
        : Transport.of(channel).option(option);
  }
}
