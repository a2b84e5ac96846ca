package dev.keepalive.agent;

import dev.keepalive.KeepaliveOption;
import dev.keepalive.spi.SocketOptionAccess;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;

/**
 * A Netty native channel's keepalive options, for keepalive-api's one algorithm, through Netty's
 * public API ({@code channel.config().setOption/getOption} with the transport's {@code
 * ChannelOption}s) found reflectively in the class loader that loaded the channel: the agent
 * brings no Netty of its own, works with 4.1 and 4.2, and never links against the application's.
 * One instance per channel class, made on first use.
 */
final class NettyAccess implements SocketOptionAccess<Object, RuntimeException> {

  private static final MethodHandles.Lookup PUBLIC = MethodHandles.publicLookup();

  private static final ClassValue<NettyAccess> BY_CLASS = new ClassValue<NettyAccess>() {
    @Override
    protected NettyAccess computeValue(Class<?> type) {
      return resolve(type);
    }
  };

  /** {@code Netty epoll}, {@code Netty io_uring} or {@code Netty io_uring (incubator)}. */
  final String transport;
  private final MethodHandle config;
  private final MethodHandle isOpen;
  private final MethodHandle parent;
  private final MethodHandle localAddress;
  private final MethodHandle setOption;
  private final MethodHandle getOption;
  /** Netty's ChannelOption for each {@link KeepaliveOption}, by ordinal. */
  private final Object[] options;

  private NettyAccess(String transport, MethodHandle config, MethodHandle isOpen,
      MethodHandle parent, MethodHandle localAddress, MethodHandle setOption,
      MethodHandle getOption, Object[] options) {
    this.transport = transport;
    this.config = config;
    this.isOpen = isOpen;
    this.parent = parent;
    this.localAddress = localAddress;
    this.setOption = setOption;
    this.getOption = getOption;
    this.options = options;
  }

  /**
   * The access for a TCP channel of Netty's epoll or io_uring transport.
   *
   * @param channel the channel
   * @return null for a UNIX-domain, datagram or server channel, or a transport the agent does not
   *     know
   */
  static NettyAccess of(Object channel) {
    return BY_CLASS.get(channel.getClass());
  }

  private static NettyAccess resolve(Class<?> type) {
    String transport = null;
    String optionClass = null;
    for (Class<?> c = type; c != null && transport == null; c = c.getSuperclass()) {
      switch (c.getName()) {
        case "io.netty.channel.epoll.AbstractEpollChannel":
          transport = "Netty epoll";
          optionClass = "io.netty.channel.epoll.EpollChannelOption";
          break;
        case "io.netty.channel.uring.AbstractIoUringChannel":
          transport = "Netty io_uring";
          optionClass = "io.netty.channel.uring.IoUringChannelOption";
          break;
        case "io.netty.incubator.channel.uring.AbstractIOUringChannel":
          transport = "Netty io_uring (incubator)";
          optionClass = "io.netty.incubator.channel.uring.IOUringChannelOption";
          break;
        default:
          break;
      }
    }
    ClassLoader loader = type.getClassLoader();
    try {
      Class<?> socketChannel = Class.forName("io.netty.channel.socket.SocketChannel", false,
          loader);
      if (transport == null || !socketChannel.isAssignableFrom(type)) {
        // A UNIX-domain or datagram channel (or a server channel): never touched.
        return null;
      }
      Class<?> channel = Class.forName("io.netty.channel.Channel", false, loader);
      Class<?> config = Class.forName("io.netty.channel.ChannelConfig", false, loader);
      Class<?> option = Class.forName("io.netty.channel.ChannelOption", false, loader);
      Class<?> specific = Class.forName(optionClass, false, loader);
      Object[] options = new Object[KeepaliveOption.values().length];
      options[KeepaliveOption.SO_KEEPALIVE.ordinal()] = option.getField("SO_KEEPALIVE").get(null);
      options[KeepaliveOption.TCP_KEEPIDLE.ordinal()] = specific.getField("TCP_KEEPIDLE").get(null);
      options[KeepaliveOption.TCP_KEEPINTERVAL.ordinal()] =
          specific.getField("TCP_KEEPINTVL").get(null);
      options[KeepaliveOption.TCP_KEEPCOUNT.ordinal()] = specific.getField("TCP_KEEPCNT").get(null);
      options[KeepaliveOption.TCP_USER_TIMEOUT.ordinal()] =
          specific.getField("TCP_USER_TIMEOUT").get(null);
      MethodType object = MethodType.methodType(Object.class, Object.class);
      return new NettyAccess(transport,
          PUBLIC.findVirtual(channel, "config", MethodType.methodType(config)).asType(object),
          PUBLIC.findVirtual(channel, "isOpen", MethodType.methodType(boolean.class))
              .asType(MethodType.methodType(boolean.class, Object.class)),
          PUBLIC.findVirtual(channel, "parent", MethodType.methodType(channel)).asType(object),
          PUBLIC.findVirtual(channel, "localAddress",
              MethodType.methodType(java.net.SocketAddress.class)).asType(object),
          PUBLIC.findVirtual(config, "setOption",
              MethodType.methodType(boolean.class, option, Object.class))
              .asType(MethodType.methodType(boolean.class, Object.class, Object.class,
                  Object.class)),
          PUBLIC.findVirtual(config, "getOption", MethodType.methodType(Object.class, option))
              .asType(MethodType.methodType(Object.class, Object.class, Object.class)),
          options);
    } catch (ReflectiveOperationException | LinkageError e) {
      Hooks.warnOnce("netty " + type.getName(), () -> "keepalive-agent cannot reach "
          + type.getName() + "'s options through Netty's public API (" + e + "): its"
          + " connections keep the client's keepalive. Logged once per JVM.");
      return null;
    }
  }

  /** Whether the channel was accepted by a server channel (it has a parent). */
  boolean accepted(Object channel) {
    try {
      return (Object) parent.invokeExact(channel) != null;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** The channel's local port, or -1 if it has no IP address. */
  int localPort(Object channel) {
    try {
      Object a = (Object) localAddress.invokeExact(channel);
      return a instanceof InetSocketAddress ? ((InetSocketAddress) a).getPort() : -1;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public String unsupported(Object channel, KeepaliveOption option) {
    return options[option.ordinal()] == null ? transport + " has no " + option.kernelName() : null;
  }

  @Override
  public String platform(Object channel) {
    return transport;
  }

  @Override
  public int read(Object channel, KeepaliveOption option) {
    if (isClosed(channel)) {
      // A native transport's getsockopt on a closed number could read another socket.
      throw closed(channel, null);
    }
    try {
      Object value = (Object) getOption.invokeExact((Object) config.invokeExact(channel),
          options[option.ordinal()]);
      if (value == null) {
        throw new UnsupportedOperationException(transport + " cannot read "
            + option.kernelName() + " on this channel (getOption returned null)");
      }
      return value instanceof Boolean ? ((Boolean) value ? 1 : 0) : (Integer) value;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void write(Object channel, KeepaliveOption option, int value) {
    if (isClosed(channel)) {
      // A setsockopt on a closed descriptor number could reach another socket that reused it.
      throw closed(channel, null);
    }
    Object boxed = option == KeepaliveOption.SO_KEEPALIVE ? (Object) (value != 0) : (Object) value;
    boolean taken;
    try {
      taken = (boolean) setOption.invokeExact((Object) config.invokeExact(channel),
          options[option.ordinal()], boxed);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    if (!taken) {
      throw new UnsupportedOperationException(transport + " does not know "
          + option.kernelName() + " on this channel (setOption returned false)");
    }
  }

  @Override
  public boolean isClosed(Object channel) {
    try {
      return !(boolean) isOpen.invokeExact(channel);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public RuntimeException closed(Object channel, Exception cause) {
    if (cause instanceof UncheckedIOException
        && cause.getCause() instanceof ClosedChannelException) {
      return (RuntimeException) cause;
    }
    UncheckedIOException closed = new UncheckedIOException("channel is closed: " + channel,
        new ClosedChannelException());
    if (cause != null) {
      closed.addSuppressed(cause);
    }
    return closed;
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException) {
      return (RuntimeException) t;
    }
    if (t instanceof Error) {
      throw (Error) t;
    }
    return new UndeclaredThrowableException(t);
  }
}
