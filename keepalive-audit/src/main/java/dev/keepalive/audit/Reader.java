package dev.keepalive.audit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.keepalive.ApplyMode;
import dev.keepalive.KeepalivePolicy;
import dev.keepalive.audit.AuditException.Reason;
import dev.keepalive.spi.KeepaliveApplier;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The audit's work on the kernel: the native buffers it reuses for every descriptor, the walk over
 * {@code /proc/PID/fd}, and the apply. Allocates nothing per descriptor beyond the {@link
 * SocketKeepalive} it returns and its addresses; the policy and the addresses are shared between
 * sockets that have the same. Confined to the thread that opened it.
 *
 * <p>Two ways to reach a descriptor. This process's own are read in place: never duplicated, so
 * nothing is ever closed here that the process holds (closing any descriptor of a file drops every
 * POSIX lock the process holds on it). Another process's are duplicated with {@code
 * pidfd_getfd(2)}, which only a process holding no POSIX locks may do: the duplicate of a
 * descriptor the target reused for a file since it was listed must be closed, and that close would
 * drop this process's locks on that file. {@link KeepaliveAudit} runs this part in the command's
 * own JVM or in a helper JVM ({@link AuditHelper}), never in an application's.
 */
final class Reader implements AutoCloseable {

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

  /** How long the end of a walk waits for a process seen exiting to be gone. */
  private static final int EXIT_WAIT_MILLIS = 2000;

  private static final ValueLayout.OfShort PORT =
      JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  /** A socket the apply should change: the descriptor and the inode it had when listed. */
  record Target(int fd, long inode) {}

  /**
   * What the apply did to one target: {@code before} null when the descriptor no longer held the
   * socket listed (closed or reused: never touched).
   */
  record Outcome(int fd, long inode, SocketKeepalive before, SocketKeepalive after,
      String refusal) {}

  private final Arena arena;
  private final MemorySegment capture;
  private final MemorySegment intValue;
  private final MemorySegment length;
  private final MemorySegment tcpInfo;
  private final MemorySegment address;
  private final MemorySegment link;
  private final MemorySegment dirents;
  private final MemorySegment statx;
  private final MemorySegment emptyPath;
  private final MemorySegment pollfd;

  private final Last lastLocal = new Last();
  private final Last lastRemote = new Last();
  private int pid;
  private KeepalivePolicy lastPolicy;
  private boolean lastOn;
  private int lastIdle;
  private int lastInterval;
  private int lastProbes;
  private int lastUserTimeout;
  /** Set by read(): the descriptor turned out not to be the socket listed (in-place reads). */
  private boolean vanished;

  private Reader(Arena arena) {
    this.arena = arena;
    this.capture = arena.allocate(Linux.CAPTURE_LAYOUT);
    this.intValue = arena.allocate(JAVA_INT);
    this.length = arena.allocate(JAVA_INT);
    this.tcpInfo = arena.allocate(TCP_INFO_LENGTH, 8);
    this.address = arena.allocate(128, 8);
    this.link = arena.allocate(64);
    this.dirents = arena.allocate(32 * 1024, 8);
    this.statx = arena.allocate(Linux.STATX_LENGTH, 8);
    this.emptyPath = arena.allocate(1);
    this.pollfd = arena.allocate(8, 4);
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

  @Override
  public void close() {
    arena.close();
  }

  // ---- this process, in place ----

  List<SocketKeepalive> self() throws IOException {
    int dir = openFdDirectory("/proc/self/fd", -1, 0);
    try {
      return walk(dir, -1);
    } finally {
      close(dir);
    }
  }

  // ---- another process, through duplicates ----

  List<SocketKeepalive> other(int pid) throws IOException {
    this.pid = pid;
    int pidfd = pidfdOpen(pid);
    try {
      int dir = openFdDirectory("/proc/" + pid + "/fd", pidfd, pid);
      try {
        // The pid may have been reused between pidfd_open and open: the pidfd still names the
        // process we mean, and signal 0 tells whether it is the one /proc showed (still alive).
        if (syscall(Linux.SYS_PIDFD_SEND_SIGNAL, pidfd, 0, 0) < 0
            && Linux.errno(capture) == Linux.ESRCH) {
          throw noSuchProcess(pid, " (it exited during the audit)");
        }
        List<SocketKeepalive> sockets = walk(dir, pidfd);
        // A process that exits closes its descriptors one by one: a walk that met that saw a
        // part of them. Checked after the walk, so such a list is never returned; a zombie (exited,
        // not yet reaped by its parent) has no descriptors at all, and is no live process either.
        String exited = exited(pidfd, pid);
        if (exited != null) {
          throw noSuchProcess(pid, exited);
        }
        return sockets;
      } finally {
        close(dir);
      }
    } finally {
      close(pidfd);
    }
  }

  private int pidfdOpen(int pid) throws IOException {
    int pidfd = (int) syscall(Linux.SYS_PIDFD_OPEN, pid, 0, 0);
    if (pidfd >= 0) {
      return pidfd;
    }
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

  /**
   * Why the process behind {@code pidfd} is no live process, or null if it is one: its pidfd polls
   * readable once it exited (also as a zombie). A process still closing its descriptors on the way
   * out is not readable yet, but its {@code /proc/PID/stat} already shows PF_EXITING: then wait,
   * bounded, for the exit to finish. A main thread that exited alone while the others go on shows
   * PF_EXITING too, and the wait ends without the pidfd turning readable: the process lives.
   */
  private String exited(int pidfd, int pid) throws IOException {
    if (!poll(pidfd, 0)) {
      long[] stat = ProcStat.read(pid);
      if (stat != null) {
        boolean leaving = stat[0] == 'Z' || stat[0] == 'X'
            || (stat[1] & Linux.PF_EXITING) != 0;
        if (!leaving || !poll(pidfd, EXIT_WAIT_MILLIS)) {
          return null;
        }
      }
    }
    long[] stat = ProcStat.read(pid);
    return stat != null && stat[0] == 'Z'
        ? " (it has exited, and its parent has not reaped it yet: a zombie)"
        : " (it exited during the audit)";
  }

  private boolean poll(int fd, int timeoutMillis) throws IOException {
    pollfd.set(JAVA_INT, 0, fd);
    pollfd.set(ValueLayout.JAVA_SHORT, 4, Linux.POLLIN);
    pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
    while (true) {
      int r;
      try {
        r = (int) Linux.POLL.invokeExact(capture, pollfd, 1L, timeoutMillis);
      } catch (Throwable t) {
        throw unexpected(t);
      }
      if (r >= 0) {
        return r > 0 && (pollfd.get(ValueLayout.JAVA_SHORT, 6) & Linux.POLLIN) != 0;
      }
      if (Linux.errno(capture) != Linux.EINTR) {
        throw new IOException("poll on a pidfd failed: " + Linux.errnoName(Linux.errno(capture)));
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
        if (!alive || poll(pidfd, 0)) {
          throw noSuchProcess(pid, " (it exited during the audit)");
        }
        throw noPermission(pid, path + " is not visible to this process (/proc mounted with"
            + " hidepid, or from another PID namespace)");
      }
    }
    throw new IOException("cannot open " + path + ": " + Linux.errnoName(errno));
  }

  // ---- the walk ----

  /** What the walk does with each socket it read, while its descriptor is still open. */
  @FunctionalInterface
  private interface Visitor {
    /**
     * @param socket the socket as read
     * @param sock the descriptor it was read from: this process's duplicate, or (in place) the
     *     process's own
     */
    void visit(SocketKeepalive socket, int sock) throws IOException;
  }

  /** Every TCP socket among the descriptors listed by {@code dir}, read as the walk below does. */
  private List<SocketKeepalive> walk(int dir, int pidfd) throws IOException {
    List<SocketKeepalive> sockets = new ArrayList<>();
    walk(dir, pidfd, false, (socket, sock) -> sockets.add(socket));
    return sockets;
  }

  /**
   * Every TCP socket among the descriptors listed by {@code dir}, given to {@code visitor}: read
   * in place when {@code pidfd} is -1 and {@code duplicate} is false (this process, reads only),
   * else through duplicates made with {@code pidfd_getfd} (or fcntl, this process, for an apply in
   * a process that holds no locks).
   */
  private void walk(int dir, int pidfd, boolean duplicate, Visitor visitor) throws IOException {
    while (true) {
      long n = syscall(Linux.SYS_GETDENTS64, dir, dirents.address(), dirents.byteSize());
      if (n < 0) {
        int errno = Linux.errno(capture);
        if (errno == Linux.ENOENT && pidfd >= 0) {
          throw noSuchProcess(pid, " (it exited during the audit)");
        }
        throw new IOException("getdents64 on /proc/PID/fd failed: " + Linux.errnoName(errno));
      }
      if (n == 0) {
        return;
      }
      // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[].
      for (long at = 0; at < n; ) {
        int reclen = Short.toUnsignedInt(dirents.get(JAVA_SHORT_UNALIGNED, at + 16));
        MemorySegment name = dirents.asSlice(at + 19, reclen - 19);
        int fd = parseFd(name);
        at += reclen;
        if (fd < 0) {
          continue;
        }
        long inode = socketInode(dir, name);
        if (inode < 0) {
          continue;
        }
        if (pidfd < 0 && !duplicate) {
          SocketKeepalive socket = readInPlace(fd, inode);
          if (socket != null) {
            visitor.visit(socket, fd);
          }
          continue;
        }
        int dup = duplicate(pidfd, fd);
        if (dup < 0) {
          continue;
        }
        try {
          SocketKeepalive socket = isSocket(dup, inode) ? read(fd, dup, inode, false) : null;
          if (socket != null) {
            visitor.visit(socket, dup);
          }
        } finally {
          close(dup);
        }
      }
    }
  }

  /**
   * This process's descriptor {@code fd}, read where it is: it must be the socket {@code inode}
   * before and after the reads, else another thread closed or reused it meanwhile and it is left
   * out. Nothing is duplicated, so nothing is closed.
   */
  private SocketKeepalive readInPlace(int fd, long inode) throws IOException {
    if (!isSocket(fd, inode)) {
      return null;
    }
    SocketKeepalive socket = read(fd, fd, inode, true);
    return socket != null && !vanished && isSocket(fd, inode) ? socket : null;
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

  /** The inode of a link that reads {@code socket:[INODE]}, or -1 for anything else. */
  private long socketInode(int dir, MemorySegment name) throws IOException {
    long n;
    try {
      n = (long) Linux.READLINKAT.invokeExact(capture, dir, name, link, link.byteSize());
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (n < 0) {
      int errno = Linux.errno(capture);
      if (errno == Linux.ENOENT) {
        return -1; // closed since the listing
      }
      if (errno == Linux.EACCES || errno == Linux.EPERM) {
        throw new AuditException(Reason.NO_PERMISSION, "cannot read /proc/PID/fd links: "
            + Linux.errnoName(errno) + "; run as root or as the process's user");
      }
      throw new IOException("readlink in /proc/PID/fd failed: " + Linux.errnoName(errno));
    }
    if (n < 10 || link.get(JAVA_BYTE, 0) != 's' || link.get(JAVA_BYTE, 1) != 'o'
        || link.get(JAVA_BYTE, 2) != 'c' || link.get(JAVA_BYTE, 3) != 'k'
        || link.get(JAVA_BYTE, 4) != 'e' || link.get(JAVA_BYTE, 5) != 't'
        || link.get(JAVA_BYTE, 6) != ':' || link.get(JAVA_BYTE, 7) != '['
        || link.get(JAVA_BYTE, n - 1) != ']') {
      return -1;
    }
    long inode = 0;
    for (long i = 8; i < n - 1; i++) {
      byte b = link.get(JAVA_BYTE, i);
      if (b < '0' || b > '9') {
        return -1;
      }
      inode = inode * 10 + (b - '0');
    }
    return inode;
  }

  /**
   * Whether {@code fd} (of this process) is the socket {@code inode}, by statx: a socket's inode
   * number lives in sockfs, so a file on another file system with the same number is told apart by
   * its type.
   */
  private boolean isSocket(int fd, long inode) throws IOException {
    int r;
    try {
      r = (int) Linux.STATX.invokeExact(capture, fd, emptyPath, Linux.AT_EMPTY_PATH,
          Linux.STATX_TYPE | Linux.STATX_INO, statx);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (r < 0) {
      if (Linux.errno(capture) == Linux.EBADF) {
        return false; // closed meanwhile (in place)
      }
      throw new IOException("statx of descriptor " + fd + " failed: "
          + Linux.errnoName(Linux.errno(capture)));
    }
    int mode = Short.toUnsignedInt(statx.get(ValueLayout.JAVA_SHORT, Linux.STX_MODE));
    return (mode & Linux.S_IFMT) == Linux.S_IFSOCK
        && statx.get(ValueLayout.JAVA_LONG, Linux.STX_INO) == inode;
  }

  /** A duplicate of another process's {@code fd} in this process, or -1 if it was closed. */
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
        throw noPermission(pid, "pidfd_getfd(2) refused: " + Linux.errnoName(errno));
      case Linux.ESRCH:
        throw noSuchProcess(pid, " (it exited during the audit)");
      case Linux.ENOSYS:
        throw tooOld("pidfd_getfd(2) (Linux 5.6)");
      default:
        throw new IOException((pidfd < 0 ? "fcntl(F_DUPFD_CLOEXEC)" : "pidfd_getfd")
            + " of descriptor " + fd + " failed: " + Linux.errnoName(errno));
    }
  }

  /**
   * The socket behind {@code sock} (listed as {@code fd}), or null if it is not a TCP or MPTCP
   * stream socket over IPv4 or IPv6. {@code inPlace}: {@code sock} is this process's own
   * descriptor, which another thread may close or reuse at any moment; a read that finds it no
   * longer a socket (EBADF, ENOTSOCK) sets {@link #vanished} and returns null.
   */
  private SocketKeepalive read(int fd, int sock, long inode, boolean inPlace) throws IOException {
    vanished = false;
    // The protocol first: it alone leaves out UNIX-domain (0) and UDP (17) sockets.
    int protocol = option(sock, Linux.SOL_SOCKET, Linux.SO_PROTOCOL, "SO_PROTOCOL", inPlace);
    if (protocol != Linux.IPPROTO_TCP && protocol != Linux.IPPROTO_MPTCP) {
      return null;
    }
    // Then TCP_INFO, which only a TCP (or MPTCP) stream socket answers: a raw socket with
    // IPPROTO_TCP answers EOPNOTSUPP (ENOPROTOOPT on IPv6), and is left out.
    tcpInfo.fill((byte) 0);
    if (!tcpInfo(sock, inPlace)) {
      return null;
    }
    int state = Byte.toUnsignedInt(tcpInfo.get(JAVA_BYTE, TCPI_STATE));
    int probesSent = Byte.toUnsignedInt(tcpInfo.get(JAVA_BYTE, TCPI_PROBES));
    long lastData = Integer.toUnsignedLong(tcpInfo.get(JAVA_INT, TCPI_LAST_DATA_RECV));
    long lastAck = Integer.toUnsignedLong(tcpInfo.get(JAVA_INT, TCPI_LAST_ACK_RECV));
    boolean on = option(sock, Linux.SOL_SOCKET, Linux.SO_KEEPALIVE, "SO_KEEPALIVE", inPlace) != 0;
    // The tuning options only matter, and are only read, with keepalive on: three system calls
    // fewer on each socket with keepalive off. An option never set reads as the namespace's
    // default, which a namespace's sysctl may have made 0.
    int idle = 0;
    int interval = 0;
    int probes = 0;
    if (on) {
      idle = option(sock, Linux.IPPROTO_TCP, Linux.TCP_KEEPIDLE, "TCP_KEEPIDLE", inPlace);
      interval = option(sock, Linux.IPPROTO_TCP, Linux.TCP_KEEPINTVL, "TCP_KEEPINTVL", inPlace);
      probes = option(sock, Linux.IPPROTO_TCP, Linux.TCP_KEEPCNT, "TCP_KEEPCNT", inPlace);
    }
    // MPTCP has no TCP_USER_TIMEOUT (getsockopt: EOPNOTSUPP): it has none in force.
    int userTimeout = protocol == Linux.IPPROTO_MPTCP ? 0
        : option(sock, Linux.IPPROTO_TCP, Linux.TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT", inPlace);
    InetSocketAddress local = address(sock, true, inPlace);
    if (local == null) {
      return null; // not IPv4 or IPv6, or gone (in place)
    }
    InetSocketAddress remote = state == SocketKeepalive.LISTEN ? null
        : address(sock, false, inPlace);
    if (vanished) {
      return null;
    }
    return new SocketKeepalive(fd, inode, protocol, local, remote, state, on, idle, interval,
        probes, userTimeout, probesSent, Math.min(lastData, lastAck),
        policy(on, idle, interval, probes, userTimeout));
  }

  /**
   * TCP_INFO into {@link #tcpInfo}: false for a socket that is no TCP stream socket (EOPNOTSUPP,
   * ENOPROTOOPT), or (in place, with {@link #vanished}) a descriptor gone meanwhile.
   */
  private boolean tcpInfo(int sock, boolean inPlace) throws IOException {
    length.set(JAVA_INT, 0, (int) tcpInfo.byteSize());
    int r;
    try {
      r = (int) Linux.GETSOCKOPT.invokeExact(capture, sock, Linux.IPPROTO_TCP, Linux.TCP_INFO,
          tcpInfo, length);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (r == 0) {
      return true;
    }
    int errno = Linux.errno(capture);
    if (errno == Linux.EOPNOTSUPP || errno == Linux.ENOPROTOOPT) {
      return false;
    }
    if (inPlace && (errno == Linux.EBADF || errno == Linux.ENOTSOCK)) {
      vanished = true;
      return false;
    }
    throw new IOException("getsockopt(TCP_INFO) of descriptor " + sock + " failed: "
        + Linux.errnoName(errno));
  }

  /**
   * {@code before} with its keepalive options read again from {@code sock}, after an apply: the
   * addresses, state and TCP_INFO fields cannot have changed by setting options.
   */
  private SocketKeepalive reread(SocketKeepalive before, int sock) throws IOException {
    vanished = false;
    boolean on = option(sock, Linux.SOL_SOCKET, Linux.SO_KEEPALIVE, "SO_KEEPALIVE", false) != 0;
    int idle = 0;
    int interval = 0;
    int probes = 0;
    if (on) {
      idle = option(sock, Linux.IPPROTO_TCP, Linux.TCP_KEEPIDLE, "TCP_KEEPIDLE", false);
      interval = option(sock, Linux.IPPROTO_TCP, Linux.TCP_KEEPINTVL, "TCP_KEEPINTVL", false);
      probes = option(sock, Linux.IPPROTO_TCP, Linux.TCP_KEEPCNT, "TCP_KEEPCNT", false);
    }
    int userTimeout = before.mptcp() ? 0
        : option(sock, Linux.IPPROTO_TCP, Linux.TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT", false);
    return new SocketKeepalive(before.fd(), before.inode(), before.protocolNumber(),
        before.local(), before.remote().orElse(null), before.stateNumber(), on, idle, interval,
        probes, userTimeout, before.probesSent(), before.sinceLastReceivedMillis(),
        policy(on, idle, interval, probes, userTimeout));
  }

  private KeepalivePolicy policy(boolean on, int idle, int interval, int probes,
      int userTimeout) {
    if (lastPolicy != null && on == lastOn && idle == lastIdle && interval == lastInterval
        && probes == lastProbes && userTimeout == lastUserTimeout) {
      return lastPolicy;
    }
    KeepalivePolicy policy = SocketKeepalive.policyOf(on, idle, interval, probes, userTimeout);
    if (policy != null) {
      lastPolicy = policy;
      lastOn = on;
      lastIdle = idle;
      lastInterval = interval;
      lastProbes = probes;
      lastUserTimeout = userTimeout;
    }
    return policy;
  }

  /** An int option; in place, 0 with {@link #vanished} set if the descriptor is gone. */
  private int option(int fd, int level, int option, String name, boolean inPlace)
      throws IOException {
    if (!getsockopt(fd, level, option, intValue, name, inPlace)) {
      return 0;
    }
    return intValue.get(JAVA_INT, 0);
  }

  /** False (and {@link #vanished}) when, in place, the descriptor is no longer a socket. */
  private boolean getsockopt(int fd, int level, int option, MemorySegment value, String name,
      boolean inPlace) throws IOException {
    if (vanished) {
      return false;
    }
    length.set(JAVA_INT, 0, (int) value.byteSize());
    int r;
    try {
      r = (int) Linux.GETSOCKOPT.invokeExact(capture, fd, level, option, value, length);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (r < 0) {
      int errno = Linux.errno(capture);
      if (inPlace && (errno == Linux.EBADF || errno == Linux.ENOTSOCK)) {
        vanished = true;
        return false;
      }
      throw new IOException("getsockopt(" + name + ") of descriptor " + fd + " failed: "
          + Linux.errnoName(errno));
    }
    return true;
  }

  // ---- apply ----

  /**
   * Applies {@code policy} to each of {@code targets} in process {@code pid} ({@code self}: this
   * process, through fcntl duplicates, which only a process holding no POSIX locks may close).
   * Each descriptor is duplicated and checked to be the socket listed before anything is set: a
   * number closed or reused meanwhile is never touched and is reported as such.
   */
  List<Outcome> apply(int pid, boolean self, KeepalivePolicy policy, List<Target> targets,
      boolean listeners) throws IOException {
    this.pid = pid;
    int pidfd = self ? -1 : pidfdOpen(pid);
    try {
      List<Outcome> changes = new ArrayList<>(targets.size());
      DescriptorAccess access = new DescriptorAccess(this);
      for (Target target : targets) {
        int dup = duplicate(pidfd, target.fd());
        if (dup < 0) {
          changes.add(new Outcome(target.fd(), target.inode(), null, null, null));
          continue;
        }
        try {
          SocketKeepalive before = isSocket(dup, target.inode())
              ? read(target.fd(), dup, target.inode(), false) : null;
          if (before == null) {
            changes.add(new Outcome(target.fd(), target.inode(), null, null, null));
            continue;
          }
          changes.add(applyTo(access, dup, before, policy, listeners));
        } finally {
          close(dup);
        }
      }
      String exited = pidfd >= 0 ? exited(pidfd, pid) : null;
      if (exited != null) {
        throw noSuchProcess(pid, exited);
      }
      return changes;
    } finally {
      if (pidfd >= 0) {
        close(pidfd);
      }
    }
  }

  /**
   * The apply of a process that holds no POSIX locks (the command, the helper): one walk, in
   * which each socket {@code which} selects among the established connections (and, with {@code
   * listeners}, the listeners) is changed through the duplicate it was just read from.
   */
  List<Outcome> applyMatching(int pid, boolean self, KeepalivePolicy policy,
      Predicate<SocketKeepalive> which, boolean listeners) throws IOException {
    this.pid = pid;
    List<Outcome> outcomes = new ArrayList<>();
    DescriptorAccess access = new DescriptorAccess(this);
    Visitor apply = (socket, sock) -> {
      boolean candidate = socket.tcpState().equals("ESTABLISHED")
          || (listeners && socket.listening());
      if (candidate && which.test(socket)) {
        outcomes.add(applyTo(access, sock, socket, policy, listeners));
      }
    };
    if (self) {
      int dir = openFdDirectory("/proc/self/fd", -1, 0);
      try {
        walk(dir, -1, true, apply);
      } finally {
        close(dir);
      }
      return outcomes;
    }
    int pidfd = pidfdOpen(pid);
    try {
      int dir = openFdDirectory("/proc/" + pid + "/fd", pidfd, pid);
      try {
        walk(dir, pidfd, true, apply);
      } finally {
        close(dir);
      }
      String exited = exited(pidfd, pid);
      if (exited != null) {
        throw noSuchProcess(pid, exited);
      }
      return outcomes;
    } finally {
      close(pidfd);
    }
  }

  private Outcome applyTo(DescriptorAccess access, int dup, SocketKeepalive before,
      KeepalivePolicy policy, boolean listeners) throws IOException {
    String state = before.tcpState();
    if (!state.equals("ESTABLISHED") && !(listeners && before.listening())) {
      return new Outcome(before.fd(), before.inode(), before, before, "not an established"
          + " connection" + (listeners ? " or a listener" : "") + " any more (" + state + "): not"
          + " touched");
    }
    String refusal = null;
    try {
      KeepaliveApplier.apply(access, new DescriptorAccess.Descriptor(dup, before.mptcp()), policy,
          ApplyMode.TRANSACTIONAL);
    } catch (IOException | RuntimeException e) {
      refusal = describe(e);
    }
    SocketKeepalive after = reread(before, dup);
    if (refusal == null && (!after.hasPolicy() || !after.policy().equals(policy))) {
      refusal = "the kernel reads back " + (after.keepaliveOn() ? after.keepaliveText() : "off")
          + (after.userTimeoutMillis() > 0 ? ",user-timeout=" + after.userTimeoutMillis() + "ms"
          : "") + ", not " + policy;
    }
    return new Outcome(before.fd(), before.inode(), before, after, refusal);
  }

  private static String describe(Exception e) {
    StringBuilder b = new StringBuilder(e.getMessage() != null ? e.getMessage() : e.toString());
    for (Throwable s : e.getSuppressed()) {
      b.append("; ").append(s.getMessage());
    }
    return b.toString();
  }

  /** setsockopt of an int option, for {@link DescriptorAccess}. */
  void setInt(int fd, int level, int option, int value, String name) throws IOException {
    intValue.set(JAVA_INT, 0, value);
    int r;
    try {
      r = (int) Linux.SETSOCKOPT.invokeExact(capture, fd, level, option, intValue,
          (int) JAVA_INT.byteSize());
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (r < 0) {
      throw new IOException("setsockopt(" + name + ", " + value + ") failed: "
          + Linux.errnoName(Linux.errno(capture)));
    }
  }

  /** getsockopt of an int option, for {@link DescriptorAccess}. */
  int getInt(int fd, int level, int option, String name) throws IOException {
    return option(fd, level, option, name, false);
  }

  /**
   * getsockname ({@code local}) or getpeername; null for an unconnected peer, for a family other
   * than IPv4 and IPv6, and (in place, with {@link #vanished}) for a descriptor gone meanwhile.
   */
  private InetSocketAddress address(int fd, boolean local, boolean inPlace) throws IOException {
    if (vanished) {
      return null;
    }
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
      if (inPlace && (errno == Linux.EBADF || errno == Linux.ENOTSOCK)) {
        vanished = true;
        return null;
      }
      throw new IOException((local ? "getsockname" : "getpeername") + " of descriptor " + fd
          + " failed: " + Linux.errnoName(errno));
    }
    int family = Short.toUnsignedInt(address.get(JAVA_SHORT_UNALIGNED, 0));
    if (family != Linux.AF_INET && family != Linux.AF_INET6) {
      return null;
    }
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

  private static IOException unexpected(Throwable t) {
    if (t instanceof RuntimeException) {
      throw (RuntimeException) t;
    }
    if (t instanceof Error) {
      throw (Error) t;
    }
    return new IOException("native call failed", t);
  }

  static AuditException noSuchProcess(int pid, String detail) {
    return new AuditException(Reason.NO_SUCH_PROCESS, "no process " + pid + detail);
  }

  static AuditException noPermission(int pid, String detail) {
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
