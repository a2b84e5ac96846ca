package dev.keepalive.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario child installs nftables rules that drop or reset traffic: it must only ever do so
 * inside the private namespace {@code unshare -n} made for it, never in the namespace it was
 * started from.
 */
class ScenarioMainGuardTest {

  @Test
  void refusesToTouchTheNetworkOutsideAPrivateNamespace(@TempDir Path dir) throws Exception {
    assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"),
        "network namespaces are Linux's");
    String ownNamespace = KernelEnvironment.networkNamespace();
    Path out = dir.resolve("out");
    Process p = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ScenarioMain.class.getName(),
        Scenario.SILENT_PEER.name(), Adapter.SOCKET.name(), Family.IPV4.name(), ownNamespace))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the child finished");
    String output = Files.readString(out, StandardCharsets.UTF_8);
    Map<String, String> result = ResultLine.parse(output).orElseThrow(
        () -> new AssertionError("no result line in:\n" + output));
    assertEquals("error", result.get("status"), output);
    assertTrue(result.get("error").contains("not in a private network namespace"), output);
    assertTrue(!output.contains("rule_installed_ms"), "no rule was installed:\n" + output);
  }
}
