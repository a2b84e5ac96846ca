package dev.keepalive.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The private network namespace a scenario child runs in (made by {@code unshare -n} around it):
 * only {@code lo}, and one nftables table that dies with the namespace when the child exits.
 *
 * <p>The peer is silenced in the output hook, so its packets never reach {@code lo} at all: a
 * capture then shows what a dead peer looks like on the wire (the probes, nothing back), as seed
 * 000's does. A reset is drawn in the input hook, as a host that lost the connection (rebooted)
 * answers anything for it.
 */
final class Namespace {

  static final String TABLE = "keepalive_proof";

  private Namespace() {}

  /**
   * Brings {@code lo} up and installs the (empty) table, after checking that this process is not
   * in {@code parentNamespace}: rules meant for a private namespace must never reach the host's.
   */
  static void enter(String parentNamespace) throws IOException, InterruptedException {
    String own = KernelEnvironment.networkNamespace();
    if (own.equals(parentNamespace)) {
      throw new IllegalStateException("not in a private network namespace (" + own
          + " is the parent's): run under unshare -n");
    }
    run(KernelEnvironment.tool("ip"), "link", "set", "lo", "up");
    run(KernelEnvironment.tool("nft"), "add table inet " + TABLE
        + "; add chain inet " + TABLE + " out { type filter hook output priority 0; }"
        + "; add chain inet " + TABLE + " in { type filter hook input priority 0; }");
  }

  /** Drops every packet the peer listening on {@code peerPort} sends: it is silent from now. */
  static void silence(int peerPort) throws IOException, InterruptedException {
    run(KernelEnvironment.tool("nft"), "add rule inet " + TABLE + " out tcp sport " + peerPort
        + " drop");
  }

  /** Answers every packet for {@code peerPort} with a TCP reset, as a rebooted peer would. */
  static void resetEverythingFor(int peerPort) throws IOException, InterruptedException {
    run(KernelEnvironment.tool("nft"), "add rule inet " + TABLE + " in tcp dport " + peerPort
        + " reject with tcp reset");
  }

  /** Runs a command, waiting at most 10 s; its output, or an exception if it failed. */
  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish within 10 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  /** {@code ss -tnoe state established} for sockets whose local port is {@code port}. */
  static List<String> established(int port) throws IOException, InterruptedException {
    String out = run(KernelEnvironment.tool("ss"), "-tnoe", "state", "established",
        "( sport = :" + port + " )");
    List<String> sockets = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank() && !line.startsWith("Recv-Q")) {
        sockets.add(line.trim());
      }
    }
    return sockets;
  }
}
