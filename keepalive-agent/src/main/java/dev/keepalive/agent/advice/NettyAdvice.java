package dev.keepalive.agent.advice;

import dev.keepalive.agent.Hooks;
import net.bytebuddy.asm.Advice;

/**
 * The code inlined into Netty's epoll and io_uring channels (4.1 and 4.2, and 4.1's incubator
 * io_uring), which the application's class loader loaded: it calls {@link Hooks} directly (the
 * agent only instruments a Netty class whose loader sees the agent's own {@code Hooks}).
 */
public final class NettyAdvice {

  private NettyAdvice() {}

  /** Before the connect is submitted: {@code doConnect} (epoll), {@code submitConnect} (io_uring). */
  public static final class Connect {
    private Connect() {}

    @Advice.OnMethodEnter
    static void enter(@Advice.This Object self, @Advice.Argument(0) Object remote)
        throws Exception {
      Hooks.nettyConnect(self, remote);
    }
  }

  /**
   * {@code doRegister}: for an accepted channel, after the server bootstrap's {@code childOption}s
   * and before any handler sees the channel, so the policy wins over them.
   */
  public static final class Register {
    private Register() {}

    @Advice.OnMethodEnter
    static void enter(@Advice.This Object self) throws Exception {
      Hooks.nettyRegister(self);
    }
  }
}
