package dev.keepalive.agent;

import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.keepalive.agent.advice.Hook;
import dev.keepalive.agent.advice.JdkAdvice;
import dev.keepalive.agent.advice.NettyAdvice;
import dev.keepalive.agent.advice.Op;
import java.lang.instrument.Instrumentation;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Instruments the JDK's socket classes and Netty's native channels with ByteBuddy's {@link
 * Advice}: a handful of methods in a handful of classes, matched by name, so that the classes
 * every JVM loads cost one name comparison each. JDK classes already loaded (at attach, or when
 * something opened a socket before the agent started) are retransformed; nothing changes a class's
 * shape, so retransformation always works.
 *
 * <p>What is hooked, on JDK 11+ (the names are the same from 11 to 25; one test per JDK line
 * proves each):
 *
 * <ul>
 *   <li>{@code java.net.Socket}: {@code connect(SocketAddress, int)} (before the SYN), {@code
 *       setKeepAlive(boolean)} and {@code setOption(SocketOption, Object)} (the pin);
 *   <li>{@code java.net.ServerSocket.implAccept(Socket)} (every accepted Socket, also SSL);
 *   <li>{@code sun.nio.ch.SocketChannelImpl}: {@code connect(SocketAddress)}, {@code setOption};
 *       {@code sun.nio.ch.ServerSocketChannelImpl.finishAccept} (the socket adaptor's accept too);
 *   <li>{@code sun.nio.ch.UnixAsynchronousSocketChannelImpl.implConnect}, {@code
 *       sun.nio.ch.AsynchronousSocketChannelImpl.setOption}, {@code
 *       sun.nio.ch.UnixAsynchronousServerSocketChannelImpl.finishAccept};
 *   <li>{@code java.lang.management.ManagementFactory.getPlatformMBeanServer()}: the MBean is
 *       registered when something first asks for the platform MBean server, so JMX costs the
 *       start-up nothing;
 *   <li>Netty: {@code io.netty.channel.epoll.AbstractEpollChannel} ({@code doConnect}, {@code
 *       doRegister}), {@code io.netty.channel.uring.AbstractIoUringChannel} and 4.1's incubator
 *       {@code io.netty.incubator.channel.uring.AbstractIOUringChannel} ({@code submitConnect},
 *       {@code doRegister}).
 * </ul>
 */
final class Installer {

  private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

  private Installer() {}

  static void install(Instrumentation inst) {
    FieldDescription hook = Bridge.install(inst);
    AgentBuilder builder = new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .with(AgentBuilder.TypeStrategy.Default.DECORATE)
        .with(new Errors())
        // The JDK's own classes are the point: only the agent's own are ignored.
        .ignore(nameStartsWith(Hooks.AGENT_PACKAGE));

    builder = jdk(builder, hook, "java.net.Socket",
        jdk(hook, Hooks.SOCKET_CONNECT, JdkAdvice.Connect.class,
            named("connect").and(takesArguments(2))
                .and(takesArgument(0, named("java.net.SocketAddress")))),
        jdk(hook, Hooks.SOCKET_KEEPALIVE, JdkAdvice.SetKeepAlive.class,
            named("setKeepAlive").and(takesArguments(boolean.class))),
        jdk(hook, Hooks.SOCKET_OPTION, JdkAdvice.SetOption.class, setOption()));
    builder = jdk(builder, hook, "java.net.ServerSocket",
        jdk(hook, Hooks.SOCKET_ACCEPTED, JdkAdvice.SocketAccepted.class,
            named("implAccept").and(takesArguments(1))
                .and(takesArgument(0, named("java.net.Socket")))));
    builder = jdk(builder, hook, "sun.nio.ch.SocketChannelImpl",
        jdk(hook, Hooks.CHANNEL_CONNECT, JdkAdvice.Connect.class,
            named("connect").and(takesArguments(1))
                .and(takesArgument(0, named("java.net.SocketAddress")))),
        jdk(hook, Hooks.CHANNEL_OPTION, JdkAdvice.SetOption.class, setOption()));
    builder = jdk(builder, hook, "sun.nio.ch.ServerSocketChannelImpl",
        jdk(hook, Hooks.CHANNEL_ACCEPTED, JdkAdvice.ChannelAccepted.class,
            named("finishAccept")));
    builder = jdk(builder, hook, "sun.nio.ch.UnixAsynchronousSocketChannelImpl",
        jdk(hook, Hooks.ASYNC_CONNECT, JdkAdvice.Connect.class, named("implConnect")));
    builder = jdk(builder, hook, "sun.nio.ch.AsynchronousSocketChannelImpl",
        jdk(hook, Hooks.ASYNC_OPTION, JdkAdvice.SetOption.class, setOption()));
    builder = jdk(builder, hook, "sun.nio.ch.UnixAsynchronousServerSocketChannelImpl",
        jdk(hook, Hooks.ASYNC_ACCEPTED, JdkAdvice.ChannelAccepted.class, named("finishAccept")));
    builder = jdk(builder, hook, "java.lang.management.ManagementFactory",
        jdk(hook, Hooks.MBEAN_SERVER, JdkAdvice.MBeanServer.class,
            named("getPlatformMBeanServer").and(takesArguments(0))));

    builder = netty(builder, "io.netty.channel.epoll.AbstractEpollChannel",
        named("doConnect").and(takesArguments(2)), named("doRegister"));
    builder = netty(builder, "io.netty.channel.uring.AbstractIoUringChannel",
        named("submitConnect").and(takesArgument(0, named("java.net.InetSocketAddress"))),
        named("doRegister"));
    builder = netty(builder,
        "io.netty.incubator.channel.uring.AbstractIOUringChannel",
        named("submitConnect").and(takesArgument(0, named("java.net.InetSocketAddress"))),
        named("doRegister"));
    builder.installOn(inst);
  }

  private static ElementMatcher.Junction<MethodDescription> setOption() {
    return named("setOption").and(takesArguments(2))
        .and(takesArgument(0, named("java.net.SocketOption")));
  }

  /** One piece of advice for one method of a JDK class, its {@link Op} bound to {@code op}. */
  private static final class Piece {
    final Advice.WithCustomMapping mapping;
    final Class<?> advice;
    final ElementMatcher<? super MethodDescription> method;

    Piece(Advice.WithCustomMapping mapping, Class<?> advice,
        ElementMatcher<? super MethodDescription> method) {
      this.mapping = mapping;
      this.advice = advice;
      this.method = method;
    }
  }

  private static Piece jdk(FieldDescription hook, int op, Class<?> advice,
      ElementMatcher<? super MethodDescription> method) {
    return new Piece(Advice.withCustomMapping().bind(Hook.class, hook).bind(Op.class, op), advice,
        isMethod().and(method));
  }

  private static AgentBuilder jdk(AgentBuilder builder, FieldDescription hook, String type,
      Piece... pieces) {
    return builder.type(byName(type, ElementMatchers0.BOOT)).transform(
        (b, description, loader, module, domain) -> {
          DynamicType.Builder<?> result = b;
          for (Piece p : pieces) {
            result = result.visit(p.mapping.to(p.advice).on(p.method));
          }
          return result;
        });
  }

  private static AgentBuilder netty(AgentBuilder builder, String type,
      ElementMatcher<? super MethodDescription> connect,
      ElementMatcher<? super MethodDescription> register) {
    return builder.type(byName(type, ElementMatchers0.seesAgent())).transform(
        (b, description, loader, module, domain) -> b
            .visit(Advice.to(NettyAdvice.Connect.class).on(isMethod().and(connect)))
            .visit(Advice.to(NettyAdvice.Register.class).on(isMethod().and(register))));
  }

  /**
   * The class named {@code type} in a loader {@code loaders} accepts: the name first, so every
   * other class loaded costs one string comparison and never a look at its loader.
   */
  private static AgentBuilder.RawMatcher byName(String type, ElementMatcher<ClassLoader> loaders) {
    return (description, loader, module, redefined, domain) ->
        description.getName().equals(type) && loaders.matches(loader);
  }

  /** Class-loader matchers. */
  private static final class ElementMatchers0 {
    /** The JDK's classes: the boot loader, or java.management's platform loader. */
    static final ElementMatcher<ClassLoader> BOOT = loader -> loader == null
        || loader == ClassLoader.getPlatformClassLoader();

    /** A loader that resolves the agent's own {@link Hooks}, so Netty's advice can call it. */
    static ElementMatcher<ClassLoader> seesAgent() {
      return loader -> {
        if (loader == null) {
          return false;
        }
        try {
          return Class.forName(Hooks.class.getName(), false, loader) == Hooks.class;
        } catch (ClassNotFoundException | LinkageError e) {
          Hooks.warnOnce("netty loader " + loader, () -> "keepalive-agent: Netty's channels in"
              + " class loader " + loader + " cannot reach the agent (its classes are not"
              + " visible there): their connections keep the client's keepalive. Logged once per"
              + " JVM.");
          return false;
        }
      };
    }
  }

  /** Reports a class the agent could not instrument, once: a hook missing is never silent. */
  private static final class Errors extends AgentBuilder.Listener.Adapter {
    @Override
    public void onError(String typeName, ClassLoader classLoader, JavaModule module,
        boolean loaded, Throwable throwable) {
      if (REPORTED.add(typeName)) {
        System.err.println(String.format(Locale.ROOT,
            "keepalive-agent WARNING: cannot instrument %s (%s): its connections keep the"
                + " client's keepalive", typeName, throwable));
      }
    }
  }
}
