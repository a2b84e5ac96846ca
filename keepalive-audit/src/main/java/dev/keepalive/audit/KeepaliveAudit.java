package dev.keepalive.audit;

import dev.keepalive.audit.AuditException.Reason;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Reads the keepalive the kernel really has on every TCP socket of a process: this JVM's, or any
 * other process's (Java or not), including the sockets that libraries hold and the application
 * cannot reach (a JDBC pool, gRPC, a Redis client).
 *
 * <p>How: {@code /proc/PID/fd} lists the descriptors; for each socket a duplicate is made ({@code
 * pidfd_getfd(2)} for another process, {@code fcntl(F_DUPFD_CLOEXEC)} for this one), its
 * SO_DOMAIN and SO_PROTOCOL keep only TCP over IPv4 or IPv6, {@code getsockopt(2)} reads
 * SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT and TCP_INFO, {@code
 * getsockname}/{@code getpeername} the addresses, in the target's own network namespace; then the
 * duplicate is closed. Linux 5.6+ and Java 22+; no native library.
 *
 * <p>Read-only: no option is ever set on the target's sockets, and every duplicate is closed
 * before the call returns, on every path (a leaked duplicate would hold the target's connection
 * open after the target closed it). One side effect exists, in {@link #process(long)} only, on
 * hosts that still use the cgroup-v1 {@code net_cls} or {@code net_prio} controllers: receiving a
 * socket through {@code pidfd_getfd} runs the kernel's {@code __receive_sock} (net/core/sock.c,
 * reached through {@code receive_fd} from kernel/pid.c), exactly as receiving it over a UNIX socket
 * with SCM_RIGHTS does, and that re-tags the socket with the auditor's {@code net_cls} class id and
 * {@code net_prio} index. Traffic shaping or firewall rules keyed on those then see the socket as
 * the auditor's. On cgroup-v2-only hosts every task is in those controllers' root, which is what
 * every socket already carries: nothing changes. Run the audit from the target's cgroup to avoid
 * it on v1 hosts. {@link #thisProcess()} uses {@code fcntl} and has no side effect at all.
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

  private KeepaliveAudit() {}

  /**
   * Every TCP socket of this JVM, in descriptor order. Each socket is read from a duplicate made
   * first, so a descriptor that another thread closes (and reuses) during the audit is either left
   * out or read consistently as whatever it then is.
   *
   * @return the TCP sockets (IPv4 and IPv6), listeners included; empty only if there is none
   * @throws AuditException if the audit cannot be done here (not Linux, native access denied)
   * @throws IOException if the kernel refuses a read the audit needs
   */
  public static List<SocketKeepalive> thisProcess() throws IOException {
    Reader reader = Reader.open();
    return reader.self();
  }

  /**
   * Every TCP socket of another process, in descriptor order. The process can run any Java
   * version, or not be Java at all. A {@code pid} of this JVM audits it as {@link #thisProcess()}.
   *
   * @param pid the process id, as this process's {@code /proc} sees it
   * @return the TCP sockets (IPv4 and IPv6), listeners included; empty only if there is none
   * @throws IllegalArgumentException if {@code pid} is not a positive process id
   * @throws AuditException if there is no such process (or it exited during the audit), this
   *     process may not read its descriptors (not root, {@code ptrace_scope}, a container without
   *     {@code CAP_SYS_PTRACE}), the kernel is older than 5.6, or this is not Linux; the message
   *     says which and what to do, and {@link AuditException#reason()} tells it to code
   * @throws IOException if the kernel refuses a read the audit needs
   */
  public static List<SocketKeepalive> process(long pid) throws IOException {
    if (pid <= 0 || pid > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "pid must be a process id from 1 to %d, was %d", Integer.MAX_VALUE, pid));
    }
    Reader reader = Reader.open();
    if (pid == ProcessHandle.current().pid()) {
      return reader.self();
    }
    return reader.other((int) pid);
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
