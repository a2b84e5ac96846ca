package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

/**
 * The audit agrees with {@code ss -tnoie} on what both show: the keepalive timer (ss prints the
 * time to the next timer run, the first probe: idle − time since the last receive, so timeLeft −
 * probes × interval) and the time since the last receive (ss's lastrcv and lastack, from the same
 * tcp_info fields). A wrong tcp_info offset would read another field here.
 */
class SsAgreementTest {

  private static final Pattern TIMER = Pattern.compile(
      "timer:\\(keepalive,(?:(\\d+)min)?(?:(\\d+)(sec|\\.))?(?:(\\d+)ms)?,(\\d+)\\)");
  private static final Pattern LAST = Pattern.compile("lastrcv:(\\d+) lastack:(\\d+)");

  @Test
  void timerAndLastReceiveAgreeWithSs() throws Exception {
    Path ss = Path.of("/usr/bin/ss");
    assumeTrue(Files.isExecutable(ss) || Files.isExecutable(Path.of("/bin/ss")),
        "needs ss (Debian: iproute2)");
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
          SocketChannel peer = server.accept()) {
        assertTrue(peer.isConnected());
        client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        client.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 8);
        client.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 2);
        client.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
        int port = ((InetSocketAddress) client.getLocalAddress()).getPort();
        Thread.sleep(1500); // idle: the times since the last receive are ~1.5 s, not ~0
        SocketKeepalive audited = KeepaliveAudit.thisProcess().stream()
            .filter(s -> s.local().getPort() == port).findFirst().orElseThrow();
        String line = ss(port);
        Matcher t = TIMER.matcher(line);
        assertTrue(t.find(), line);
        long ssTimer = (parse(t.group(1)) * 60 + parse(t.group(2))) * 1000 + parse(t.group(4));
        assertEquals("0", t.group(5), line);
        Matcher l = LAST.matcher(line);
        assertTrue(l.find(), line);
        long ssSince = Math.min(Long.parseLong(l.group(1)), Long.parseLong(l.group(2)));

        long since = audited.sinceLastReceived().toMillis();
        long nextRun = audited.timeLeft().orElseThrow().toMillis() - 3 * 2000;
        String what = audited + "\nss: " + line;
        assertTrue(since >= 1400 && since < 5000, what);
        // ss ran after the audit: its clock is a little later, never earlier.
        assertTrue(ssSince >= since && ssSince - since < 1000, what);
        assertTrue(ssTimer <= nextRun + 20 && nextRun - ssTimer < 1000, what);
      }
    }
  }

  private static long parse(String digits) {
    return digits == null ? 0 : Long.parseLong(digits);
  }

  private static String ss(int port) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of("ss", "-tnoie", "state", "established",
        "( sport = :" + port + " )")).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out.replace('\n', ' ');
  }
}
