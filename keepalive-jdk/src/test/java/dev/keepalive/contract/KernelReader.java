package dev.keepalive.contract;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Reads the keepalive the kernel holds on every TCP socket of a process with {@code
 * kernel-reader.c} (beside this class as a resource), a small C program compiled here with the
 * machine's {@code cc}: an independent reader, sharing no code with keepalive-audit, that tests of
 * the audit, the agent, {@code --apply} and the starter read back with on every JDK (the audit
 * itself needs Java 22+). Needs Linux 5.6+, a C compiler and ptrace access to the process (root in
 * CI).
 */
public final class KernelReader {

  /** One socket as the kernel holds it; -1 where getsockopt failed. */
  public record Socket(int fd, long inode, int family, int protocol, int state, String local,
      String remote, boolean keepalive, int idle, int interval, int count, int userTimeoutMillis) {

    /** TCP_ESTABLISHED. */
    public static final int ESTABLISHED = 1;
    /** TCP_LISTEN. */
    public static final int LISTEN = 10;

    /** The remote port, or -1 for a listener. */
    public int remotePort() {
      return remote.equals("-") ? -1 : Integer.parseInt(remote.substring(remote.lastIndexOf(':') + 1));
    }

    /** The local port. */
    public int localPort() {
      return Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
    }

    /**
     * What keepalive the socket has, every field: {@code off} or {@code idle/intvl/cnt}, then
     * {@code ,ut=MS} when a user timeout is in force, e.g. {@code 61/11/4} or {@code off,ut=5000}.
     */
    public String keepaliveFields() {
      String base = keepalive ? idle + "/" + interval + "/" + count : "off";
      return userTimeoutMillis > 0 ? base + ",ut=" + userTimeoutMillis : base;
    }
  }

  private static Path binary;

  private KernelReader() {}

  /** Why this machine cannot run the reader, or empty if it can: for a JUnit assumption. */
  public static Optional<String> unavailable() {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
      return Optional.of("the kernel reader needs Linux (pidfd_getfd, /proc)");
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("the kernel reader needs root to read another process's sockets"
          + " (pidfd_getfd needs ptrace access)");
    }
    try {
      compiled();
    } catch (IOException e) {
      return Optional.of("cannot compile the kernel reader: " + e.getMessage());
    }
    return Optional.empty();
  }

  /**
   * Every TCP socket of {@code pid} (listeners included).
   *
   * @param pid the process
   * @return the sockets in descriptor order
   * @throws IOException if the reader cannot be built or run, or cannot read the process
   */
  public static List<Socket> read(long pid) throws IOException {
    Process p = new ProcessBuilder(compiled().toString(), Long.toString(pid))
        .redirectErrorStream(false).start();
    String out;
    String err;
    try (InputStream o = p.getInputStream(); InputStream e = p.getErrorStream()) {
      out = new String(o.readAllBytes(), StandardCharsets.UTF_8);
      err = new String(e.readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("kernel-reader " + pid + " did not finish in 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException("kernel-reader " + pid + " exited " + p.exitValue() + ": " + err.strip());
    }
    List<Socket> sockets = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Map<String, String> f = new HashMap<>();
      for (String pair : line.split(" ")) {
        int eq = pair.indexOf('=');
        f.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
      sockets.add(new Socket(Integer.parseInt(f.get("fd")), Long.parseLong(f.get("ino")),
          Integer.parseInt(f.get("family")), Integer.parseInt(f.get("protocol")),
          Integer.parseInt(f.get("state")), f.get("local"), f.get("remote"),
          "1".equals(f.get("keepalive")), Integer.parseInt(f.get("idle")),
          Integer.parseInt(f.get("intvl")), Integer.parseInt(f.get("cnt")),
          Integer.parseInt(f.get("user_timeout"))));
    }
    return sockets;
  }

  /** The established connections of {@code pid} whose remote port is {@code port}. */
  public static List<Socket> connectionsTo(long pid, int port) throws IOException {
    List<Socket> found = new ArrayList<>();
    for (Socket s : read(pid)) {
      if (s.state() == Socket.ESTABLISHED && s.remotePort() == port) {
        found.add(s);
      }
    }
    return found;
  }

  private static synchronized Path compiled() throws IOException {
    if (binary == null) {
      binary = CProgram.compile(KernelReader.class, "kernel-reader.c");
    }
    return binary;
  }
}
