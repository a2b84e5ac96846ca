package dev.keepalive.audit;

import java.io.IOException;
import java.util.Objects;

/**
 * An audit that could not be done, with the {@linkplain #reason() reason} and what to do about it
 * in the message. The audit never answers a failure with an empty list: an empty list means the
 * process has no TCP socket.
 */
public final class AuditException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Why an audit could not be done. */
  public enum Reason {
    /** There is no process with that id, or it exited during the audit. */
    NO_SUCH_PROCESS,
    /**
     * This process may not read the other's descriptors: {@code pidfd_getfd(2)} needs ptrace access
     * (root, or the same user with {@code kernel.yama.ptrace_scope} 0, and {@code CAP_SYS_PTRACE}
     * in a container whose seccomp profile allows it).
     */
    NO_PERMISSION,
    /** The kernel has no {@code pidfd_open(2)} (Linux 5.3) or {@code pidfd_getfd(2)} (Linux 5.6). */
    KERNEL_TOO_OLD,
    /**
     * Not Linux, an architecture whose system call numbers the audit does not know, or native
     * access denied to this module.
     */
    UNSUPPORTED_PLATFORM,
    /**
     * The helper JVM the audit of another process runs in (see {@link KeepaliveAudit}) could not
     * start, exited, or did not answer in time; the message says which, with its error output.
     */
    HELPER_FAILED
  }

  /** Why the audit could not be done. */
  private final Reason reason;

  AuditException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Why the audit could not be done.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
