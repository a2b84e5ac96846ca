package dev.keepalive.audit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The libc and system calls the audit makes, bound once through the FFM API. Every handle captures
 * {@code errno}: each call takes the capture segment first and returns -1 on failure, after which
 * {@link #errno(MemorySegment)} tells why.
 *
 * <p>Constants are Linux's (include/uapi/asm-generic/socket.h, include/uapi/linux/tcp.h,
 * include/uapi/linux/in.h); {@code pidfd_open} (434) and {@code pidfd_getfd} (438) have the same
 * number on every architecture (the unified table since 5.1), {@code getdents64} does not.
 */
final class Linux {

  static final int SOL_SOCKET = 1;
  static final int SO_KEEPALIVE = 9;
  static final int SO_PROTOCOL = 38;
  static final int IPPROTO_TCP = 6;
  /** Multipath TCP (include/uapi/linux/in.h): a stream socket whose keepalive reads as TCP's. */
  static final int IPPROTO_MPTCP = 262;
  static final int TCP_KEEPIDLE = 4;
  static final int TCP_KEEPINTVL = 5;
  static final int TCP_KEEPCNT = 6;
  static final int TCP_INFO = 11;
  static final int TCP_USER_TIMEOUT = 18;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int ESRCH = 3;
  static final int EINTR = 4;
  static final int EBADF = 9;
  static final int EACCES = 13;
  static final int ENOSYS = 38;
  static final int ENOTSOCK = 88;
  static final int ENOPROTOOPT = 92;
  static final int EOPNOTSUPP = 95;
  static final int ENOTCONN = 107;

  /** statx(2): the path "" with AT_EMPTY_PATH describes the descriptor itself. */
  static final int AT_EMPTY_PATH = 0x1000;
  static final int STATX_TYPE = 0x1;
  static final int STATX_INO = 0x100;
  /** Offsets in struct statx (include/uapi/linux/stat.h), the same on every architecture. */
  static final long STX_MODE = 28;
  static final long STX_INO = 32;
  static final int STATX_LENGTH = 256;
  static final int S_IFMT = 0170000;
  static final int S_IFSOCK = 0140000;

  static final short POLLIN = 1;

  /** /proc/PID/stat's flags (include/linux/sched.h): exiting, and a kernel thread. */
  static final long PF_EXITING = 0x4;
  static final long PF_KTHREAD = 0x00200000;

  static final int O_RDONLY_CLOEXEC = 02000000;
  static final int F_DUPFD_CLOEXEC = 1030;

  static final long SYS_PIDFD_SEND_SIGNAL = 424;
  static final long SYS_PIDFD_OPEN = 434;
  static final long SYS_PIDFD_GETFD = 438;

  /** x86-64 217, the generic table (aarch64, riscv64) 61; -1 where the audit does not know it. */
  static final long SYS_GETDENTS64 = getdents64Number(System.getProperty("os.arch", ""));

  static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  static final MethodHandle SYSCALL;
  static final MethodHandle GETSOCKOPT;
  static final MethodHandle SETSOCKOPT;
  static final MethodHandle STATX;
  static final MethodHandle POLL;
  static final MethodHandle GETSOCKNAME;
  static final MethodHandle GETPEERNAME;
  static final MethodHandle CLOSE;
  static final MethodHandle OPEN;
  static final MethodHandle READLINKAT;
  static final MethodHandle FCNTL;

  static {
    Linker linker = Linker.nativeLinker();
    SymbolLookup libc = linker.defaultLookup();
    Linker.Option errno = Linker.Option.captureCallState("errno");
    // long syscall(long number, ...): every argument after the number is passed as a long, and
    // always four of them: a call with fewer leaves the kernel reading whatever the unused
    // registers hold (pidfd_send_signal's flags then asked for a process group, once).
    SYSCALL = downcall(linker, libc, "syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
        errno, Linker.Option.firstVariadicArg(1));
    GETSOCKOPT = downcall(linker, libc, "getsockopt",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errno);
    SETSOCKOPT = downcall(linker, libc, "setsockopt",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
    // int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf):
    // glibc 2.28+; its layout, unlike struct stat's, is the same on every architecture.
    STATX = downcall(linker, libc, "statx",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), errno);
    // int poll(struct pollfd *fds, nfds_t n, int timeout).
    POLL = downcall(linker, libc, "poll",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), errno);
    GETSOCKNAME = downcall(linker, libc, "getsockname",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errno);
    GETPEERNAME = downcall(linker, libc, "getpeername",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errno);
    CLOSE = downcall(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
    // int open(const char *path, int flags, ...): no mode, since O_CREAT is never given.
    OPEN = downcall(linker, libc, "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
        errno, Linker.Option.firstVariadicArg(2));
    READLINKAT = downcall(linker, libc, "readlinkat",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), errno);
    // int fcntl(int fd, int cmd, ...): F_DUPFD_CLOEXEC takes one int.
    FCNTL = downcall(linker, libc, "fcntl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno,
        Linker.Option.firstVariadicArg(2));
  }

  private Linux() {}

  private static MethodHandle downcall(Linker linker, SymbolLookup libc, String name,
      FunctionDescriptor descriptor, Linker.Option... options) {
    MemorySegment symbol = libc.find(name)
        .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    return linker.downcallHandle(symbol, descriptor, options);
  }

  static long getdents64Number(String arch) {
    switch (arch.toLowerCase(Locale.ROOT)) {
      case "amd64":
      case "x86_64":
        return 217;
      case "aarch64":
      case "riscv64":
        return 61;
      default:
        return -1;
    }
  }

  /** The errno a failed call left in {@code capture}. */
  static int errno(MemorySegment capture) {
    return (int) ERRNO.get(capture, 0L);
  }

  /**
   * An errno by its name and number, for messages: {@code "EOPNOTSUPP (95)"}. Linux's numbers
   * (include/uapi/asm-generic/errno-base.h and errno.h), the same on x86-64, aarch64 and riscv64.
   */
  static String errnoName(int errno) {
    String name = errno > 0 && errno < ERRNO_NAMES.length ? ERRNO_NAMES[errno] : null;
    return (name == null ? "errno" : name) + " (" + errno + ")";
  }

  private static final String[] ERRNO_NAMES = {null, "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO",
      "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT",
      "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE",
      "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE",
      "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP", null,
      "ENOMSG", "EIDRM", "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST", "ELNRNG", "EUNATCH", "ENOCSI",
      "EL2HLT", "EBADE", "EBADR", "EXFULL", "ENOANO", "EBADRQC", "EBADSLT", null, "EBFONT",
      "ENOSTR", "ENODATA", "ETIME", "ENOSR", "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV",
      "ESRMNT", "ECOMM", "EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ",
      "EBADFD", "EREMCHG", "ELIBACC", "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ",
      "ERESTART", "ESTRPIPE", "EUSERS", "ENOTSOCK", "EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE",
      "ENOPROTOOPT", "EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "EOPNOTSUPP", "EPFNOSUPPORT",
      "EAFNOSUPPORT", "EADDRINUSE", "EADDRNOTAVAIL", "ENETDOWN", "ENETUNREACH", "ENETRESET",
      "ECONNABORTED", "ECONNRESET", "ENOBUFS", "EISCONN", "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS",
      "ETIMEDOUT", "ECONNREFUSED", "EHOSTDOWN", "EHOSTUNREACH", "EALREADY", "EINPROGRESS",
      "ESTALE", "EUCLEAN", "ENOTNAM", "ENAVAIL", "EISNAM", "EREMOTEIO", "EDQUOT", "ENOMEDIUM",
      "EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED", "EKEYREVOKED", "EKEYREJECTED",
      "EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON"};
}
