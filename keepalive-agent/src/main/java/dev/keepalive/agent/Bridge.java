package dev.keepalive.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.modifier.FieldManifestation;
import net.bytebuddy.description.modifier.Ownership;
import net.bytebuddy.description.modifier.TypeManifestation;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.dynamic.scaffold.subclass.ConstructorStrategy;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * The way from the JDK's classes to the agent: {@code sun.nio.ch.KeepaliveAgentBridge}, a class
 * with one {@code public static volatile MethodHandle hook}, defined at run time in {@code
 * java.base} (boot loader, the module of every class it serves) and pointed at {@link
 * Hooks#dispatch}.
 *
 * <p>Why not the usual way, the agent's classes on the boot class path ({@code
 * Instrumentation.appendToBootstrapClassLoaderSearch})? On a JDK with class-data sharing (every
 * JDK 17+ build here, the default since JDK 12) appending to the boot class path makes the JVM
 * print "Sharing is only supported for boot loader classes because bootstrap classpath has been
 * appended" and stop sharing the application's classes: a warning in every user's log and a
 * slower start. A class defined through {@code MethodHandles.Lookup.defineClass} touches neither.
 *
 * <p>{@code defineClass} needs a lookup with access to {@code sun.nio.ch}, so {@code java.base}
 * opens that package to one module: the unnamed module of a class loader made here for {@link
 * BridgeInjector} alone, not to the application's class path.
 */
final class Bridge {

  private Bridge() {}

  /**
   * Defines the bridge (or finds it, on a second attach) and points it at {@link Hooks#dispatch}.
   *
   * @param inst the agent's instrumentation
   * @return the bridge's handle field, for the advice to read
   * @throws IllegalStateException if the JVM refuses any step
   */
  static FieldDescription install(Instrumentation inst) {
    DynamicType.Unloaded<?> type = new ByteBuddy(ClassFileVersion.JAVA_V11)
        .with(TypeValidation.DISABLED)
        .subclass(Object.class, ConstructorStrategy.Default.NO_CONSTRUCTORS)
        .name(BridgeInjector.NAME)
        .modifiers(Visibility.PUBLIC, TypeManifestation.FINAL)
        .defineField("hook", MethodHandle.class, Visibility.PUBLIC, Ownership.STATIC,
            FieldManifestation.VOLATILE)
        .make();
    try {
      MethodHandle dispatch = MethodHandles.lookup().findStatic(Hooks.class, "dispatch",
          MethodType.methodType(Object.class, int.class, Object.class, Object.class,
              Object.class));
      Class<?> injector = new Isolated().define(classFile(BridgeInjector.class));
      Module javaBase = Object.class.getModule();
      inst.redefineModule(javaBase, Set.of(), Map.of(),
          Map.of("sun.nio.ch", Set.of(injector.getModule())), Set.of(), Map.of());
      @SuppressWarnings("unchecked")
      BiFunction<byte[], MethodHandle, Class<?>> define =
          (BiFunction<byte[], MethodHandle, Class<?>>) injector.getConstructor().newInstance();
      define.apply(type.getBytes(), dispatch);
      // ManagementFactory (java.management) reads the handle too, to register the MBean.
      ModuleLayer.boot().findModule("java.management").ifPresent(management ->
          inst.redefineModule(javaBase, Set.of(), Map.of("sun.nio.ch", Set.of(management)),
              Map.of(), Set.of(), Map.of()));
    } catch (ReflectiveOperationException | IOException e) {
      throw new IllegalStateException("cannot define the agent's bridge in java.base: " + e, e);
    }
    return type.getTypeDescription().getDeclaredFields().filter(ElementMatchers.named("hook"))
        .getOnly();
  }

  private static byte[] classFile(Class<?> type) throws IOException {
    String resource = type.getName().substring(type.getName().lastIndexOf('.') + 1) + ".class";
    try (InputStream in = type.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("no " + resource + " beside " + type.getName());
      }
      return in.readAllBytes();
    }
  }

  /** A class loader for {@link BridgeInjector} alone: its parent is the boot loader. */
  private static final class Isolated extends ClassLoader {
    Isolated() {
      super("keepalive-agent-bridge", null);
    }

    Class<?> define(byte[] bytes) {
      return defineClass(null, bytes, 0, bytes.length);
    }
  }
}
