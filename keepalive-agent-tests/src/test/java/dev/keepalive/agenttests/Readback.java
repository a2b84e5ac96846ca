package dev.keepalive.agenttests;

import dev.keepalive.contract.KernelReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A child's connections read back from the kernel, every field: with {@link KernelReader} (an
 * independent C reader, on any build JDK) and, where the build runs on Java 22+, with
 * keepalive-audit as well ({@code AuditReadback}, compiled only there), which must agree.
 */
final class Readback {

  /**
   * Reads the keepalive of one socket of another process, in the form of {@link
   * KernelReader.Socket#keepaliveFields()}.
   */
  interface SecondReader {
    String keepaliveFields(long pid, int localPort, int remotePort) throws IOException;
  }

  private static final Optional<SecondReader> AUDIT = audit();

  private Readback() {}

  /** Why the kernel cannot be read here, or empty: for a JUnit assumption. */
  static Optional<String> unavailable() {
    return KernelReader.unavailable();
  }

  /**
   * Every field as the kernel has it: {@code on 61/11/4 ut=0}, {@code off 7200/75/9 ut=0} (an
   * idle, interval and count are held even while SO_KEEPALIVE is off).
   */
  static String fields(KernelReader.Socket s) {
    return (s.keepalive() ? "on " : "off ") + s.idle() + "/" + s.interval() + "/" + s.count()
        + " ut=" + s.userTimeoutMillis();
  }

  /** The one established connection of {@code pid} to {@code port}, every field. */
  static String connectionTo(long pid, int port) {
    return one(pid, s -> s.remotePort() == port, "a connection to port " + port);
  }

  /** The one established connection of {@code pid} accepted on its local {@code port}. */
  static String acceptedOn(long pid, int port) {
    return one(pid, s -> s.localPort() == port && s.remotePort() != -1,
        "a connection accepted on port " + port);
  }

  /** The local port of the one established connection of {@code pid} to {@code port}. */
  static int localPortOfConnectionTo(long pid, int port, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<KernelReader.Socket> found = matching(pid, s -> s.remotePort() == port);
      if (found.size() == 1) {
        return found.get(0).localPort();
      }
      if (found.size() > 1 || System.nanoTime() - deadline > 0) {
        throw new AssertionError("expected one connection of pid " + pid + " to port " + port
            + ", found " + found);
      }
      Thread.sleep(50);
    }
  }

  private static String one(long pid, Predicate<KernelReader.Socket> which, String what) {
    List<KernelReader.Socket> found = matching(pid, which);
    if (found.size() != 1) {
      throw new AssertionError("expected " + what + " in pid " + pid + ", found " + found);
    }
    KernelReader.Socket s = found.get(0);
    String fields = fields(s);
    if (AUDIT.isPresent()) {
      String audited;
      try {
        audited = AUDIT.get().keepaliveFields(pid, s.localPort(), s.remotePort());
      } catch (IOException e) {
        throw new UncheckedIOException("keepalive-audit could not read pid " + pid, e);
      }
      if (!audited.equals(s.keepaliveFields())) {
        throw new AssertionError("the kernel reader and keepalive-audit disagree on " + s
            + ": " + s.keepaliveFields() + " vs " + audited);
      }
    }
    return fields;
  }

  private static List<KernelReader.Socket> matching(long pid,
      Predicate<KernelReader.Socket> which) {
    try {
      return KernelReader.read(pid).stream()
          .filter(s -> s.state() == KernelReader.Socket.ESTABLISHED).filter(which)
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the sockets of pid " + pid, e);
    }
  }

  /** keepalive-audit on a Java 22+ build (where it must be there), none before. */
  private static Optional<SecondReader> audit() {
    Class<?> type;
    try {
      type = Class.forName("dev.keepalive.agenttests.AuditReadback");
    } catch (ClassNotFoundException | UnsupportedClassVersionError e) {
      // The second: a JDK 17 build over the test classes a JDK 25 build left (no clean between).
      if (Runtime.version().feature() >= 22) {
        throw new IllegalStateException("a Java 22+ build compiles AuditReadback (the jdk22-audit"
            + " profile): it is missing", e);
      }
      return Optional.empty();
    }
    try {
      return Optional.of((SecondReader) type.getDeclaredConstructor().newInstance());
    } catch (InstantiationException | IllegalAccessException | NoSuchMethodException
        | InvocationTargetException e) {
      throw new IllegalStateException("cannot make an AuditReadback", e);
    }
  }
}
