package dev.keepalive.audit;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One process of a host as {@link KeepaliveAudit#allProcesses()} found it: its pid, a name a person
 * recognises, and its TCP sockets; or, for a process the audit could not read, why.
 */
public final class ProcessKeepalive {

  private final long pid;
  private final String name;
  private final List<SocketKeepalive> sockets;
  private final AuditException failure;

  ProcessKeepalive(long pid, String name, List<SocketKeepalive> sockets, AuditException failure) {
    this.pid = pid;
    this.name = Objects.requireNonNull(name, "name");
    this.sockets = List.copyOf(sockets);
    this.failure = failure;
  }

  /**
   * The process id, as the auditing process's {@code /proc} sees it (inside a container, the
   * container's PID namespace).
   *
   * @return the pid
   */
  public long pid() {
    return pid;
  }

  /**
   * What a person recognises the process by: for a JVM its main class's simple name or its jar
   * ({@code Kafka}, {@code app.jar}), for a JVM run from source the source file, otherwise its
   * executable's file name ({@code python3}, {@code redis-server}).
   *
   * @return the name; {@code ?} when even {@code /proc/PID/comm} could not be read
   */
  public String name() {
    return name;
  }

  /**
   * The process's TCP sockets, in descriptor order, as {@link KeepaliveAudit#process(long)} gives
   * them.
   *
   * @return the sockets; empty when the process could not be read
   */
  public List<SocketKeepalive> sockets() {
    return sockets;
  }

  /**
   * Why the process could not be read, when it could not: most often {@link
   * AuditException.Reason#NO_PERMISSION}, another user's process without ptrace access.
   *
   * @return the failure, or empty when {@link #sockets()} is what the process holds
   */
  public Optional<AuditException> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * {@code 4242 app.jar: 12 TCP sockets}, or {@code 1 systemd: not read (NO_PERMISSION)}.
   *
   * @return one line
   */
  @Override
  public String toString() {
    return pid + " " + name + ": " + (failure != null ? "not read (" + failure.reason() + ")"
        : sockets.size() + " TCP socket" + (sockets.size() == 1 ? "" : "s"));
  }
}
