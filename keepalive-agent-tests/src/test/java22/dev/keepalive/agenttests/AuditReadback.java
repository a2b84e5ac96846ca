package dev.keepalive.agenttests;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.audit.KeepaliveAudit;
import dev.keepalive.audit.SocketKeepalive;
import java.io.IOException;
import java.util.List;

/**
 * keepalive-audit's reading of one socket of another process, in {@link
 * dev.keepalive.contract.KernelReader.Socket#keepaliveFields()}'s form, for {@link Readback} to
 * compare with the C reader's. Compiled (release 22) and used only on a Java 22+ build.
 */
public final class AuditReadback implements Readback.SecondReader {

  @Override
  public String keepaliveFields(long pid, int localPort, int remotePort) throws IOException {
    List<SocketKeepalive> found = KeepaliveAudit.process(pid).stream()
        .filter(s -> s.local().getPort() == localPort && s.isConnectionTo(remotePort))
        .toList();
    if (found.size() != 1) {
      throw new AssertionError("keepalive-audit: expected one socket " + localPort + " -> "
          + remotePort + " in pid " + pid + ", found " + found);
    }
    SocketKeepalive s = found.get(0);
    KeepalivePolicy p = s.policy();
    String base = p.enabled()
        ? p.idleSeconds() + "/" + p.intervalSeconds() + "/" + p.probes() : "off";
    long ut = s.userTimeout().toMillis();
    return ut > 0 ? base + ",ut=" + ut : base;
  }
}
