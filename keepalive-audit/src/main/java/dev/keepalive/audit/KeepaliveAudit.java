package dev.keepalive.audit;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.PlatformLimits;
import dev.keepalive.audit.AuditException.Reason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Reads the keepalive the kernel really has on every TCP socket of a process (this JVM's, any other
 * process's, Java or not, or every process of the host), including the sockets that libraries hold
 * and the application cannot reach (a JDBC pool, gRPC, a Redis client); and applies a policy to
 * the connections a running process already has.
 *
 * <p>How: {@code /proc/PID/fd} lists the descriptors and names each socket's inode ({@code
 * socket:[INODE]}); for each socket {@code getsockopt(2)} reads SO_TYPE and SO_PROTOCOL (TCP and
 * MPTCP stream sockets are kept), SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT,
 * TCP_USER_TIMEOUT and TCP_INFO, and {@code getsockname}/{@code getpeername} the addresses, in the
 * target's own network namespace. Linux 5.6+ and Java 22+; no native library.
 *
 * <h2>Where the descriptors are touched, and why a helper JVM</h2>
 *
 * <p>{@link #thisProcess()} reads this JVM's descriptors in place: nothing is duplicated, so
 * nothing is closed. Each descriptor is checked ({@code statx}) to be the socket listed, before and
 * after the reads; one that another thread closed or reused meanwhile is left out.
 *
 * <p>Another process's descriptors can only be reached through duplicates ({@code
 * pidfd_getfd(2)}), and a duplicate must be closed. The process may close a descriptor and reuse
 * its number for a file between the listing and the duplication; the audit then sees (by its
 * inode) that the duplicate is not the socket listed and reads nothing from it, but it must still
 * close it, and closing any descriptor of a file drops every POSIX record lock ({@code fcntl},
 * which Java's {@code FileChannel.lock} uses) that the <em>closing</em> process holds on that file.
 * An application calling this class may hold such locks, so its JVM never holds a duplicate at
 * all: {@link #process(long)}, {@link #allProcesses()} and {@link #apply} run the duplication, the
 * reads and the writes in a helper JVM (this JVM's own {@code java}, keepalive-audit and
 * keepalive-api as its class path, {@code --enable-native-access=ALL-UNNAMED}, none of the
 * application's options or agents). The helper is started on first use, answers one request at a
 * time in a compact line protocol, and leaves by itself 10 s after the last one; it holds no
 * duplicate between requests. Every wait on it is bounded (30 s to start, 60 s an answer), and a
 * helper that cannot run is an {@link AuditException} with reason {@link Reason#HELPER_FAILED}.
 * Its cost is one JVM start on the first call after an idle pause (0.42 to 0.61 s, medians of 5
 * cold starts on 2 shared cores, in keepalive-benchmarks' {@code AuditScaleFleet}); a call to the
 * running helper costs the audit itself and at most about 11 µs per socket for the protocol (17.0
 * ms against 5.6 ms in-process for 1 000 connections).
 *
 * <p>A JVM that holds no POSIX locks on files other processes have open (a dedicated tool, an
 * exporter) may do the work itself, without the helper: start it with {@code
 * -Dkeepalive.audit.inProcess=true}. The {@code keepalive-audit} command is such a process and does
 * so.
 *
 * <p>Read-only, except {@link #apply}: the audit never sets an option, and every duplicate is
 * closed before the call returns, on every path (a leaked duplicate would hold the target's
 * connection open after the target closed it). One side effect exists where duplicates are made,
 * on hosts that still use the cgroup-v1 {@code net_cls} or {@code net_prio} controllers: receiving
 * a socket through {@code pidfd_getfd} runs the kernel's {@code __receive_sock} (net/core/sock.c,
 * reached through {@code receive_fd} from kernel/pid.c), exactly as receiving it over a UNIX socket
 * with SCM_RIGHTS does, and that re-tags the socket with the auditor's {@code net_cls} class id and
 * {@code net_prio} index. Traffic shaping or firewall rules keyed on those then see the socket as
 * the auditor's. On cgroup-v2-only hosts every task is in those controllers' root, which is what
 * every socket already carries: nothing changes. Run the audit from the target's cgroup to avoid
 * it on v1 hosts. {@link #thisProcess()} duplicates nothing and has no side effect at all.
 *
 * <p>Permissions: auditing another process needs ptrace access to it ({@code
 * PTRACE_MODE_ATTACH_REALCREDS}): root, or the same user with {@code kernel.yama.ptrace_scope} 0;
 * in a container also {@code CAP_SYS_PTRACE} (Docker's default seccomp profile allows {@code
 * pidfd_getfd} only with it). Calls restricted FFM methods: run with {@code
 * --enable-native-access=dev.keepalive.audit} ({@code ALL-UNNAMED} on the class path) to avoid the
 * JDK's warning.
 *
 * <p>To find the connections of this process to a server on port P:
 *
 * <pre>{@code
 * List<SocketKeepalive> toPostgres = KeepaliveAudit.thisProcess().stream()
 *     .filter(s -> s.isConnectionTo(5432))
 *     .toList();
 * }</pre>
 */
public final class KeepaliveAudit {

  /** The system property that lets this JVM duplicate other processes' descriptors itself. */
  static final String IN_PROCESS = "keepalive.audit.inProcess";

  private KeepaliveAudit() {}

  /**
   * Every TCP socket of this JVM, in descriptor order, read in place: nothing is duplicated, and a
   * descriptor that another thread closes or reuses during the audit is left out (its inode is
   * checked before and after the reads). One limit of reading in place: a socket that another
   * thread moves away from its number and back while it is read ({@code dup2} there and back) is
   * not told from one that stayed, so the fields read meanwhile may be the other socket's. No
   * application does that; {@link #process(long)} reads a duplicate and has no such limit.
   *
   * @return the TCP and MPTCP sockets (IPv4 and IPv6), listeners included; empty only if there is
   *     none
   * @throws AuditException if the audit cannot be done here (not Linux, native access denied)
   * @throws IOException if the kernel refuses a read the audit needs
   */
  public static List<SocketKeepalive> thisProcess() throws IOException {
    try (Reader reader = Reader.open()) {
      return reader.self();
    }
  }

  /**
   * Every TCP socket of another process, in descriptor order. The process can run any Java
   * version, or not be Java at all. A {@code pid} of this JVM audits it as {@link #thisProcess()}.
   * Runs in the helper JVM (see the class comment) unless {@code -Dkeepalive.audit.inProcess=true}.
   *
   * @param pid the process id, as this process's {@code /proc} sees it
   * @return the TCP and MPTCP sockets (IPv4 and IPv6), listeners included; empty only if there is
   *     none
   * @throws IllegalArgumentException if {@code pid} is not a positive process id
   * @throws AuditException if there is no such process, or it exited during the audit, or it is a
   *     zombie (all {@link Reason#NO_SUCH_PROCESS}: never a partial list), this process may not read
   *     its descriptors (not root, {@code ptrace_scope}, a container without {@code
   *     CAP_SYS_PTRACE}), the kernel is older than 5.6, this is not Linux, or the helper JVM cannot
   *     run; the message says which and what to do, and {@link AuditException#reason()} tells it to
   *     code
   * @throws IOException if the kernel refuses a read the audit needs
   */
  public static List<SocketKeepalive> process(long pid) throws IOException {
    int p = checkPid(pid);
    if (pid == ProcessHandle.current().pid()) {
      return thisProcess();
    }
    if (inProcess()) {
      try (Reader reader = Reader.open()) {
        return reader.other(p);
      }
    }
    requireSupported();
    return Helper.process(p);
  }

  /**
   * Every process of this host that holds a TCP socket, and every process the audit may not read,
   * in pid order. "This host" is this process's PID namespace: inside a container, the container's
   * processes, with the container's pids. Kernel threads, zombies, processes that exit during the
   * audit and the auditing process itself (the helper JVM, or this JVM with {@code
   * -Dkeepalive.audit.inProcess=true}) are left out. A process that cannot be read (another user's,
   * without ptrace access) is in the list with its {@link ProcessKeepalive#failure()}, never a
   * failure of the whole call.
   *
   * @return the processes
   * @throws AuditException if the audit cannot be done here at all (not Linux, native access
   *     denied, the helper JVM cannot run)
   * @throws IOException if {@code /proc} cannot be listed
   */
  public static List<ProcessKeepalive> allProcesses() throws IOException {
    if (inProcess()) {
      try (Reader reader = Reader.open()) {
        return Host.all(reader, ProcessHandle.current().pid());
      }
    }
    requireSupported();
    return Helper.all();
  }

  /**
   * Applies {@code policy} to the sockets of a running process that {@code which} selects, Java or
   * not, and reads each one back. {@code which} is asked about the process's established
   * connections and its listeners (on Linux an accepted connection starts with its listener's
   * options), never about sockets in other states; {@code s -> !s.listening()} keeps to
   * connections, as the command does without {@code --listeners}.
   *
   * <p>Each socket goes through the one apply algorithm ({@link
   * dev.keepalive.spi.KeepaliveApplier}, {@link dev.keepalive.ApplyMode#TRANSACTIONAL}) over a
   * duplicate of its descriptor: a socket that refuses an option is left exactly as it was, and
   * the refusal is in its {@link SocketChange}. A descriptor the process closed or reused since it
   * was listed is recognised by its inode, compared before anything is set, and never touched. The
   * duplicate shares the target's open file description, so the options change the target's own
   * socket: a new TCP_KEEPIDLE on a connection with keepalive on re-arms its timer counting the
   * idle time already elapsed, and switching SO_KEEPALIVE on starts the timer now. TCP_USER_TIMEOUT
   * takes this way on any socket, including a JDK socket, whose own options cannot set it; a policy
   * without one clears one in force. Runs in the helper JVM unless {@code
   * -Dkeepalive.audit.inProcess=true}, also for this JVM's own pid.
   *
   * @param pid the process id
   * @param policy the policy to apply
   * @param which the sockets to change, among the established connections and listeners
   * @return one change per selected socket, in descriptor order
   * @throws NullPointerException if {@code policy} or {@code which} is null
   * @throws IllegalArgumentException if {@code pid} is not a positive process id, or this
   *     platform's kernel cannot take {@code policy} (before anything is touched)
   * @throws AuditException as {@link #process(long)}
   * @throws IOException if the kernel refuses a read the apply needs
   */
  public static List<SocketChange> apply(long pid, KeepalivePolicy policy,
      Predicate<SocketKeepalive> which) throws IOException {
    Objects.requireNonNull(policy, "policy must not be null");
    Objects.requireNonNull(which, "which must not be null");
    int p = checkPid(pid);
    PlatformLimits.current().requireSupported(policy);
    return apply(p, policy, which, true);
  }

  /**
   * The apply behind {@link #apply} and the command's {@code --apply}: the candidates are the
   * established connections and, with {@code listeners}, the listeners; {@code which} chooses
   * among them. In a process that may duplicate descriptors itself, one walk lists and changes
   * them; otherwise the helper lists them, {@code which} runs here, and the helper changes the
   * chosen ones, each recognised again by its inode.
   */
  static List<SocketChange> apply(int pid, KeepalivePolicy policy,
      Predicate<SocketKeepalive> which, boolean listeners) throws IOException {
    boolean self = pid == ProcessHandle.current().pid();
    List<Reader.Outcome> outcomes;
    Map<Integer, SocketKeepalive> byFd = new HashMap<>();
    if (inProcess()) {
      try (Reader reader = Reader.open()) {
        outcomes = reader.applyMatching(pid, self, policy, which, listeners);
      }
    } else {
      requireSupported();
      List<Reader.Target> targets = new ArrayList<>();
      for (SocketKeepalive s : Helper.process(pid)) {
        boolean candidate = s.tcpState().equals("ESTABLISHED") || (listeners && s.listening());
        if (candidate && which.test(s)) {
          targets.add(new Reader.Target(s.fd(), s.inode()));
          byFd.put(s.fd(), s);
        }
      }
      outcomes = targets.isEmpty() ? List.of() : Helper.apply(pid, policy, targets, listeners);
    }
    List<SocketChange> changes = new ArrayList<>(outcomes.size());
    for (Reader.Outcome o : outcomes) {
      changes.add(o.before() == null ? SocketChange.gone(byFd.get(o.fd()))
          : new SocketChange(o.before(), o.after(), o.refusal()));
    }
    return changes;
  }

  /** Whether this JVM duplicates other processes' descriptors itself (the command does). */
  static boolean inProcess() {
    return Boolean.getBoolean(IN_PROCESS);
  }

  private static int checkPid(long pid) {
    if (pid <= 0 || pid > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "pid must be a process id from 1 to %d, was %d", Integer.MAX_VALUE, pid));
    }
    return (int) pid;
  }

  private static void requireSupported() throws AuditException {
    AuditException unsupported = unsupported();
    if (unsupported != null) {
      throw unsupported;
    }
  }

  /** Why this machine cannot run an audit at all, or null if it can. */
  static AuditException unsupported() {
    String os = System.getProperty("os.name", "");
    if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
      return new AuditException(Reason.UNSUPPORTED_PLATFORM, "the keepalive audit needs Linux"
          + " (/proc, pidfd_getfd); this is " + os);
    }
    if (Linux.SYS_GETDENTS64 < 0) {
      return new AuditException(Reason.UNSUPPORTED_PLATFORM, "the keepalive audit knows the"
          + " system calls of x86-64, aarch64 and riscv64; this is "
          + System.getProperty("os.arch"));
    }
    return null;
  }
}
