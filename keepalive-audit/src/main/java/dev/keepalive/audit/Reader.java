package dev.keepalive.audit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.audit.AuditException.Reason;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One audit: the native buffers it reuses for every descriptor, and the walk over {@code
 * /proc/PID/fd}. Allocates nothing per descriptor beyond the {@link SocketKeepalive} it returns and
 * its addresses; the policy and the addresses are shared between sockets that have the same.
 */
final class Reader {

  /**
   * Offsets in struct tcp_info (include/uapi/linux/tcp.h): eight __u8 (tcpi_state 0, ca_state,
   * retransmits, tcpi_probes 3, backoff, options, the wscale bits, the app_limited bits), then
   * __u32 from 8: rto, ato, snd_mss, rcv_mss, unacked, sacked, lost, retrans, fackets,
   * last_data_sent 44, last_ack_sent 48, tcpi_last_data_recv 52, tcpi_last_ack_recv 56 (both in
   * milliseconds). The layout only ever grows at the end. SsAgreementTest checks them against ss.
   */
  static final long TCPI_STATE = 0;
  static final long TCPI_PROBES = 3;
  static final long TCPI_LAST_DATA_RECV = 52;
  static final long TCPI_LAST_ACK_RECV = 56;
  /** Enough of tcp_info for the fields above; the kernel copies min(len, its size). */
  static final int TCP_INFO_LENGTH = 64;

  private static final ValueLayout.OfShort PORT =
      JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  private final Arena arena;
  private final MemorySegment capture;
  private final MemorySegment intValue;
  private final MemorySegment length;
  private final MemorySegment tcpInfo;
  private final MemorySegment address;
  private final MemorySegment link;
  private final MemorySegment dirents;

  private final Last lastLocal = new Last();
  private final Last lastRemote = new Last();
  private int pid;
  private KeepalivePolicy lastPolicy = KeepalivePolicy.disabled();
  private int lastIdle;
  private int lastInterval;
  private int lastProbes;
  private int lastUserTimeout;

  private Reader(Arena arena) {
    this.arena = arena;
    this.capture = arena.allocate(Linux.CAPTURE_LAYOUT);
    this.intValue = arena.allocate(JAVA_INT);
    this.length = arena.allocate(JAVA_INT);
    this.tcpInfo = arena.allocate(TCP_INFO_LENGTH, 8);
    this.address = arena.allocate(128, 8);
    this.link = arena.allocate(64);
    this.dirents = arena.allocate(32 * 1024, 8);
  }

  /** A reader, after checking that this platform can audit at all. */
  static Reader open() throws AuditException {
    AuditException unsupported = KeepaliveAudit.unsupported();
    if (unsupported != null) {
      throw unsupported;
    }
    try {
      // Binds the handles on first use; IllegalCallerException when native access is denied.
      Linux.CLOSE.type();
    } catch (IllegalCallerException | ExceptionInInitializerError | NoClassDefFoundError e) {
      Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null
          ? e.getCause() : e;
      throw new AuditException(Reason.UNSUPPORTED_PLATFORM, "the keepalive audit cannot call the"
          + " kernel: " + cause.getMessage() + " (run with"
          + " --enable-native-access=dev.keepalive.audit, or ALL-UNNAMED on the class path)");
    }
    return new Reader(Arena.ofConfined());
  }

  // ---- this process ----

  List<SocketKeepalive> self() throws IOException {
    try (arena) {
      int dir = openFdDirectory("/proc/self/fd", -1, 0);
      try {
        return walk(dir, -1);
      } finally {
        close(dir);
      }
    }
  }

  // ---- another process ----

  List<SocketKeepalive> other(int pid) throws IOException {
    this.pid = pid;
    try (arena) {
      int pidfd = (int) syscall(Linux.SYS_PIDFD_OPEN, pid, 0, 0);
      if (pidfd < 0) {
        int errno = Linux.errno(capture);
        switch (errno) {
          case Linux.ESRCH:
            throw noSuchProcess(pid, "");
          case Linux.ENOSYS:
            throw tooOld("pidfd_open(2) (Linux 5.3)");
          case Linux.EPERM:
            throw noPermission(pid, "pidfd_open(2) refused: " + Linux.errnoName(errno)
                + " (a seccomp profile?)");
          default:
            throw new IOException("pidfd_open(" + pid + ") failed: " + Linux.errnoName(errno));
        }
      }
      try {
        int dir = openFdDirectory("/proc/" + pid + "/fd", pidfd, pid);
        try {
          // The pid may have been reused between pidfd_open and open: the pidfd still names the
          // process we mean, and signal 0 tells whether it is the one /proc showed (still alive).
          if (syscall(Linux.SYS_PIDFD_SEND_SIGNAL, pidfd, 0, 0) < 0
              && Linux.errno(capture) == Linux.ESRCH) {
            throw noSuchProcess(pid, " (it exited during the audit)");
          }
          return walk(dir, pidfd);
        } finally {
          close(dir);
        }
      } finally {
        close(pidfd);
      }
    }
  }

  private int openFdDirectory(String path, int pidfd, int pid) throws IOException {
    int dir;
    try {
      dir = (int) Linux.OPEN.invokeExact(capture, arena.allocateFrom(path),
          Linux.O_RDONLY_CLOEXEC);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (dir >= 0) {
      return dir;
    }
    int errno = Linux.errno(capture);
    if (pidfd >= 0) {
      if (errno == Linux.EACCES || errno == Linux.EPERM) {
        throw noPermission(pid, "cannot read " + path + ": " + Linux.errnoName(errno));
      }
      if (errno == Linux.ENOENT) {
        boolean alive = syscall(Linux.SYS_PIDFD_SEND_SIGNAL, pidfd, 0, 0) == 0
            || Linux.errno(capture) != Linux.ESRCH;
        if (!alive) {
          throw noSuchProcess(pid, " (it exited during the audit)");
        }
        throw noPermission(pid, path + " is not visible to this process (/proc mounted with"
            + " hidepid, or from another PID namespace)");
      }
    }
    throw new IOException("cannot open " + path + ": " + Linux.errnoName(errno));
  }

  // ---- the walk ----

  /**
   * Every TCP socket among the descriptors listed by {@code dir}; duplicates them through {@code
   * pidfd}, or with fcntl in this process when {@code pidfd} is -1.
   */
  private List<SocketKeepalive> walk(int dir, int pidfd) throws IOException {
    List<SocketKeepalive> sockets = new ArrayList<>();
    while (true) {
      long n = syscall(Linux.SYS_GETDENTS64, dir, dirents.address(), dirents.byteSize());
      if (n < 0) {
        int errno = Linux.errno(capture);
        if (errno == Linux.ENOENT && pidfd >= 0) {
          throw noSuchProcess(pidOf(pidfd), " (it exited during the audit)");
        }
        throw new IOException("getdents64 on /proc/PID/fd failed: " + Linux.errnoName(errno));
      }
      if (n == 0) {
        return sockets;
      }
      // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[].
      for (long at = 0; at < n; ) {
        int reclen = Short.toUnsignedInt(dirents.get(JAVA_SHORT_UNALIGNED, at + 16));
        MemorySegment name = dirents.asSlice(at + 19, reclen - 19);
        int fd = parseFd(name);
        at += reclen;
        if (fd < 0 || !isSocket(dir, name)) {
          continue;
        }
        int dup = duplicate(pidfd, fd);
        if (dup < 0) {
          continue;
        }
        try {
          SocketKeepalive socket = read(fd, dup);
          if (socket != null) {
            sockets.add(socket);
          }
        } finally {
          close(dup);
        }
      }
    }
  }

  /** The descriptor number a /proc/PID/fd entry names, or -1 for "." and "..". */
  private static int parseFd(MemorySegment name) {
    int fd = 0;
    for (long i = 0; i < name.byteSize(); i++) {
      byte b = name.get(JAVA_BYTE, i);
      if (b == 0) {
        return i == 0 ? -1 : fd;
      }
      if (b < '0' || b > '9') {
        return -1;
      }
      fd = fd * 10 + (b - '0');
    }
    return -1;
  }

  /**
   * Whether the link reads {@code socket:[INODE]}. Only sockets are ever duplicated: closing a
   * duplicate of a file would drop the POSIX record locks this process holds on it.
   */
  private boolean isSocket(int dir, MemorySegment name) throws IOException {
    long n;
    try {
      n = (long) Linux.READLINKAT.invokeExact(capture, dir, name, link, link.byteSize());
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (n < 0) {
      int errno = Linux.errno(capture);
      if (errno == Linux.ENOENT) {
        return false; // closed since the listing
      }
      if (errno == Linux.EACCES || errno == Linux.EPERM) {
        throw new AuditException(Reason.NO_PERMISSION, "cannot read /proc/PID/fd links: "
            + Linux.errnoName(errno) + "; run as root or as the process's user");
      }
      throw new IOException("readlink in /proc/PID/fd failed: " + Linux.errnoName(errno));
    }
    return n >= 8 && link.get(JAVA_BYTE, 0) == 's' && link.get(JAVA_BYTE, 1) == 'o'
        && link.get(JAVA_BYTE, 2) == 'c' && link.get(JAVA_BYTE, 3) == 'k'
        && link.get(JAVA_BYTE, 4) == 'e' && link.get(JAVA_BYTE, 5) == 't'
        && link.get(JAVA_BYTE, 6) == ':';
  }

  /** A duplicate of {@code fd} in this process, or -1 if it was closed meanwhile. */
  private int duplicate(int pidfd, int fd) throws IOException {
    int dup;
    if (pidfd < 0) {
      try {
        dup = (int) Linux.FCNTL.invokeExact(capture, fd, Linux.F_DUPFD_CLOEXEC, 0);
      } catch (Throwable t) {
        throw unexpected(t);
      }
    } else {
      // pidfd_getfd sets O_CLOEXEC on the duplicate itself.
      dup = (int) syscall(Linux.SYS_PIDFD_GETFD, pidfd, fd, 0);
    }
    if (dup >= 0) {
      return dup;
    }
    int errno = Linux.errno(capture);
    switch (errno) {
      case Linux.EBADF:
        return -1;
      case Linux.EPERM:
        throw noPermission(pidOf(pidfd), "pidfd_getfd(2) refused: " + Linux.errnoName(errno));
      case Linux.ESRCH:
        throw noSuchProcess(pidOf(pidfd), " (it exited during the audit)");
      case Linux.ENOSYS:
        throw tooOld("pidfd_getfd(2) (Linux 5.6)");
      default:
        throw new IOException((pidfd < 0 ? "fcntl(F_DUPFD_CLOEXEC)" : "pidfd_getfd")
            + " of descriptor " + fd + " failed: " + Linux.errnoName(errno));
    }
  }

  /** The socket behind {@code dup}, or null if it is not TCP over IPv4 or IPv6. */
  private SocketKeepalive read(int fd, int dup) throws IOException {
    // The protocol first: it alone leaves out UNIX-domain (0) and UDP (17) sockets.
    if (intOption(dup, Linux.SOL_SOCKET, Linux.SO_PROTOCOL, "SO_PROTOCOL") != Linux.IPPROTO_TCP) {
      return null;
    }
    int domain = intOption(dup, Linux.SOL_SOCKET, Linux.SO_DOMAIN, "SO_DOMAIN");
    if (domain != Linux.AF_INET && domain != Linux.AF_INET6) {
      return null;
    }
    boolean keepalive = intOption(dup, Linux.SOL_SOCKET, Linux.SO_KEEPALIVE, "SO_KEEPALIVE") != 0;
    // With SO_KEEPALIVE off the policy is disabled() whatever the three hold: not read.
    int idle = 0;
    int interval = 0;
    int probes = 0;
    if (keepalive) {
      idle = intOption(dup, Linux.IPPROTO_TCP, Linux.TCP_KEEPIDLE, "TCP_KEEPIDLE");
      interval = intOption(dup, Linux.IPPROTO_TCP, Linux.TCP_KEEPINTVL, "TCP_KEEPINTVL");
      probes = intOption(dup, Linux.IPPROTO_TCP, Linux.TCP_KEEPCNT, "TCP_KEEPCNT");
    }
    int userTimeout = intOption(dup, Linux.IPPROTO_TCP, Linux.TCP_USER_TIMEOUT,
        "TCP_USER_TIMEOUT");
    tcpInfo.fill((byte) 0);
    getsockopt(dup, Linux.IPPROTO_TCP, Linux.TCP_INFO, tcpInfo, "TCP_INFO");
    int state = Byte.toUnsignedInt(tcpInfo.get(JAVA_BYTE, TCPI_STATE));
    int probesSent = Byte.toUnsignedInt(tcpInfo.get(JAVA_BYTE, TCPI_PROBES));
    long lastData = Integer.toUnsignedLong(tcpInfo.get(JAVA_INT, TCPI_LAST_DATA_RECV));
    long lastAck = Integer.toUnsignedLong(tcpInfo.get(JAVA_INT, TCPI_LAST_ACK_RECV));

    InetSocketAddress local = address(dup, true);
    InetSocketAddress remote = state == SocketKeepalive.LISTEN ? null : address(dup, false);
    return new SocketKeepalive(fd, local, remote, state,
        policy(keepalive, idle, interval, probes, userTimeout), userTimeout, probesSent,
        Math.min(lastData, lastAck));
  }

  private KeepalivePolicy policy(boolean keepalive, int idle, int interval, int probes,
      int userTimeout) {
    if (!keepalive) {
      return KeepalivePolicy.disabled();
    }
    if (lastPolicy.enabled() && idle == lastIdle && interval == lastInterval
        && probes == lastProbes && userTimeout == lastUserTimeout) {
      return lastPolicy;
    }
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(idle, interval, probes);
    if (userTimeout > 0) {
      policy = policy.withUserTimeout(Duration.ofMillis(userTimeout));
    }
    lastPolicy = policy;
    lastIdle = idle;
    lastInterval = interval;
    lastProbes = probes;
    lastUserTimeout = userTimeout;
    return policy;
  }

  private int intOption(int fd, int level, int option, String name) throws IOException {
    getsockopt(fd, level, option, intValue, name);
    return intValue.get(JAVA_INT, 0);
  }

  private void getsockopt(int fd, int level, int option, MemorySegment value, String name)
      throws IOException {
    length.set(JAVA_INT, 0, (int) value.byteSize());
    int r;
    try {
      r = (int) Linux.GETSOCKOPT.invokeExact(capture, fd, level, option, value, length);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (r < 0) {
      throw new IOException("getsockopt(" + name + ") failed: "
          + Linux.errnoName(Linux.errno(capture)));
    }
  }

  /** getsockname ({@code local}) or getpeername; null for an unconnected peer. */
  private InetSocketAddress address(int fd, boolean local) throws IOException {
    length.set(JAVA_INT, 0, (int) address.byteSize());
    int r;
    try {
      r = local ? (int) Linux.GETSOCKNAME.invokeExact(capture, fd, address, length)
          : (int) Linux.GETPEERNAME.invokeExact(capture, fd, address, length);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (r < 0) {
      int errno = Linux.errno(capture);
      if (!local && errno == Linux.ENOTCONN) {
        return null;
      }
      throw new IOException((local ? "getsockname" : "getpeername") + " failed: "
          + Linux.errnoName(errno));
    }
    int family = Short.toUnsignedInt(address.get(JAVA_SHORT_UNALIGNED, 0));
    int port = Short.toUnsignedInt(address.get(PORT, 2));
    long high = 0;
    long low;
    int scope = 0;
    if (family == Linux.AF_INET) {
      low = address.get(JAVA_INT_UNALIGNED, 4);
    } else {
      high = address.get(JAVA_LONG_UNALIGNED, 8);
      low = address.get(JAVA_LONG_UNALIGNED, 16);
      scope = address.get(JAVA_INT_UNALIGNED, 24);
    }
    Last last = local ? lastLocal : lastRemote;
    if (last.ip == null || last.family != family || last.high != high || last.low != low
        || last.scope != scope) {
      last.ip = family == Linux.AF_INET ? inet(4, 4, 0) : inet(8, 16, scope);
      last.family = family;
      last.high = high;
      last.low = low;
      last.scope = scope;
    }
    return new InetSocketAddress(last.ip, port);
  }

  /** The address last made on one side: consecutive sockets mostly share it (loopback, one host). */
  private static final class Last {
    InetAddress ip;
    int family;
    long high;
    long low;
    int scope;
  }

  private InetAddress inet(long offset, int size, int scope) throws IOException {
    byte[] bytes = new byte[size];
    MemorySegment.copy(address, JAVA_BYTE, offset, bytes, 0, size);
    try {
      if (scope != 0) {
        return Inet6Address.getByAddress(null, bytes, scope);
      }
      // Never a lookup: a literal address. An IPv4-mapped address becomes an Inet4Address.
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IOException("unexpected socket address of " + size + " bytes", e);
    }
  }

  // ---- calls ----

  private long syscall(long number, long a, long b, long c) throws IOException {
    try {
      return (long) Linux.SYSCALL.invokeExact(capture, number, a, b, c, 0L);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  private void close(int fd) throws IOException {
    int r;
    try {
      r = (int) Linux.CLOSE.invokeExact(capture, fd);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    // On Linux the descriptor is released even when close reports EINTR: never retry.
    if (r < 0 && Linux.errno(capture) != Linux.EINTR) {
      throw new IOException("close(" + fd + ") failed: " + Linux.errnoName(Linux.errno(capture)));
    }
  }

  private int pidOf(int pidfd) {
    return pidfd < 0 ? (int) ProcessHandle.current().pid() : pid;
  }

  private static IOException unexpected(Throwable t) {
    if (t instanceof RuntimeException) {
      throw (RuntimeException) t;
    }
    if (t instanceof Error) {
      throw (Error) t;
    }
    return new IOException("native call failed", t);
  }

  private AuditException noSuchProcess(int pid, String detail) {
    return new AuditException(Reason.NO_SUCH_PROCESS, "no process " + pid + detail);
  }

  private static AuditException noPermission(int pid, String detail) {
    return new AuditException(Reason.NO_PERMISSION, "not allowed to read the sockets of process "
        + pid + ": " + detail + ". pidfd_getfd(2) needs ptrace access: run as root, or as the"
        + " same user with kernel.yama.ptrace_scope = 0 (sysctl), and in a container with"
        + " CAP_SYS_PTRACE");
  }

  private static AuditException tooOld(String what) {
    return new AuditException(Reason.KERNEL_TOO_OLD, "this kernel (" + System.getProperty(
        "os.version") + ") has no " + what + ": auditing another process needs Linux 5.6 or"
        + " newer (thisProcess() works on older kernels)");
  }
}
