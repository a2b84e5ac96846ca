package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.contract.MiniJson;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link KeepaliveAudit#allProcesses()} and {@code --all}: every process with a TCP socket, named
 * as a person knows it, the unreadable ones named beside them and never a failure of the run, and
 * inside a container's PID namespace that namespace's processes with its pids.
 */
class AllProcessesTest {

  @Test
  void everyProcessWithATcpSocketIsListedByTheNameAPersonKnowsItBy() throws Exception {
    assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
        "Linux only");
    try (Child child = Child.start(0);
        CTarget pool = CTarget.start("sockets", "3");
        ServerSocketChannel mine = ServerSocketChannel.open()) {
      mine.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      List<ProcessKeepalive> all = KeepaliveAudit.allProcesses();
      ProcessKeepalive java = all.stream().filter(p -> p.pid() == child.pid()).findFirst()
          .orElseThrow(() -> new AssertionError(all.toString()));
      assertEquals("AuditTarget", java.name());
      assertTrue(java.failure().isEmpty());
      // The fixture: 7 connections (both ends), 3 listeners and the lonely one.
      assertEquals(18, java.sockets().size(), java.sockets().toString());
      ProcessKeepalive c = all.stream().filter(p -> p.pid() == pool.pid()).findFirst()
          .orElseThrow();
      assertEquals("target", c.name());
      assertEquals(7, c.sockets().size());
      // This JVM is an application like any other; the helper that did the work is left out.
      assertTrue(all.stream().anyMatch(p -> p.pid() == ProcessHandle.current().pid()));
      assertTrue(all.stream().noneMatch(p -> p.name().equals("AuditHelper")), all.toString());
      assertTrue(all.stream().allMatch(p -> p.failure().isPresent() || !p.sockets().isEmpty()));

      AuditCliTest.Run r = AuditCliTest.run("--all");
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().startsWith("keepalive audit of "), r.out());
      assertTrue(r.out().lines().anyMatch(l -> l.matches(child.pid() + " +AuditTarget .*")),
          r.out());
      assertTrue(r.out().lines().anyMatch(l -> l.matches(pool.pid() + " +target +127\\.0\\.0\\.1:"
          + pool.ready[0] + " +127\\.0\\.0\\.1:\\* +×3 +ESTABLISHED +off .*")), r.out());
      assertTrue(r.out().lines().anyMatch(l -> l.equals("! " + pool.pid() + " target"
          + " 127.0.0.1:* -> 127.0.0.1:" + pool.ready[0] + " ×3: keepalive off: a dead peer is"
          + " never detected")), r.out());
    }
  }

  @Test
  void processesThisUserMayNotReadAreNamedAsSkippedNeverAFailure() throws Exception {
    assumeTrue(HardeningTest.isRoot(), "drops to the user nobody with setpriv: needs root");
    Path setpriv = Path.of("/usr/bin/setpriv");
    assumeTrue(Files.isExecutable(setpriv), "needs setpriv (util-linux)");
    try (Child child = Child.start(0)) {
      Process p = new ProcessBuilder(PermissionTest.asNobody(setpriv, "--all", "--json"))
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), out + err);
      assertEquals("", err);
      @SuppressWarnings("unchecked")
      Map<String, Object> doc = (Map<String, Object>) MiniJson.parse(out);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> skipped = (List<Map<String, Object>>) doc.get("skipped");
      Map<String, Object> root = skipped.stream().filter(s -> s.get("pid").equals(child.pid()))
          .findFirst().orElseThrow(() -> new AssertionError(out));
      assertEquals("AuditTarget", root.get("name"));
      assertEquals("NO_PERMISSION", root.get("reason"));
      assertEquals(List.of(), doc.get("processes"));
    } finally {
      PermissionTest.cleanUp();
    }
  }

  @Test
  void insideAPidNamespaceItSeesThatNamespacesProcessesWithItsPids() throws Exception {
    assumeTrue(HardeningTest.isRoot(), "a PID namespace (unshare -p) needs root");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // sh is pid 1 of the new namespace, the target the next; once the target is ready the audit
    // runs, then everything else in the namespace is killed, so that sh's pipeline ends.
    Process p = new ProcessBuilder("unshare", "-p", "-f", "--mount-proc", "--", "sh", "-c",
        "\"$0\" sockets 2 | { read ready; \"$@\"; s=$?; kill -9 -1; exit $s; }",
        CTarget.binary().toString(),
        java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
        System.getProperty("java.class.path"), Audit.class.getName(), "--all", "--json").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assumeTrue(!err.contains("unshare failed"), () -> "no PID namespace here: " + err);
    assertEquals(0, p.exitValue(), out + err);
    @SuppressWarnings("unchecked")
    Map<String, Object> doc = (Map<String, Object>) MiniJson.parse(out);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> processes = (List<Map<String, Object>>) doc.get("processes");
    // Only the target: the host's processes are not in this namespace, sh has no socket, and
    // the command leaves itself out.
    assertEquals(1, processes.size(), out);
    assertEquals("target", processes.get(0).get("name"));
    assertTrue((Long) processes.get(0).get("pid") < 10, "a pid of the namespace: " + out);
    assertEquals(5, ((List<?>) processes.get(0).get("sockets")).size(), out);
  }
}
