package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keepalive.contract.KernelReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * This JVM's own connections as the kernel holds them, read by keepalive-jdk's independent
 * {@link KernelReader} (every field: on/off, idle, interval, probes, user timeout), so a client's
 * keepalive is proven where it counts, whatever the client did to its socket after our code ran.
 */
final class Kernel {

  private Kernel() {}

  /** Skips the calling test, with the reason, where the reader cannot run. */
  static void assumeReadable() {
    Optional<String> why = KernelReader.unavailable();
    Assumptions.assumeTrue(why.isEmpty(), () -> why.get());
  }

  /**
   * The keepalive fields of every established connection of this JVM to {@code port} on
   * 127.0.0.1, e.g. {@code [61/11/4]}, waiting up to 10 s for at least {@code atLeast} of them.
   */
  static List<String> connectionsTo(int port, int atLeast) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    List<String> fields;
    do {
      fields = KernelReader.connectionsTo(ProcessHandle.current().pid(), port).stream()
          .map(KernelReader.Socket::keepaliveFields).sorted().collect(Collectors.toList());
      if (fields.size() >= atLeast) {
        return fields;
      }
      Thread.sleep(50);
    } while (System.nanoTime() - deadline < 0);
    return fields;
  }

  /** The keepalive fields of the one connection of this JVM to {@code port}. */
  static String onlyConnectionTo(int port) throws IOException, InterruptedException {
    List<String> fields = connectionsTo(port, 1);
    assertEquals(1, fields.size(), "connections to " + port + ": " + fields);
    return fields.get(0);
  }

  /**
   * What a socket with keepalive switched on and nothing else set reads back as in this network
   * namespace: its {@code net.ipv4.tcp_keepalive_*} defaults, e.g. {@code 7200/75/9}.
   */
  static String namespaceDefaults() throws IOException {
    return sysctl("tcp_keepalive_time") + "/" + sysctl("tcp_keepalive_intvl") + "/"
        + sysctl("tcp_keepalive_probes");
  }

  private static String sysctl(String name) throws IOException {
    // Line by line: /proc reports a size of 0, and Files.readString trusts the size.
    return Files.readAllLines(Path.of("/proc/sys/net/ipv4", name)).get(0).strip();
  }
}
