package dev.keepalive.frameworks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ss -tnoie}: the kernel's own view of a connection's keepalive timer, for connections whose
 * channel a framework hides. It shows only the time left before the next probe (so, on a connection
 * just made, about the idle), not the interval, probes or user timeout.
 */
final class Ss {

  /**
   * One established TCP connection as ss prints it.
   *
   * @param timer the pending timer ("timer:(keepalive,30sec,0)"), or "no timer"
   * @param keepaliveSecondsLeft -1 unless the pending timer is the keepalive timer
   */
  record Connection(int localPort, int peerPort, String timer, long keepaliveSecondsLeft) {}

  private static final Pattern LINE = Pattern.compile(
      "^\\S+\\s+\\d+\\s+\\d+\\s+\\S+:(\\d+)\\s+\\S+:(\\d+)\\s*(.*)$");
  private static final Pattern TIMER = Pattern.compile("timer:\\([^)]*\\)");
  private static final Pattern KEEPALIVE = Pattern.compile("timer:\\(keepalive,([^,]+),\\d+\\)");
  private static final Pattern PART = Pattern.compile("(\\d+)(min|sec|ms)");

  private Ss() {}

  static boolean available() {
    try {
      return run("ss", "-V") != null;
    } catch (IOException e) {
      return false;
    }
  }

  /** Every established TCP connection on 127.0.0.1 with {@code port} at one end or the other. */
  static List<Connection> connectionsOf(int port) throws IOException {
    String out = run("ss", "-tnoie", "-H", "state", "established",
        "( sport = :" + port + " or dport = :" + port + " )");
    List<Connection> found = new ArrayList<>();
    for (String line : out.split("\n")) {
      // -H drops the header; with "state established" the state column is dropped as well, so
      // add a placeholder for LINE's first column.
      Matcher m = LINE.matcher("ESTAB " + line.strip());
      if (!m.matches()) {
        continue;
      }
      Matcher t = TIMER.matcher(m.group(3));
      String timer = t.find() ? t.group() : "no timer";
      Matcher k = KEEPALIVE.matcher(timer);
      found.add(new Connection(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), timer,
          k.find() ? seconds(k.group(1)) : -1));
    }
    return found;
  }

  /**
   * The connections of {@code port} once each shows its keepalive timer. A connection that just
   * sent data shows its retransmission timer ("timer:(on,…)") instead until that expires: Linux
   * leaves the timer armed after the ACK (about 200 ms on loopback) rather than clearing it.
   *
   * @return the last listing: all keepalive timers, or what was there when {@code timeout} passed
   */
  static List<Connection> awaitKeepaliveTimers(int port, int connections, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Connection> now = connectionsOf(port);
      boolean all = now.size() == connections
          && now.stream().allMatch(c -> c.keepaliveSecondsLeft() >= 0);
      if (all || System.nanoTime() - deadline > 0) {
        return now;
      }
      Thread.sleep(50);
    }
  }

  /** "119min", "1min4sec", "30sec", "512ms" → whole seconds, rounded up. */
  static long seconds(String timer) {
    long ms = 0;
    Matcher p = PART.matcher(timer);
    while (p.find()) {
      long n = Long.parseLong(p.group(1));
      ms += switch (p.group(2)) {
        case "min" -> n * 60_000;
        case "sec" -> n * 1_000;
        default -> n;
      };
    }
    return (ms + 999) / 1000;
  }

  private static String run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (InputStream in = p.getInputStream()) {
      String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + String.join(" ", command));
      }
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }
}
