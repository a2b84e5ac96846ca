package dev.keepalive.audit;

import dev.keepalive.audit.AuditException.Reason;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Every process of the host (of this PID namespace): the walk behind {@code allProcesses()}. */
final class Host {

  private Host() {}

  /**
   * Every process {@code /proc} lists but {@code except} (the auditing process itself) and kernel
   * threads: each one that holds a TCP socket, and each one that could not be read. A process that
   * exits meanwhile, or is a zombie, is no live process and is left out.
   */
  static List<ProcessKeepalive> all(Reader reader, long except) throws IOException {
    return walk(reader, except, 0, null);
  }

  /**
   * As {@link #all}, stopping at {@code deadline} ({@link System#nanoTime()}): the processes not
   * reached by then are counted in {@code unfinished[0]}.
   */
  static List<ProcessKeepalive> all(Reader reader, long except, long deadline, int[] unfinished)
      throws IOException {
    return walk(reader, except, deadline, unfinished);
  }

  private static List<ProcessKeepalive> walk(Reader reader, long except, long deadline,
      int[] unfinished) throws IOException {
    List<ProcessKeepalive> processes = new ArrayList<>();
    int[] pids = pids();
    for (int i = 0; i < pids.length; i++) {
      int pid = pids[i];
      if (pid == except) {
        continue;
      }
      if (unfinished != null && System.nanoTime() - deadline > 0) {
        unfinished[0] = pids.length - i;
        break;
      }
      long[] stat = ProcStat.read(pid);
      if (stat == null || (stat[1] & Linux.PF_KTHREAD) != 0 || stat[0] == 'Z') {
        continue;
      }
      try {
        List<SocketKeepalive> sockets = reader.other(pid);
        if (!sockets.isEmpty()) {
          processes.add(new ProcessKeepalive(pid, ProcessName.of(pid), sockets, null));
        }
      } catch (AuditException e) {
        if (e.reason() != Reason.NO_SUCH_PROCESS) {
          processes.add(new ProcessKeepalive(pid, ProcessName.of(pid), List.of(), e));
        }
      }
    }
    return processes;
  }

  /** The numeric entries of /proc, in order. */
  static int[] pids() throws IOException {
    int[] pids = new int[512];
    int n = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.isEmpty() || name.charAt(0) < '1' || name.charAt(0) > '9') {
          continue;
        }
        int pid;
        try {
          pid = Integer.parseInt(name);
        } catch (NumberFormatException e) {
          continue;
        }
        if (n == pids.length) {
          pids = Arrays.copyOf(pids, n * 2);
        }
        pids[n++] = pid;
      }
    }
    int[] sorted = Arrays.copyOf(pids, n);
    Arrays.sort(sorted);
    return sorted;
  }
}
