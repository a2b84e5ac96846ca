package dev.keepalive.agentit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keepalive.contract.KernelReader;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/** Reads a child's connections back from the kernel, every field, with the independent reader. */
final class Kernel {

  private Kernel() {}

  /** Skips the test, with the reason, where the kernel reader cannot run. */
  static void assumeReadable() {
    KernelReader.unavailable().ifPresent(reason -> Assumptions.abort(reason));
  }

  /** The keepalive fields of the child's one established socket with local port {@code port}. */
  static String local(Child child, int port) throws IOException {
    return only(child, port, true);
  }

  /** The keepalive fields of the child's one established socket with remote port {@code port}. */
  static String remote(Child child, int port) throws IOException {
    return only(child, port, false);
  }

  private static String only(Child child, int port, boolean local) throws IOException {
    List<KernelReader.Socket> found = KernelReader.read(child.pid()).stream()
        .filter(s -> s.state() == KernelReader.Socket.ESTABLISHED)
        .filter(s -> (local ? s.localPort() : s.remotePort()) == port)
        .collect(Collectors.toList());
    assertEquals(1, found.size(), () -> "sockets of " + child.pid() + " with "
        + (local ? "local" : "remote") + " port " + port + ": " + found + child.diagnostics());
    return found.get(0).keepaliveFields();
  }
}
