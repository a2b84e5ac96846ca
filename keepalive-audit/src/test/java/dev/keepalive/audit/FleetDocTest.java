package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * docs/fleet.md's Prometheus blocks are real: each scrape configuration passes {@code promtool
 * check config}, the alert rules {@code promtool check rules}, and each panel query (made a
 * recording rule) promtool's parser, with the metric names the exporter serves.
 */
class FleetDocTest {

  private static final Pattern BLOCK = Pattern.compile("```(yaml|promql)\n(.*?)```", Pattern.DOTALL);

  @TestFactory
  List<DynamicTest> everyPrometheusBlockOfTheFleetDocPassesPromtool() throws IOException {
    Path doc = Path.of("").toAbsolutePath().getParent().resolve("docs/fleet.md");
    String text = Files.readString(doc);
    List<DynamicTest> tests = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    int n = 0;
    while (m.find()) {
      String kind = m.group(1);
      String block = m.group(2);
      int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
      String name = "docs/fleet.md:" + line;
      n++;
      if (kind.equals("promql")) {
        tests.add(DynamicTest.dynamicTest(name + " query", () -> check("rules",
            "groups:\n  - name: panel\n    rules:\n      - record: keepalive:panel\n"
                + "        expr: '" + block.strip().replace("'", "''") + "'\n")));
      } else if (block.startsWith("groups:")) {
        tests.add(DynamicTest.dynamicTest(name + " rules", () -> check("rules", block)));
      } else if (block.startsWith("scrape_configs:")) {
        tests.add(DynamicTest.dynamicTest(name + " scrape config", () -> check("config", block)));
      }
    }
    assertEquals(7, n, "the blocks of docs/fleet.md changed: check this test still covers them");
    return tests;
  }

  private static void check(String what, String yaml) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/promtool")),
        "needs promtool (Debian package prometheus)");
    for (String metric : List.of("keepalive_connections", "keepalive_detection_deadline_seconds",
        "keepalive_probes_unanswered")) {
      if (yaml.contains(metric.substring(0, 12)) && !yaml.contains(metric)) {
        throw new AssertionError("a metric name the exporter does not serve in:\n" + yaml);
      }
    }
    Path file = Files.createTempFile("fleet-doc", ".yml");
    try {
      Files.writeString(file, yaml);
      Process p = new ProcessBuilder("promtool", "check", what, file.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      assumeFalse(out.contains("field kubernetes_sd_configs not found"), "this promtool is"
          + " built without Kubernetes service discovery (Debian's): " + out.strip());
      assertEquals(0, p.exitValue(), yaml + "\n" + out);
      assertTrue(out.contains("SUCCESS"), out);
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
