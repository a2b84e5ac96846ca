package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit under adversity (issue 16, items 1 to 4): descriptors reused between the listing and
 * the read, a POSIX lock of the auditing JVM, a target that dies or is a zombie, a raw socket. Each
 * failed on the code before the fix. Targets are C programs ({@link CTarget}), so what they do
 * between two system calls of the audit is exactly what the test says.
 */
class HardeningTest {

  private static final int FIRST = 100;
  private static final int COUNT = 10;
  private static MethodHandle dup2;
  private static MethodHandle close;

  @BeforeAll
  static void linux() {
    assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
        "the audit reads /proc and calls pidfd_getfd: Linux only");
    assumeTrue(CTarget.unavailable().isEmpty(), () -> CTarget.unavailable().orElseThrow());
    Linker linker = Linker.nativeLinker();
    dup2 = linker.downcallHandle(linker.defaultLookup().find("dup2").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
  }

  @AfterAll
  static void closeFlipped() throws Throwable {
    if (close != null) {
      for (int fd = FIRST; fd < FIRST + COUNT; fd++) {
        int ignored = (int) close.invokeExact(fd);
      }
    }
  }

  /** The inode a descriptor of process {@code pid} names, from its /proc link; -1 if none. */
  static long inode(long pid, int fd) {
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
      return link.startsWith("socket:[") ? Long.parseLong(link.substring(8, link.length() - 1))
          : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  @Test
  void thisProcessReadsDescriptorsFlippingBetweenSocketsAndAFileInPlaceWithoutAFailure()
      throws Throwable {
    Path file = Files.createTempFile("audit-flip", ".txt");
    try (ServerSocketChannel server = ServerSocketChannel.open();
        FileChannel f = FileChannel.open(file, StandardOpenOption.READ)) {
      server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      try (SocketChannel s = SocketChannel.open(server.getLocalAddress());
          SocketChannel sPeer = server.accept();
          SocketChannel d = SocketChannel.open(server.getLocalAddress());
          SocketChannel dPeer = server.accept()) {
        int sPort = ((InetSocketAddress) s.getLocalAddress()).getPort();
        int dPort = ((InetSocketAddress) d.getLocalAddress()).getPort();
        List<SocketKeepalive> mine = KeepaliveAudit.thisProcess();
        int sFd = only(mine, sPort).fd();
        int dFd = only(mine, dPort).fd();
        assertTrue(f.isOpen());
        int fileFd = fileDescriptor(file);
        long sInode = inode(ProcessHandle.current().pid(), sFd);
        long dInode = inode(ProcessHandle.current().pid(), dFd);
        AtomicBoolean stop = new AtomicBoolean();
        Thread flipper = new Thread(() -> {
          try {
            for (long k = 0; !stop.get(); k++) {
              for (int i = 0; i < COUNT; i++) {
                int which = (int) ((k + i) % 3);
                int ignored = (int) dup2.invokeExact(which == 0 ? sFd : which == 1 ? fileFd : dFd,
                    FIRST + i);
              }
            }
          } catch (Throwable t) {
            throw new AssertionError(t);
          }
        });
        flipper.start();
        int seen = 0;
        try {
          for (int i = 0; i < 2000; i++) {
            for (SocketKeepalive sk : KeepaliveAudit.thisProcess()) {
              if (sk.fd() >= FIRST && sk.fd() < FIRST + COUNT) {
                // Only S or D: never the file. Read in place, a socket moved away and back
                // between two reads (S, D, S) is not told from one that stayed: values of both
                // may mix, which the Javadoc says (the audit of another process reads a
                // duplicate and has no such limit: the next test).
                int port = sk.local().getPort();
                assertTrue(port == sPort || port == dPort, sk.toString());
                assertTrue(sk.inode() == sInode || sk.inode() == dInode, sk.toString());
                seen++;
              }
            }
          }
        } finally {
          stop.set(true);
          flipper.join(10_000);
        }
        assertTrue(seen > 0, "the flipping descriptors were never seen as sockets");
        assertTrue(sPeer.isConnected() && dPeer.isConnected());
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** This JVM's descriptor of {@code file}, opened just before by a FileChannel. */
  private static int fileDescriptor(Path file) throws IOException {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          if (Files.readSymbolicLink(fd).equals(file.toRealPath())) {
            return Integer.parseInt(fd.getFileName().toString());
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    throw new AssertionError("no descriptor of " + file);
  }

  private static SocketKeepalive only(List<SocketKeepalive> sockets, int localPort) {
    List<SocketKeepalive> found = sockets.stream().filter(s -> s.local().getPort() == localPort)
        .toList();
    assertEquals(1, found.size(), found.toString());
    return found.get(0);
  }

  @Test
  void anAuditorsLockOnAFileTheTargetFlipsSurvives2000AuditsAndNoOtherDescriptorIsRead()
      throws Exception {
    Path file = Files.createTempFile("audit-lock", ".txt");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
        FileLock lock = channel.lock();
        CTarget target = CTarget.start("flip", Integer.toString(FIRST), Integer.toString(COUNT),
            file.toString())) {
      // Control: another process sees the lock, and can take it once it is released (below).
      assertEquals(1, CTarget.tryLock(file), "the lock is not visible to another process");
      int sPort = (int) target.ready[1];
      int dPort = (int) target.ready[3];
      long sInode = inode(target.pid(), (int) target.ready[0]);
      long dInode = inode(target.pid(), (int) target.ready[2]);
      int seen = 0;
      for (int i = 0; i < 2000; i++) {
        for (SocketKeepalive s : KeepaliveAudit.process(target.pid())) {
          if (s.fd() >= FIRST && s.fd() < FIRST + COUNT) {
            int port = s.local().getPort();
            assertTrue(port == sPort || port == dPort, s.toString());
            assertEquals(port == sPort ? sInode : dInode, s.inode(), s.toString());
            seen++;
          }
        }
      }
      assertTrue(seen > 0, "the flipping descriptors were never seen as sockets");
      assertTrue(lock.isValid());
      assertEquals(1, CTarget.tryLock(file), "after 2000 audits another process could take the"
          + " lock this JVM holds: a duplicate of the file was closed in this JVM");
      lock.release();
      assertEquals(0, CTarget.tryLock(file), "control: the released lock can be taken");
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void aTargetKilledDuringTheAuditIsNoSuchProcessNeverAPartialList() throws Exception {
    // 6 001 connections with both ends in the target: 12 002 sockets and the listener.
    int expected = 2 * 6001 + 1;
    Random random = new Random(16);
    ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
    int gone = 0;
    int whole = 0;
    try {
      for (int trial = 0; trial < 15; trial++) {
        try (CTarget target = CTarget.start("sockets", "6001")) {
          if (trial == 0) {
            assertEquals(expected, KeepaliveAudit.process(target.pid()).size(),
                "control: the whole list of a live target");
          }
          long delay = random.nextInt(61);
          killer.schedule(() -> target.process.destroyForcibly(), delay, TimeUnit.MILLISECONDS);
          try {
            List<SocketKeepalive> sockets = KeepaliveAudit.process(target.pid());
            assertEquals(expected, sockets.size(), "killed " + delay + " ms into the audit, it"
                + " returned a partial list");
            whole++;
          } catch (AuditException e) {
            assertEquals(AuditException.Reason.NO_SUCH_PROCESS, e.reason(), e.getMessage());
            assertTrue(e.getMessage().startsWith("no process " + target.pid()), e.getMessage());
            gone++;
          }
          assertTrue(target.process.waitFor(10, TimeUnit.SECONDS));
        }
      }
    } finally {
      killer.shutdownNow();
    }
    assertTrue(gone > 0, "no trial killed the target during the audit (" + whole + " whole)");
  }

  @Test
  void aZombieIsNoSuchProcessNeverALiveProcessWithoutSockets() throws Exception {
    try (CTarget parent = CTarget.start("zombie")) {
      long zombie = parent.ready[0];
      String state = "";
      for (int i = 0; i < 100 && !state.equals("Z"); i++) {
        state = String.valueOf((char) ProcStat.read((int) zombie)[0]);
        Thread.sleep(20);
      }
      assertEquals("Z", state, "control: the child is a zombie");
      AuditException e = assertThrows(AuditException.class, () -> KeepaliveAudit.process(zombie));
      assertEquals(AuditException.Reason.NO_SUCH_PROCESS, e.reason());
      assertEquals("no process " + zombie + " (it has exited, and its parent has not reaped it"
          + " yet: a zombie)", e.getMessage());
      AuditCliTest.Run r = AuditCliTest.run("--pid", Long.toString(zombie), "--expect",
          "idle=60s,interval=10s,probes=3");
      assertEquals(2, r.exit(), r.out());
      assertTrue(r.err().startsWith("keepalive-audit: no process " + zombie), r.err());
    }
  }

  @Test
  void aRawTcpSocketInTheTargetNeverFailsTheAudit() throws Exception {
    assumeTrue(isRoot(), "a raw socket needs CAP_NET_RAW (root)");
    try (CTarget target = CTarget.start("raw")) {
      List<SocketKeepalive> sockets = KeepaliveAudit.process(target.pid());
      int client = (int) target.ready[0];
      assertEquals(1, sockets.stream().filter(s -> s.local().getPort() == client).count(),
          sockets.toString());
      // The listener and both ends of the connection; the two raw sockets are left out.
      assertEquals(3, sockets.size(), sockets.toString());
    }
  }

  @Test
  void everyErrnoIsNamed() {
    assertEquals("EOPNOTSUPP (95)", Linux.errnoName(95));
    assertEquals("ENOPROTOOPT (92)", Linux.errnoName(92));
    assertEquals("ENOTSOCK (88)", Linux.errnoName(88));
    assertEquals("EPERM (1)", Linux.errnoName(1));
    assertEquals("ENOTCONN (107)", Linux.errnoName(107));
    assertEquals("ETIMEDOUT (110)", Linux.errnoName(110));
    assertEquals("EHWPOISON (133)", Linux.errnoName(133));
    assertEquals("errno (999)", Linux.errnoName(999));
  }

  static boolean isRoot() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        return line.split("\\s+")[2].equals("0");
      }
    }
    return false;
  }
}
