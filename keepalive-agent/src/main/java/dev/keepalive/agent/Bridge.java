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
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The way from the JDK's classes to the agent: {@code sun.nio.ch.KeepaliveAgentBridge}, a class
 * defined at run time in {@code java.base} (the boot loader and the module of every class it
 * serves), holding a {@code MethodHandle} to {@link Hooks#dispatch}:
 *
 * <pre>
 * public final class KeepaliveAgentBridge {
 *   public static volatile MethodHandle hook;
 *   public static Object call(int op, Object self, Object a, Object b) {
 *     return hook.invokeExact(op, self, a, b);
 *   }
 *   public static boolean flag(int op, Object self, boolean on) {
 *     return (Boolean) call(op, self, null, on);
 *   }
 *   public static void returned(Object result, int op, Object self) {
 *     call(op, self, result, null);
 *   }
 * }
 * </pre>
 *
 * <p>Why not the usual way, the agent's classes on the boot class path ({@code
 * Instrumentation.appendToBootstrapClassLoaderSearch})? On a JDK with class-data sharing (the
 * default since JDK 12) appending to the boot class path makes the JVM print "Sharing is only
 * supported for boot loader classes because bootstrap classpath has been appended" and stop
 * sharing the application's classes: a warning in every user's log and a slower start. A class
 * defined through {@code MethodHandles.Lookup.defineClass} does neither.
 *
 * <p>{@code defineClass} needs a lookup with access to {@code sun.nio.ch}, so {@code java.base}
 * opens that package to one module only: the unnamed module of a class loader made here for
 * {@link BridgeInjector} alone, not the application's class path. {@code java.management} is
 * given an export of it too: its {@code ManagementFactory} calls the bridge to register the MBean.
 */
final class Bridge {

  private static final String NAME = BridgeInjector.NAME.replace('.', '/');
  private static final String CALL =
      "(ILjava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;";

  private Bridge() {}

  /**
   * Defines the bridge (or finds it, on a second attach) and points it at {@link Hooks#dispatch}.
   *
   * @param inst the agent's instrumentation
   * @throws IllegalStateException if the JVM refuses any step
   */
  static void install(Instrumentation inst) {
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
      define.apply(bytes(), dispatch);
      Module management = ModuleLayer.boot().findModule("java.management").orElse(null);
      if (management != null) {
        inst.redefineModule(javaBase, Set.of(), Map.of("sun.nio.ch", Set.of(management)),
            Map.of(), Set.of(), Map.of());
      }
    } catch (ReflectiveOperationException | IOException e) {
      throw new IllegalStateException("cannot define the agent's bridge in java.base: " + e, e);
    }
  }

  /** The bridge's class file (see the class comment). */
  static byte[] bytes() {
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    cw.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, NAME, null,
        "java/lang/Object", null);
    cw.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC | Opcodes.ACC_VOLATILE, "hook",
        "Ljava/lang/invoke/MethodHandle;", null, null).visitEnd();

    MethodVisitor call = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "call", CALL,
        null, null);
    call.visitCode();
    call.visitFieldInsn(Opcodes.GETSTATIC, NAME, "hook", "Ljava/lang/invoke/MethodHandle;");
    call.visitVarInsn(Opcodes.ILOAD, 0);
    call.visitVarInsn(Opcodes.ALOAD, 1);
    call.visitVarInsn(Opcodes.ALOAD, 2);
    call.visitVarInsn(Opcodes.ALOAD, 3);
    call.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/invoke/MethodHandle", "invokeExact",
        CALL, false);
    call.visitInsn(Opcodes.ARETURN);
    call.visitMaxs(0, 0);
    call.visitEnd();

    MethodVisitor flag = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "flag",
        "(ILjava/lang/Object;Z)Z", null, null);
    flag.visitCode();
    flag.visitVarInsn(Opcodes.ILOAD, 0);
    flag.visitVarInsn(Opcodes.ALOAD, 1);
    flag.visitInsn(Opcodes.ACONST_NULL);
    flag.visitVarInsn(Opcodes.ILOAD, 2);
    flag.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Boolean", "valueOf",
        "(Z)Ljava/lang/Boolean;", false);
    flag.visitMethodInsn(Opcodes.INVOKESTATIC, NAME, "call", CALL, false);
    flag.visitTypeInsn(Opcodes.CHECKCAST, "java/lang/Boolean");
    flag.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Boolean", "booleanValue", "()Z",
        false);
    flag.visitInsn(Opcodes.IRETURN);
    flag.visitMaxs(0, 0);
    flag.visitEnd();

    MethodVisitor returned = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "returned",
        "(Ljava/lang/Object;ILjava/lang/Object;)V", null, null);
    returned.visitCode();
    returned.visitVarInsn(Opcodes.ILOAD, 1);
    returned.visitVarInsn(Opcodes.ALOAD, 2);
    returned.visitVarInsn(Opcodes.ALOAD, 0);
    returned.visitInsn(Opcodes.ACONST_NULL);
    returned.visitMethodInsn(Opcodes.INVOKESTATIC, NAME, "call", CALL, false);
    returned.visitInsn(Opcodes.POP);
    returned.visitInsn(Opcodes.RETURN);
    returned.visitMaxs(0, 0);
    returned.visitEnd();

    cw.visitEnd();
    return cw.toByteArray();
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
