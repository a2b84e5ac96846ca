package dev.keepalive.agent;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.util.function.BiFunction;

/**
 * Defines the bridge class in {@code java.base}'s {@code sun.nio.ch} and sets its handle. Never
 * loaded by the application's class loader: {@link Bridge} defines it, from this class's bytes, in
 * a class loader of its own, whose unnamed module is the only one {@code sun.nio.ch} is opened to.
 * It sees {@code java.base} alone.
 */
public final class BridgeInjector implements BiFunction<byte[], MethodHandle, Class<?>> {

  /** The class {@link Bridge} defines: {@code sun.nio.ch.KeepaliveAgentBridge}. */
  static final String NAME = "sun.nio.ch.KeepaliveAgentBridge";

  /** Made reflectively by {@link Bridge}. */
  public BridgeInjector() {}

  /**
   * Defines the bridge (once per JVM) and sets its handle.
   *
   * @param bytes the bridge's class file
   * @param hook the handle the JDK's instrumented methods call
   * @return the bridge class
   */
  @Override
  public Class<?> apply(byte[] bytes, MethodHandle hook) {
    try {
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(
          Class.forName("sun.nio.ch.Net", false, null), MethodHandles.lookup());
      Class<?> bridge;
      try {
        bridge = Class.forName(NAME, false, null);
      } catch (ClassNotFoundException e) {
        bridge = lookup.defineClass(bytes);
      }
      lookup.findStaticSetter(bridge, "hook", MethodHandle.class).invoke(hook);
      return bridge;
    } catch (Throwable t) {
      throw new IllegalStateException("cannot define " + NAME + " in java.base: " + t, t);
    }
  }
}
