package dev.keepalive.agent.advice;

import java.lang.invoke.MethodHandle;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * The code inlined into the JDK's socket classes. Each piece calls the agent through the {@link
 * Hook} handle with the method's operation number ({@link Op}, a constant) and the objects
 * involved; the agent's code does the rest. Nothing here may name a class outside {@code
 * java.base}: the JDK's classes see nothing else.
 */
public final class JdkAdvice {

  private JdkAdvice() {}

  /** Before a connect: {@code Socket.connect(SocketAddress, int)} and the channels' connects. */
  public static final class Connect {
    private Connect() {}

    @Advice.OnMethodEnter
    static void enter(@Hook MethodHandle hook, @Op int op, @Advice.This Object self,
        @Advice.Argument(0) Object remote) throws Throwable {
      if (hook != null) {
        Object ignored = (Object) hook.invokeExact(op, self, remote, (Object) null);
      }
    }
  }

  /** After {@code ServerSocket.implAccept(Socket)}: the accepted socket, before accept returns it. */
  public static final class SocketAccepted {
    private SocketAccepted() {}

    @Advice.OnMethodExit
    static void exit(@Hook MethodHandle hook, @Op int op, @Advice.This Object self,
        @Advice.Argument(0) Object accepted) throws Throwable {
      if (hook != null) {
        Object ignored = (Object) hook.invokeExact(op, self, accepted, (Object) null);
      }
    }
  }

  /** After the channels' {@code finishAccept}: the accepted channel, before the caller sees it. */
  public static final class ChannelAccepted {
    private ChannelAccepted() {}

    @Advice.OnMethodExit
    static void exit(@Hook MethodHandle hook, @Op int op, @Advice.This Object self,
        @Advice.Return Object accepted) throws Throwable {
      if (hook != null) {
        Object ignored = (Object) hook.invokeExact(op, self, accepted, (Object) null);
      }
    }
  }

  /** {@code setOption(SocketOption, T)}: skipped, returning {@code this}, when the agent says so. */
  public static final class SetOption {
    private SetOption() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static boolean enter(@Hook MethodHandle hook, @Op int op, @Advice.This Object self,
        @Advice.Argument(0) Object name, @Advice.Argument(1) Object value) throws Throwable {
      return hook != null && (Object) hook.invokeExact(op, self, name, value) != null;
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter boolean skipped, @Advice.This Object self,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned) {
      if (skipped) {
        returned = self;
      }
    }
  }

  /** {@code Socket.setKeepAlive(boolean)}, which does not go through {@code setOption}. */
  public static final class SetKeepAlive {
    private SetKeepAlive() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static boolean enter(@Hook MethodHandle hook, @Op int op, @Advice.This Object self,
        @Advice.Argument(0) boolean on) throws Throwable {
      return hook != null
          && (Object) hook.invokeExact(op, self, (Object) Boolean.valueOf(on), (Object) null)
              != null;
    }
  }

  /** After {@code ManagementFactory.getPlatformMBeanServer()}: the agent's MBean joins it. */
  public static final class MBeanServer {
    private MBeanServer() {}

    @Advice.OnMethodExit
    static void exit(@Hook MethodHandle hook, @Op int op, @Advice.Return Object server)
        throws Throwable {
      if (hook != null) {
        Object ignored = (Object) hook.invokeExact(op, (Object) null, server, (Object) null);
      }
    }
  }
}
