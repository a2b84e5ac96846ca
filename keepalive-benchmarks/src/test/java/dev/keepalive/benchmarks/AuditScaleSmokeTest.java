package dev.keepalive.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** CI's smoke run of AuditScale (JDK 22+), so it never rots: 300 connections, 3 rounds. */
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
}
