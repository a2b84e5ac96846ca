package dev.keepalive.agent;

import java.lang.invoke.MethodHandles;
import java.util.function.BiConsumer;

/**
 * Defines the bridge class in {@code java.base}'s {@code sun.nio.ch}, and its implementation beside
 * this class, and installs it. Never loaded by the application's class loader: {@link Bridge}
 * defines it, from this class's bytes, in a class loader of its own, whose unnamed module is the
 * only one {@code sun.nio.ch} is opened to.
 */
public final class BridgeInjector implements BiConsumer<byte[], byte[]> {

  /** The class {@link Bridge} defines in java.base. */
  static final String NAME = "sun.nio.ch.KeepaliveAgentBridge";
  /** Its implementation, defined beside this class (never present in the agent's jar). */
  static final String IMPL = "dev.keepalive.agent.KeepaliveAgentBridgeImpl";

  /** Made reflectively by {@link Bridge}, in its own class loader. */
  public BridgeInjector() {}

  /**
   * Defines the bridge (once per JVM) and its implementation beside this class; initializing the
   * implementation makes it the bridge's instance (its static initializer does).
   *
   * @param bridge the bridge's class file
   * @param impl the implementation's class file
   */
  @Override
  public void accept(byte[] bridge, byte[] impl) {
    try {
      try {
        Class.forName(NAME, false, null);
      } catch (ClassNotFoundException e) {
        MethodHandles.privateLookupIn(Class.forName("sun.nio.ch.Net", false, null),
            MethodHandles.lookup()).defineClass(bridge);
      }
      Class<?> i = MethodHandles.lookup().defineClass(impl);
      Class.forName(i.getName(), true, i.getClassLoader());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot define " + NAME + " in java.base: " + e, e);
    }
  }
}
