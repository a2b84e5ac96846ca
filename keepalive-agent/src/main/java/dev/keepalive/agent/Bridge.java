package dev.keepalive.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The way from the JDK's classes to the agent: {@code sun.nio.ch.KeepaliveAgentBridge}, an
 * abstract class defined at run time in {@code java.base} (the boot loader and the module of every
 * class it serves), and its one implementation, which calls {@link Hooks#dispatch}:
 *
 * <pre>
 * public abstract class KeepaliveAgentBridge {
 *   public static volatile KeepaliveAgentBridge instance;
 *   public static Object idle, interval, count;   // jdk.net's TCP_KEEP* options
 *   public abstract Object dispatch(int op, Object self, Object a, Object b);
 *   public static Object option(int op, Object self, Object name, Object value) {
 *     return name == SO_KEEPALIVE || name == idle || name == interval || name == count
 *         ? call(op, self, name, value) : value;
 *   }
 *   public static Object call(int op, Object self, Object a, Object b) {
 *     return instance.dispatch(op, self, a, b);
 *   }
 *   public static boolean flag(int op, Object self, boolean on) {
 *     return (Boolean) call(op, self, null, on);
 *   }
 *   public static void returned(Object result, int op, Object self) {
 *     call(op, self, result, null);
 *   }
 * }
 * final class KeepaliveAgentBridgeImpl extends KeepaliveAgentBridge {   // the agent's loader's child
 *   static {
 *     idle = Hooks.tcpOption(0); interval = Hooks.tcpOption(1); count = Hooks.tcpOption(2);
 *     KeepaliveAgentBridge.instance = new KeepaliveAgentBridgeImpl();
 *   }
 *   public Object dispatch(int op, Object self, Object a, Object b) {
 *     return Hooks.dispatch(op, self, a, b);
 *   }
 * }
 * </pre>
 *
 * <p>A plain virtual call, which the JIT inlines: no {@code MethodHandle}, whose invokers the JVM
 * generates on first use (about 20 classes, measured on this agent's start-up). {@code option}
 * answers every option but the keepalive ones with four comparisons in the JDK's own class, so a
 * client's TCP_NODELAY or SO_LINGER costs nothing, and the JIT compiles the JDK's {@code setOption}
 * as it would without the agent (a call into the agent there cost the JDK's own escape analysis a
 * 24-byte key per call, measured).
 *
 * <p>Why not the usual way, the agent's classes on the boot class path ({@code
 * Instrumentation.appendToBootstrapClassLoaderSearch})? On a JDK with class-data sharing (the
 * default since JDK 12) appending to the boot class path makes the JVM print "Sharing is only
 * supported for boot loader classes because bootstrap classpath has been appended" and stop
 * sharing the application's classes: a warning in every user's log and a slower start. A class
 * defined through {@code MethodHandles.Lookup.defineClass} does neither.
 *
 * <p>{@code defineClass} needs a lookup with access to {@code sun.nio.ch}, and the implementation
 * must see the class it extends: {@code java.base} opens {@code sun.nio.ch} to one module only, the
 * unnamed module of a class loader made here for {@link BridgeInjector} and the implementation
 * alone (its parent is the agent's loader, so the implementation sees {@link Hooks}), not to the
 * application's class path. {@code java.management} is given an export of it too: its {@code
 * ManagementFactory} calls the bridge to register the MBean.
 */
final class Bridge {

  private static final String NAME = BridgeInjector.NAME.replace('.', '/');
  private static final String IMPL = BridgeInjector.IMPL.replace('.', '/');
  private static final String DISPATCH =
      "(ILjava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;";

  /** The bridge's fields holding jdk.net's TCP_KEEPIDLE, TCP_KEEPINTERVAL, TCP_KEEPCOUNT. */
  private static final String[] TCP = {"idle", "interval", "count"};

  private Bridge() {}

  /**
   * Defines the bridge and its implementation and points the JDK's hooks at {@link
   * Hooks#dispatch}.
   *
   * @param inst the agent's instrumentation
   * @throws IllegalStateException if the JVM refuses any step
   */
  static void install(Instrumentation inst) {
    try {
      Isolated isolated = new Isolated(Hooks.class.getClassLoader());
      Class<?> injector = isolated.define(classFile(BridgeInjector.class));
      Module javaBase = Object.class.getModule();
      Module mine = injector.getModule();
      Module management = ModuleLayer.boot().findModule("java.management").orElse(null);
      inst.redefineModule(javaBase, Set.of(),
          Map.of("sun.nio.ch", management == null ? Set.of(mine) : Set.of(mine, management)),
          Map.of("sun.nio.ch", Set.of(mine)), Set.of(), Map.of());
      @SuppressWarnings("unchecked")
      BiConsumer<byte[], byte[]> define =
          (BiConsumer<byte[], byte[]>) injector.getConstructor().newInstance();
      define.accept(bytes(), implBytes());
    } catch (ReflectiveOperationException | IOException e) {
      throw new IllegalStateException("cannot define the agent's bridge in java.base: " + e, e);
    }
  }

  /** The bridge's class file (see the class comment). */
  static byte[] bytes() {
    // COMPUTE_FRAMES for option's branch: its frames merge only Objects, so ASM's default
    // getCommonSuperClass is never asked about a class it would have to load.
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
    cw.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_SUPER, NAME,
        null, "java/lang/Object", null);
    cw.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC | Opcodes.ACC_VOLATILE, "instance",
        "L" + NAME + ";", null, null).visitEnd();
    for (String f : TCP) {
      cw.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, f, "Ljava/lang/Object;", null, null)
          .visitEnd();
    }

    MethodVisitor init = cw.visitMethod(Opcodes.ACC_PROTECTED, "<init>", "()V", null, null);
    init.visitCode();
    init.visitVarInsn(Opcodes.ALOAD, 0);
    init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
    init.visitInsn(Opcodes.RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();

    cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT, "dispatch", DISPATCH, null, null)
        .visitEnd();

    MethodVisitor call = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "call", DISPATCH,
        null, null);
    call.visitCode();
    call.visitFieldInsn(Opcodes.GETSTATIC, NAME, "instance", "L" + NAME + ";");
    call.visitVarInsn(Opcodes.ILOAD, 0);
    call.visitVarInsn(Opcodes.ALOAD, 1);
    call.visitVarInsn(Opcodes.ALOAD, 2);
    call.visitVarInsn(Opcodes.ALOAD, 3);
    call.visitMethodInsn(Opcodes.INVOKEVIRTUAL, NAME, "dispatch", DISPATCH, false);
    call.visitInsn(Opcodes.ARETURN);
    call.visitMaxs(0, 0);
    call.visitEnd();

    // option: only the keepalive options reach the agent; any other is the caller's value at once.
    MethodVisitor option = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "option",
        DISPATCH, null, null);
    option.visitCode();
    Label hooked = new Label();
    option.visitVarInsn(Opcodes.ALOAD, 2);
    option.visitFieldInsn(Opcodes.GETSTATIC, "java/net/StandardSocketOptions", "SO_KEEPALIVE",
        "Ljava/net/SocketOption;");
    option.visitJumpInsn(Opcodes.IF_ACMPEQ, hooked);
    for (String f : TCP) {
      option.visitVarInsn(Opcodes.ALOAD, 2);
      option.visitFieldInsn(Opcodes.GETSTATIC, NAME, f, "Ljava/lang/Object;");
      option.visitJumpInsn(Opcodes.IF_ACMPEQ, hooked);
    }
    option.visitVarInsn(Opcodes.ALOAD, 3);
    option.visitInsn(Opcodes.ARETURN);
    option.visitLabel(hooked);
    option.visitVarInsn(Opcodes.ILOAD, 0);
    option.visitVarInsn(Opcodes.ALOAD, 1);
    option.visitVarInsn(Opcodes.ALOAD, 2);
    option.visitVarInsn(Opcodes.ALOAD, 3);
    option.visitMethodInsn(Opcodes.INVOKESTATIC, NAME, "call", DISPATCH, false);
    option.visitInsn(Opcodes.ARETURN);
    option.visitMaxs(0, 0);
    option.visitEnd();

    MethodVisitor flag = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "flag",
        "(ILjava/lang/Object;Z)Z", null, null);
    flag.visitCode();
    flag.visitVarInsn(Opcodes.ILOAD, 0);
    flag.visitVarInsn(Opcodes.ALOAD, 1);
    flag.visitInsn(Opcodes.ACONST_NULL);
    flag.visitVarInsn(Opcodes.ILOAD, 2);
    flag.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Boolean", "valueOf",
        "(Z)Ljava/lang/Boolean;", false);
    flag.visitMethodInsn(Opcodes.INVOKESTATIC, NAME, "call", DISPATCH, false);
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
    returned.visitMethodInsn(Opcodes.INVOKESTATIC, NAME, "call", DISPATCH, false);
    returned.visitInsn(Opcodes.POP);
    returned.visitInsn(Opcodes.RETURN);
    returned.visitMaxs(0, 0);
    returned.visitEnd();

    cw.visitEnd();
    return cw.toByteArray();
  }

  /** The implementation's class file (see the class comment). */
  static byte[] implBytes() {
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    cw.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, IMPL, null,
        NAME, null);
    MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
    init.visitCode();
    init.visitVarInsn(Opcodes.ALOAD, 0);
    init.visitMethodInsn(Opcodes.INVOKESPECIAL, NAME, "<init>", "()V", false);
    init.visitInsn(Opcodes.RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();
    MethodVisitor clinit = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
    clinit.visitCode();
    for (int i = 0; i < TCP.length; i++) {
      clinit.visitIntInsn(Opcodes.BIPUSH, i);
      clinit.visitMethodInsn(Opcodes.INVOKESTATIC, Hooks.class.getName().replace('.', '/'),
          "tcpOption", "(I)Ljava/lang/Object;", false);
      clinit.visitFieldInsn(Opcodes.PUTSTATIC, NAME, TCP[i], "Ljava/lang/Object;");
    }
    clinit.visitTypeInsn(Opcodes.NEW, IMPL);
    clinit.visitInsn(Opcodes.DUP);
    clinit.visitMethodInsn(Opcodes.INVOKESPECIAL, IMPL, "<init>", "()V", false);
    clinit.visitFieldInsn(Opcodes.PUTSTATIC, NAME, "instance", "L" + NAME + ";");
    clinit.visitInsn(Opcodes.RETURN);
    clinit.visitMaxs(0, 0);
    clinit.visitEnd();
    MethodVisitor dispatch = cw.visitMethod(Opcodes.ACC_PUBLIC, "dispatch", DISPATCH, null, null);
    dispatch.visitCode();
    dispatch.visitVarInsn(Opcodes.ILOAD, 1);
    dispatch.visitVarInsn(Opcodes.ALOAD, 2);
    dispatch.visitVarInsn(Opcodes.ALOAD, 3);
    dispatch.visitVarInsn(Opcodes.ALOAD, 4);
    dispatch.visitMethodInsn(Opcodes.INVOKESTATIC, Hooks.class.getName().replace('.', '/'),
        "dispatch", DISPATCH, false);
    dispatch.visitInsn(Opcodes.ARETURN);
    dispatch.visitMaxs(0, 0);
    dispatch.visitEnd();
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

  /**
   * The class loader of {@link BridgeInjector} and the bridge's implementation, and of nothing
   * else: {@code sun.nio.ch} is opened to its unnamed module alone. Its parent is the agent's
   * loader, where the implementation finds {@link Hooks}.
   */
  private static final class Isolated extends ClassLoader {
    Isolated(ClassLoader parent) {
      super("keepalive-agent-bridge", parent);
    }

    Class<?> define(byte[] bytes) {
      return defineClass(null, bytes, 0, bytes.length);
    }
  }
}
