package dev.keepalive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the kernel does for a socket that switches SO_KEEPALIVE on and sets nothing else. On Linux
 * these are per network namespace: a container starts with 7200/75/9 in its own namespace whatever
 * the host's sysctls say, which is why only per-socket options are reliable.
 *
 * <ul>
 *   <li>Linux: read from this process's network namespace, {@code
 *       /proc/sys/net/ipv4/tcp_keepalive_{time,intvl,probes}};
 *   <li>macOS: {@code sysctl net.inet.tcp.keepidle}, {@code keepintvl} (milliseconds, rounded up to
 *       whole seconds) and {@code keepcnt};
 *   <li>Windows: the documented values 2 h / 1 s / 10 (not read from the system);
 *   <li>elsewhere: unknown, said plainly.
 * </ul>
 */
public final class KernelDefaults {

  /** Where Linux keeps this network namespace's keepalive sysctls. */
  public static final Path LINUX_PROC_DIR = Paths.get("/proc/sys/net/ipv4");

  private final Platform platform;
  private final KeepalivePolicy policy;
  private final String source;

  private KernelDefaults(Platform platform, KeepalivePolicy policy, String source) {
    this.platform = platform;
    this.policy = policy;
    this.source = source;
  }

  /**
   * The defaults of the platform this JVM runs on, read afresh.
   *
   * @return the defaults, possibly unknown
   * @throws IllegalStateException if the platform's source cannot be read or holds something that
   *     is not a keepalive value, naming the source and what it held
   */
  public static KernelDefaults current() {
    switch (Platform.current()) {
      case LINUX:
        return linux(LINUX_PROC_DIR);
      case MACOS:
        return macOs();
      case WINDOWS:
        return new KernelDefaults(Platform.WINDOWS, KeepalivePolicy.ofSeconds(7200, 1, 10),
            "documented Windows defaults (KeepAliveTime 2 h, KeepAliveInterval 1 s, 10 probes);"
                + " not read from this system");
      default:
        return new KernelDefaults(Platform.OTHER, null,
            "unknown: the library cannot read keepalive defaults on " + System.getProperty("os.name"));
    }
  }

  /**
   * Linux defaults read from a directory laid out like {@code /proc/sys/net/ipv4}.
   *
   * @param dir the directory holding {@code tcp_keepalive_time}, {@code _intvl} and {@code _probes}
   * @return the defaults found there
   * @throws NullPointerException if {@code dir} is null
   * @throws IllegalStateException if a file cannot be read or does not hold a valid value, naming
   *     the file and its content
   */
  public static KernelDefaults linux(Path dir) {
    Checks.requireNonNull(dir, "dir");
    long time = readNumber(dir.resolve("tcp_keepalive_time"));
    long intvl = readNumber(dir.resolve("tcp_keepalive_intvl"));
    long probes = readNumber(dir.resolve("tcp_keepalive_probes"));
    String source = dir.toAbsolutePath() + "/tcp_keepalive_{time,intvl,probes}"
        + (dir.equals(LINUX_PROC_DIR) ? " (this network namespace)" : "");
    return new KernelDefaults(Platform.LINUX, policyOf(time, intvl, probes, source), source);
  }

  private static KernelDefaults macOs() {
    String source = "sysctl net.inet.tcp.keepidle net.inet.tcp.keepintvl net.inet.tcp.keepcnt";
    String[] values = run("sysctl", "-n", "net.inet.tcp.keepidle", "net.inet.tcp.keepintvl",
        "net.inet.tcp.keepcnt").trim().split("\\s+");
    if (values.length != 3) {
      throw new IllegalStateException("expected three numbers from " + source + ", got "
          + String.join(" ", values));
    }
    long idleMillis = number(values[0], source);
    long intervalMillis = number(values[1], source);
    long probes = number(values[2], source);
    return new KernelDefaults(Platform.MACOS, policyOf((idleMillis + 999) / 1000,
        (intervalMillis + 999) / 1000, probes, source), source);
  }

  private static KeepalivePolicy policyOf(long idle, long interval, long probes, String source) {
    try {
      if (probes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("probes must be at most " + Integer.MAX_VALUE
            + ", was " + probes);
      }
      return KeepalivePolicy.ofSeconds(idle, interval, (int) probes);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("kernel defaults from " + source + " are not a valid policy: "
          + e.getMessage(), e);
    }
  }

  private static long readNumber(Path file) {
    String content;
    // One read with a buffer larger than any value: a sysctl file reports size 0, so
    // Files.readAllBytes/readString read one byte first, and the kernel answers a read at a
    // non-zero offset of a sysctl int with EOF (__do_proc_dointvec): "7200" came back as "7".
    try (InputStream in = Files.newInputStream(file)) {
      content = new String(in.readNBytes(64), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read kernel keepalive default " + file + ": " + e, e);
    }
    return number(content.trim(), file.toString());
  }

  private static long number(String text, String source) {
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "expected a whole non-negative number in %s, found \"%s\"", source,
          text.length() > 40 ? text.substring(0, 40) + "…" : text));
    }
    return Long.parseLong(text);
  }

  private static String run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " failed: "
            + new String(out, StandardCharsets.UTF_8).trim());
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    }
  }

  /**
   * The platform these defaults belong to.
   *
   * @return the platform
   */
  public Platform platform() {
    return platform;
  }

  /**
   * Whether the defaults are known.
   *
   * @return false on a platform the library cannot read
   */
  public boolean known() {
    return policy != null;
  }

  /**
   * The defaults as a policy: what SO_KEEPALIVE alone gives a socket.
   *
   * @return the policy, or empty when unknown
   */
  public Optional<KeepalivePolicy> policy() {
    return Optional.ofNullable(policy);
  }

  /**
   * Where the values come from, or why they are unknown.
   *
   * @return e.g. {@code "/proc/sys/net/ipv4/tcp_keepalive_{time,intvl,probes} (this network namespace)"}
   */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return platform.displayName() + " kernel defaults: "
        + (policy == null ? "unknown" : policy + " (deadline " + policy.detectionDeadline().getSeconds()
            + "s)") + " from " + source;
  }
}
