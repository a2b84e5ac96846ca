package dev.keepalive.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * CI's smoke run of AuditScale and AuditScaleFleet (JDK 22+), so they never rot: a few hundred
 * connections, a few rounds.
 */
class AuditScaleSmokeTest {

  @Test
  void auditsEveryConnectionAndSsListsThem() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/ss")) || Files.isExecutable(Path.of("/bin/ss")),
        "needs ss (Debian: iproute2)");
    AuditScale.Result r = AuditScale.run(300, 3);
    assertTrue(r.everyConnectionCarriedThePolicy(), r.table());
    assertEquals(300, r.ssLines() / 2, r.table()); // ss prints two lines a socket with -i
    assertTrue(r.auditMedianMillis() > 0 && r.ssMedianMillis() > 0, r.table());
    assertTrue(r.bytesPerConnection() < 1000, r.table());
  }

  @Test
  void theFleetComparisonsRunAndApplyToEveryConnection() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/ss")) || Files.isExecutable(Path.of("/bin/ss")),
        "needs ss (Debian: iproute2)");
    String all = AuditScaleFleet.all(2, 2, 200);
    assertTrue(all.contains("| ratio `--all` / ss"), all);
    String apply = AuditScaleFleet.apply(2, 200);
    assertTrue(apply.contains("Every round applied and read back 200 of 200 connections."), apply);
  }
}
