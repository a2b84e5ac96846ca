package dev.keepalive.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Instruments the JDK's socket classes and Netty's native channels: one call into the agent at the
 * start of a method, or before its returns, in a handful of methods of a handful of classes.
 *
 * <p>Every inserted sequence is straight-line code that leaves the operand stack as it found it and
 * stores only into the method's own parameters with their own types: no branch, no new local, so
 * the method's stack map frames stay valid as they are, and ASM rewrites only the maximum stack
 * size. That is why the agent is ASM alone (relocated): Byte Buddy's {@code AgentBuilder} and
 * {@code Advice}, tried first, loaded about 1900 classes at start-up (2 s here); this loads a few
 * dozen. Every other class the JVM loads costs one hash lookup of its name.
 *
 * <p>What is hooked (names and descriptors are the same on JDK 11 to 25; one test per JDK line
 * proves each, and a hook that finds no method says so on stderr):
 *
 * <ul>
 *   <li>{@code java.net.Socket}: {@code connect(SocketAddress, int)}, at the start (before the
 *       SYN); {@code setKeepAlive(boolean)} and {@code setOption(SocketOption, Object)}, at the
 *       start, where the agent may replace the value with the pinned one;
 *   <li>{@code java.net.ServerSocket.implAccept(Socket)}, before it returns: every Socket a
 *       ServerSocket accepts (SSLServerSocket too), before {@code accept} returns it;
 *   <li>{@code sun.nio.ch.SocketChannelImpl}: {@code connect(SocketAddress)} and {@code
 *       blockingConnect(SocketAddress, long)} (its Socket view's connect), {@code setOption}; the
 *       constructor that {@code ServerSocketChannelImpl} calls for an accepted connection, before it
 *       returns (a failure there is cleaned up by the JDK's own accept);
 *   <li>{@code sun.nio.ch.UnixAsynchronousSocketChannelImpl.implConnect}, {@code
 *       sun.nio.ch.AsynchronousSocketChannelImpl.setOption}, {@code
 *       sun.nio.ch.UnixAsynchronousServerSocketChannelImpl.finishAccept} (before it returns);
 *   <li>{@code java.lang.management.ManagementFactory.getPlatformMBeanServer()}, before it
 *       returns: the MBean joins the server the first time anything asks for it;
 *   <li>Netty: {@code io.netty.channel.epoll.AbstractEpollChannel.doConnect} and {@code
 *       doRegister}; {@code io.netty.channel.uring.AbstractIoUringChannel} (4.2) and {@code
 *       io.netty.incubator.channel.uring.AbstractIOUringChannel} (4.1's incubator): {@code
 *       submitConnect} and {@code doRegister}; only in a class loader that sees the agent.
 * </ul>
 */
final class Weaver implements ClassFileTransformer {

  /** Where in the method, and what is passed. */
  enum Shape {
    /** At the start: {@code call(op, this, arg1, null)}. */
    ENTRY,
    /** At the start: {@code arg2 = call(op, this, arg1, arg2)} (setOption). */
    ENTRY_OPTION,
    /** At the start: {@code arg1 = flag(op, this, arg1)} (setKeepAlive). */
    ENTRY_FLAG,
    /** Before each {@code return}: {@code call(op, this, arg1, null)}. */
    EXIT_ARGUMENT,
    /** Before each {@code return} (a constructor): {@code call(op, this, null, null)}. */
    EXIT_SELF,
    /** Before each {@code areturn}: {@code returned(result, op, this or null)}. */
    EXIT_RESULT,
    /** Netty, at the start: {@code Hooks.nettyConnect(this, arg1)}. */
    NETTY_CONNECT,
    /** Netty, at the start: {@code Hooks.nettyRegister(this)}. */
    NETTY_REGISTER
  }

  /**
   * One hooked method: its name, a prefix of its descriptor (or, after a {@code *}, a part of it),
   * the shape and the operation.
   */
  static final class Target {
    final String method;
    final String descriptor;
    final Shape shape;
    final int op;

    Target(String method, String descriptor, Shape shape, int op) {
      this.method = method;
      this.descriptor = descriptor;
      this.shape = shape;
      this.op = op;
    }

    boolean matches(String name, String desc) {
      return method.equals(name) && (descriptor.startsWith("*")
          ? desc.contains(descriptor.substring(1)) : desc.startsWith(descriptor));
    }
  }

  private static final String SOCKET_ADDRESS = "(Ljava/net/SocketAddress;";
  private static final String SET_OPTION = "(Ljava/net/SocketOption;Ljava/lang/Object;)";
  private static final String HOOKS = Hooks.class.getName().replace('.', '/');
  private static final String BRIDGE = BridgeInjector.NAME.replace('.', '/');

  /** By internal class name. */
  private static final Map<String, Target[]> TARGETS = new HashMap<>();
  /** The Netty classes among {@link #TARGETS}: instrumented only where the agent is visible. */
  private static final Set<String> NETTY = Set.of("io/netty/channel/epoll/AbstractEpollChannel",
      "io/netty/channel/uring/AbstractIoUringChannel",
      "io/netty/incubator/channel/uring/AbstractIOUringChannel");

  static {
    TARGETS.put("java/net/Socket", new Target[] {
        new Target("connect", SOCKET_ADDRESS + "I)V", Shape.ENTRY, Hooks.SOCKET_CONNECT),
        new Target("setKeepAlive", "(Z)V", Shape.ENTRY_FLAG, Hooks.SOCKET_KEEPALIVE),
        new Target("setOption", SET_OPTION, Shape.ENTRY_OPTION, Hooks.SOCKET_OPTION)});
    TARGETS.put("java/net/ServerSocket", new Target[] {
        new Target("implAccept", "(Ljava/net/Socket;)V", Shape.EXIT_ARGUMENT,
            Hooks.SOCKET_ACCEPTED)});
    TARGETS.put("sun/nio/ch/SocketChannelImpl", new Target[] {
        new Target("connect", SOCKET_ADDRESS + ")Z", Shape.ENTRY, Hooks.CHANNEL_CONNECT),
        // The Socket view's connect (SocketAdaptor) goes here, not through connect.
        new Target("blockingConnect", SOCKET_ADDRESS + "J)V", Shape.ENTRY,
            Hooks.CHANNEL_CONNECT),
        new Target("setOption", SET_OPTION, Shape.ENTRY_OPTION, Hooks.CHANNEL_OPTION),
        // The constructor ServerSocketChannelImpl calls for an accepted connection: the one that
        // takes a FileDescriptor ((SelectorProvider, ProtocolFamily, FileDescriptor, SocketAddress)
        // on JDK 16+, (SelectorProvider, FileDescriptor, InetSocketAddress) before).
        new Target("<init>", "*Ljava/io/FileDescriptor;", Shape.EXIT_SELF,
            Hooks.CHANNEL_ACCEPTED)});
    TARGETS.put("sun/nio/ch/UnixAsynchronousSocketChannelImpl", new Target[] {
        new Target("implConnect", "(", Shape.ENTRY, Hooks.ASYNC_CONNECT)});
    TARGETS.put("sun/nio/ch/AsynchronousSocketChannelImpl", new Target[] {
        new Target("setOption", SET_OPTION, Shape.ENTRY_OPTION, Hooks.ASYNC_OPTION)});
    TARGETS.put("sun/nio/ch/UnixAsynchronousServerSocketChannelImpl", new Target[] {
        new Target("finishAccept", "(Ljava/io/FileDescriptor;", Shape.EXIT_RESULT,
            Hooks.ASYNC_ACCEPTED)});
    TARGETS.put("java/lang/management/ManagementFactory", new Target[] {
        new Target("getPlatformMBeanServer", "()", Shape.EXIT_RESULT, Hooks.MBEAN_SERVER)});
    TARGETS.put("io/netty/channel/epoll/AbstractEpollChannel", new Target[] {
        new Target("doConnect", "(Ljava/net/SocketAddress;Ljava/net/SocketAddress;)",
            Shape.NETTY_CONNECT, 0),
        new Target("doRegister", "(", Shape.NETTY_REGISTER, 0)});
    Target[] uring = {
        new Target("submitConnect", "(Ljava/net/InetSocketAddress;)", Shape.NETTY_CONNECT, 0),
        new Target("doRegister", "(", Shape.NETTY_REGISTER, 0)};
    TARGETS.put("io/netty/channel/uring/AbstractIoUringChannel", uring);
    TARGETS.put("io/netty/incubator/channel/uring/AbstractIOUringChannel", uring);
  }

  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  private Weaver() {}

  /**
   * Adds the transformer and retransforms the target classes already loaded.
   *
   * @param inst the agent's instrumentation
   */
  static void install(Instrumentation inst) {
    Weaver weaver = new Weaver();
    inst.addTransformer(weaver, true);
    List<Class<?>> loaded = new ArrayList<>();
    for (Class<?> c : inst.getAllLoadedClasses()) {
      if (TARGETS.containsKey(c.getName().replace('.', '/')) && inst.isModifiableClass(c)) {
        loaded.add(c);
      }
    }
    if (!loaded.isEmpty()) {
      try {
        inst.retransformClasses(loaded.toArray(new Class<?>[0]));
      } catch (UnmodifiableClassException e) {
        throw new IllegalStateException("cannot retransform " + loaded + ": " + e, e);
      }
    }
  }

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> redefined,
      ProtectionDomain domain, byte[] bytes) {
    if (className == null) {
      return null;
    }
    Target[] targets = TARGETS.get(className);
    if (targets == null || (NETTY.contains(className) && !seesAgent(loader, className))) {
      return null;
    }
    try {
      return weave(className, bytes, targets);
    } catch (RuntimeException | LinkageError e) {
      report(className, "cannot instrument " + className.replace('/', '.') + " (" + e + ")");
      return null;
    }
  }

  /** Rewrites {@code bytes} with the hooks of {@code targets}. */
  byte[] weave(String className, byte[] bytes, Target[] targets) {
    ClassReader reader = new ClassReader(bytes);
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    boolean[] found = new boolean[targets.length];
    reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor,
          String signature, String[] exceptions) {
        MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
        for (int i = 0; i < targets.length; i++) {
          Target t = targets[i];
          if (t.matches(name, descriptor) && (access & Opcodes.ACC_ABSTRACT) == 0) {
            found[i] = true;
            return new Hooked(mv, t, (access & Opcodes.ACC_STATIC) != 0);
          }
        }
        return mv;
      }
    }, 0);
    for (int i = 0; i < targets.length; i++) {
      if (!found[i]) {
        report(className + "." + targets[i].method, String.format(Locale.ROOT,
            "%s has no %s%s... on this JVM (%s %s): that hook is missing, so some connections"
                + " keep the client's keepalive", className.replace('/', '.'), targets[i].method,
            targets[i].descriptor, System.getProperty("java.vm.name"),
            System.getProperty("java.version")));
      }
    }
    return writer.toByteArray();
  }

  /** Inserts one call; see {@link Shape}. */
  private static final class Hooked extends MethodVisitor {
    private final Target target;
    private final boolean isStatic;

    Hooked(MethodVisitor mv, Target target, boolean isStatic) {
      super(Opcodes.ASM9, mv);
      this.target = target;
      this.isStatic = isStatic;
    }

    @Override
    public void visitCode() {
      super.visitCode();
      switch (target.shape) {
        case ENTRY:
          call(1, 0);
          super.visitInsn(Opcodes.POP);
          break;
        case ENTRY_OPTION:
          call(1, 2);
          super.visitVarInsn(Opcodes.ASTORE, 2);
          break;
        case ENTRY_FLAG:
          push(target.op);
          super.visitVarInsn(Opcodes.ALOAD, 0);
          super.visitVarInsn(Opcodes.ILOAD, 1);
          super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "flag", "(ILjava/lang/Object;Z)Z",
              false);
          super.visitVarInsn(Opcodes.ISTORE, 1);
          break;
        case NETTY_CONNECT:
          super.visitVarInsn(Opcodes.ALOAD, 0);
          super.visitVarInsn(Opcodes.ALOAD, 1);
          super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "nettyConnect",
              "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
          break;
        case NETTY_REGISTER:
          super.visitVarInsn(Opcodes.ALOAD, 0);
          super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "nettyRegister",
              "(Ljava/lang/Object;)V", false);
          break;
        default:
          break;
      }
    }

    @Override
    public void visitInsn(int opcode) {
      if (opcode == Opcodes.RETURN
          && (target.shape == Shape.EXIT_ARGUMENT || target.shape == Shape.EXIT_SELF)) {
        call(target.shape == Shape.EXIT_ARGUMENT ? 1 : 0, 0);
        super.visitInsn(Opcodes.POP);
      } else if (opcode == Opcodes.ARETURN && target.shape == Shape.EXIT_RESULT) {
        super.visitInsn(Opcodes.DUP);
        push(target.op);
        if (isStatic) {
          super.visitInsn(Opcodes.ACONST_NULL);
        } else {
          super.visitVarInsn(Opcodes.ALOAD, 0);
        }
        super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "returned",
            "(Ljava/lang/Object;ILjava/lang/Object;)V", false);
      }
      super.visitInsn(opcode);
    }

    /** {@code call(op, this, a, b)}, leaving its result on the stack; slot 0 means null. */
    private void call(int a, int b) {
      push(target.op);
      super.visitVarInsn(Opcodes.ALOAD, 0);
      load(a);
      load(b);
      super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "call",
          "(ILjava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;", false);
    }

    private void load(int slot) {
      if (slot == 0) {
        super.visitInsn(Opcodes.ACONST_NULL);
      } else {
        super.visitVarInsn(Opcodes.ALOAD, slot);
      }
    }

    private void push(int value) {
      super.visitIntInsn(Opcodes.BIPUSH, value);
    }
  }

  /** Whether the class loader defining a Netty class resolves the agent's own {@link Hooks}. */
  private boolean seesAgent(ClassLoader loader, String className) {
    if (loader != null) {
      try {
        if (Class.forName(Hooks.class.getName(), false, loader) == Hooks.class) {
          return true;
        }
      } catch (ClassNotFoundException | LinkageError e) {
        // Reported below.
      }
    }
    report("netty " + loader, "Netty's " + className.replace('/', '.') + " in class loader "
        + loader + " cannot see the agent's classes: its connections keep the client's"
        + " keepalive");
    return false;
  }

  /** A hook that cannot be installed is said, once, on stderr: never a silent gap. */
  private void report(String key, String message) {
    if (reported.add(key)) {
      System.err.println("keepalive-agent WARNING: " + message);
    }
  }

  /** For tests: the classes and methods hooked. */
  static Map<String, List<String>> targets() {
    Map<String, List<String>> out = new HashMap<>();
    TARGETS.forEach((k, v) -> out.put(k.replace('/', '.'),
        Arrays.stream(v).map(t -> t.method).collect(java.util.stream.Collectors.toList())));
    return out;
  }
}
