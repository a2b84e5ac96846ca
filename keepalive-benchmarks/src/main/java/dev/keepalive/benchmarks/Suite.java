package dev.keepalive.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark, pairs each {@code <case>Raw} with its {@code <case>Library}, and prints the
 * table of ns/op, ratio and B/op (JMH's {@code -prof gc}), then the 10 000-connection accept scale
 * and 10 000 heartbeating channels.
 *
 * <pre>
 * java -jar keepalive-benchmarks/target/benchmarks.jar [--smoke] [--quiet] [--no-scale] [--no-heartbeat]
 *     [--connections N] [--include REGEX] [--out FILE]
 * </pre>
 *
 * {@code --smoke} runs each benchmark for one short iteration in-process and the scale checks with 300
 * connections: it proves the suite still runs (CI), not how fast anything is. {@code --quiet} keeps
 * JMH's own report (and its warning about in-process runs) out of the output, and in the exception
 * when a benchmark fails.
 */
public final class Suite {

  private Suite() {}

  /** One benchmark's score: time per operation and bytes allocated per operation. */
  record Score(String key, double nsPerOp, double nsError, double bytesPerOp) {}

  /** The suite's outcome, for the smoke test. */
  record Outcome(List<Score> scores, AcceptScale.Result scale, HeartbeatScale.Result heartbeat,
      String markdown) {}

  public static void main(String[] args) throws Exception {
    Outcome o = run(args);
    System.out.println();
    System.out.println(o.markdown());
  }

  static Outcome run(String[] args) throws Exception {
    boolean smoke = false;
    boolean quiet = false;
    boolean scale = true;
    boolean heartbeat = true;
    Path out = Path.of("keepalive-benchmarks", "target", "benchmark-results.md");
    int connections = 10_000;
    String include = "dev\\.keepalive\\.benchmarks\\..*Benchmarks\\..*";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--smoke" -> smoke = true;
        case "--quiet" -> quiet = true;
        case "--no-scale" -> scale = false;
        case "--no-heartbeat" -> heartbeat = false;
        case "--out" -> out = Path.of(args[++i]);
        case "--include" -> include = args[++i];
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; usage: [--smoke] [--quiet] [--no-scale] [--no-heartbeat] [--connections N] [--include REGEX]"
            + " [--out FILE]");
      }
    }
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(include)
        .shouldFailOnError(true);
    if (smoke) {
      options.forks(0).warmupIterations(0).measurementIterations(1)
          .measurementTime(TimeValue.milliseconds(50));
      connections = Math.min(connections, 300);
    } else {
      options.forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(1))
          .measurementIterations(5).measurementTime(TimeValue.seconds(1))
          .addProfiler(GCProfiler.class);
    }
    List<Score> scores = new ArrayList<>();
    ByteArrayOutputStream jmhReport = new ByteArrayOutputStream();
    Runner runner = quiet ? new Runner(options.build(), OutputFormatFactory.createFormatInstance(
        new PrintStream(jmhReport, true, StandardCharsets.UTF_8), VerboseMode.NORMAL))
        : new Runner(options.build());
    Collection<RunResult> results;
    try {
      results = runner.run();
    } catch (RunnerException e) {
      throw jmhReport.size() == 0 ? e : new RunnerException(e.getMessage() + "\nJMH's report:\n"
          + jmhReport.toString(StandardCharsets.UTF_8), e);
    }
    for (RunResult r : results) {
      scores.add(score(r));
    }
    AcceptScale.Result scaleResult = scale ? AcceptScale.run(connections, smoke ? 1 : 3) : null;
    HeartbeatScale.Result heartbeatResult = heartbeat
        ? HeartbeatScale.run(connections, smoke ? 3 : 10) : null;
    String markdown = markdown(scores, scaleResult, heartbeatResult, smoke);
    if (out.getParent() != null && Files.isDirectory(out.getParent())) {
      Files.writeString(out, markdown, StandardCharsets.UTF_8);
    }
    return new Outcome(scores, scaleResult, heartbeatResult, markdown);
  }

  private static Score score(RunResult r) {
    String method = r.getParams().getBenchmark();
    method = method.substring(method.lastIndexOf('.', method.lastIndexOf('.') - 1) + 1);
    StringBuilder key = new StringBuilder(method);
    for (String p : r.getParams().getParamsKeys()) {
      key.append(" [").append(r.getParams().getParam(p)).append(']');
    }
    Result<?> primary = r.getPrimaryResult();
    double bytes = Double.NaN;
    for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
      if (e.getKey().endsWith("alloc.rate.norm")) {
        bytes = e.getValue().getScore();
      }
    }
    return new Score(key.toString(), primary.getScore(), primary.getScoreError(), bytes);
  }

  static String markdown(Collection<Score> scores, AcceptScale.Result scale,
      HeartbeatScale.Result heartbeat, boolean smoke) {
    Map<String, Score> byKey = new LinkedHashMap<>();
    scores.forEach(s -> byKey.put(s.key(), s));
    StringBuilder b = new StringBuilder();
    if (smoke) {
      b.append("_Smoke run: one 50 ms iteration in-process; these numbers mean nothing._\n\n");
    }
    b.append("| benchmark | raw ns/op | library ns/op | ratio | raw B/op | library B/op |\n")
        .append("|---|---|---|---|---|---|\n");
    List<Score> singles = new ArrayList<>();
    for (Score s : byKey.values()) {
      if (s.key().contains("Library")) {
        continue;
      }
      Score lib = s.key().contains("Raw") ? byKey.get(s.key().replace("Raw", "Library")) : null;
      if (lib == null) {
        singles.add(s);
        continue;
      }
      b.append(String.format(Locale.ROOT, "| %s | %.1f ± %.1f | %.1f ± %.1f | %.2f | %s | %s |%n",
          s.key().replace("Raw", ""), s.nsPerOp(), s.nsError(), lib.nsPerOp(), lib.nsError(),
          lib.nsPerOp() / s.nsPerOp(), bytes(s), bytes(lib)));
    }
    b.append("\n| benchmark | ns/op | B/op |\n|---|---|---|\n");
    for (Score s : singles) {
      b.append(String.format(Locale.ROOT, "| %s | %.1f ± %.1f | %s |%n", s.key(), s.nsPerOp(),
          s.nsError(), bytes(s)));
    }
    if (scale != null) {
      b.append('\n').append(scale.table());
      b.append(String.format(Locale.ROOT, "%nEvery connection carried the policy (read back from the "
          + "kernel): %s%n", scale.everyConnectionCarriedThePolicy() ? "yes" : "NO"));
    }
    if (heartbeat != null) {
      b.append('\n').append(heartbeat.table());
    }
    return b.toString();
  }

  private static String bytes(Score s) {
    return Double.isNaN(s.bytesPerOp()) ? "-" : String.format(Locale.ROOT, "%.0f", s.bytesPerOp());
  }
}
