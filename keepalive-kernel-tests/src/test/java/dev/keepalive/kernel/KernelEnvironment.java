package dev.keepalive.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the proof needs from the machine: Linux, root (network namespaces, nftables, packet
 * capture) and the tools unshare (util-linux), nft (nftables), tcpdump, ip and ss (iproute2) and
 * timeout (coreutils). CI installs the Debian packages nftables, tcpdump and iproute2.
 */
final class KernelEnvironment {

  static final List<String> TOOLS = List.of("unshare", "nft", "tcpdump", "ip", "ss", "timeout");

  private KernelEnvironment() {}

  /** Why the proof cannot run here, or empty if it can. */
  static Optional<String> unavailability() {
    String os = System.getProperty("os.name", "");
    if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
      return Optional.of("needs Linux (network namespaces, nftables), this is " + os);
    }
    if (!isRoot()) {
      return Optional.of("needs root for network namespaces, nftables and tcpdump");
    }
    List<String> missing = new ArrayList<>();
    for (String tool : TOOLS) {
      if (find(tool).isEmpty()) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty()) {
      return Optional.of("missing " + String.join(", ", missing)
          + " (Debian: apt-get install nftables tcpdump iproute2)");
    }
    try {
      Process p = new ProcessBuilder(tool("unshare"), "-n", "--", tool("ip"), "link", "set", "lo",
          "up").redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.of("unshare -n did not finish within 10 s");
      }
      if (p.exitValue() != 0) {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return Optional.of("cannot make a network namespace (unshare -n): " + out);
      }
    } catch (IOException e) {
      return Optional.of("cannot run unshare: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while checking unshare");
    }
    return Optional.empty();
  }

  /** The absolute path of {@code name}, from PATH or the sbin directories PATH may lack. */
  static String tool(String name) {
    return find(name).orElseThrow(() -> new IllegalStateException(name + " not found")).toString();
  }

  /** This process's network namespace, e.g. {@code net:[4026531840]}. */
  static String networkNamespace() throws IOException {
    return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
  }

  private static Optional<Path> find(String name) {
    Set<String> dirs = new LinkedHashSet<>();
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty()) {
        dirs.add(dir);
      }
    }
    dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin",
        "/bin"));
    for (String dir : dirs) {
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          // Real, effective, saved, filesystem: the effective uid decides.
          return line.split("\\s+")[2].equals("0");
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }
}
