package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.KeepalivePolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A process this one may not trace is a clear NO_PERMISSION error, never an empty list. As root the
 * test drops to the user nobody (setpriv) and audits a child of root's; as another user it audits
 * PID 1, which is root's.
 */
class PermissionTest {

  @Test
  void aProcessOfAnotherUserIsRefusedWithWhatToDo() throws Exception {
    assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
        "Linux only");
    if (!isRoot()) {
      assumeTrue(!Files.getOwner(Path.of("/proc/1")).getName().equals(System.getProperty(
          "user.name")), "PID 1 is this user's: no process of another user to try");
      AuditException e = assertThrows(AuditException.class, () -> KeepaliveAudit.process(1));
      assertEquals(AuditException.Reason.NO_PERMISSION, e.getMessage(), e.reason().name());
      return;
    }
    Path setpriv = Path.of("/usr/bin/setpriv");
    assumeTrue(Files.isExecutable(setpriv), "needs setpriv (util-linux) to drop to nobody");
    try (Child child = Child.start(0)) {
      Process p = new ProcessBuilder(asNobody(setpriv, "--pid", Long.toString(child.pid())))
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      assertEquals(2, p.exitValue(), out + err);
      assertEquals("", out);
      assertEquals(1, err.lines().count(), err);
      assertTrue(err.startsWith("keepalive-audit: not allowed to read the sockets of process "
          + child.pid() + ": "), err);
      assertTrue(err.contains("run as root, or as the same user with"
          + " kernel.yama.ptrace_scope = 0"), err);
    } finally {
      cleanUp();
    }
  }

  private static Path dir;

  /**
   * The command line that runs the command as the user nobody (root drops to it with setpriv),
   * from a world-readable copy of keepalive-api's and keepalive-audit's classes.
   */
  static synchronized List<String> asNobody(Path setpriv, String... args) throws Exception {
    if (dir == null) {
      dir = Files.createTempDirectory("audit-nobody",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      copy(KeepalivePolicy.class, dir.resolve("api"));
      copy(Audit.class, dir.resolve("audit"));
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new java.util.ArrayList<>(List.of(setpriv.toString(), "--reuid=65534",
        "--regid=65534", "--clear-groups", "--", java.toString(), "-XX:-UsePerfData",
        "-Xshare:off", "--enable-native-access=ALL-UNNAMED", "-cp",
        dir.resolve("api") + ":" + dir.resolve("audit"), Audit.class.getName()));
    command.addAll(List.of(args));
    return command;
  }

  static synchronized void cleanUp() throws IOException {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
    dir = null;
  }

  /** A world-readable copy of the classes directory {@code type} was loaded from. */
  private static Path copy(Class<?> type, Path to) throws Exception {
    Path from = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
          Files.copy(f, target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    }
    return to;
  }

  private static boolean isRoot() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        return line.split("\\s+")[2].equals("0");
      }
    }
    return false;
  }
}
