package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On a runtime without {@code jdk.net} (a jlink'd image; here a child JVM with {@code
 * --limit-modules java.base}) the library must say so, never do nothing silently (Elasticsearch's
 * keepalive settings did exactly that, elastic/elasticsearch#88897) and never die of
 * NoClassDefFoundError.
 */
@Timeout(60)
class WithoutJdkNetTest {
  private static Map<String, String> seen;
  private static String output;

  @BeforeAll
  static void runChildJvm() throws IOException, InterruptedException {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(List.of(java.toString(), "--limit-modules", "java.base",
        "-cp", System.getProperty("java.class.path"), WithoutJdkNetMain.class.getName()))
        .redirectErrorStream(true).start();
    byte[] bytes;
    try (InputStream in = p.getInputStream()) {
      bytes = in.readAllBytes();
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child JVM finished");
    output = new String(bytes, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), output);
    seen = new LinkedHashMap<>();
    for (String line : output.split("\\R")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        seen.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    assertTrue(output.contains("end"), output);
  }

  @Test
  void runtimeReportsJdkNetMissing() {
    assertEquals("false", seen.get("jdkNet"), output);
    assertEquals("Optional.empty", seen.get("tcpOption"), output);
  }

  @Test
  void strictApplyNamesTcpKeepidleAndTheRuntimeLeavingKeepaliveOff() {
    assertEquals("TCP_KEEPIDLE", seen.get("strict.option"), output);
    assertTrue(seen.get("strict.platform").contains("without jdk.net"), output);
    assertTrue(seen.get("strict.message").contains("jdk.net"), output);
    assertEquals("false", seen.get("afterStrict.keepalive"), output);
    assertEquals("TCP_KEEPIDLE", seen.get("channel.strict.option").split(" ")[0], output);
  }

  @Test
  void lenientApplyReportsTheTuningOptionsNotSupportedAndSwitchesKeepaliveOn() {
    assertEquals("NOT_SUPPORTED", seen.get("lenient.TCP_KEEPIDLE"), output);
    assertEquals("NOT_SUPPORTED", seen.get("lenient.TCP_KEEPINTERVAL"), output);
    assertEquals("NOT_SUPPORTED", seen.get("lenient.TCP_KEEPCOUNT"), output);
    assertEquals("APPLIED", seen.get("lenient.SO_KEEPALIVE"), output);
    assertEquals("true", seen.get("afterLenient.keepalive"), output);
  }

  @Test
  void inspectOfAnEnabledSocketIsRefusedAndDisablingStillWorks() {
    assertEquals("TCP_KEEPIDLE", seen.get("inspect.option"), output);
    assertEquals("false", seen.get("disabled.keepalive"), output);
    assertEquals("off", seen.get("inspectDisabled"), output);
  }
}
