package dev.keepalive.frameworks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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

  /** One established TCP connection as ss prints it. */
  record Connection(int localPort, int peerPort, String timer, long keepaliveSecondsLeft) {}

  private static final Pattern LINE = Pattern.compile(
      "^\\S+\\s+\\d+\\s+\\d+\\s+\\S+:(\\d+)\\s+\\S+:(\\d+)\\s*(.*)$");
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
      Matcher k = KEEPALIVE.matcher(m.group(3));
      String timer = k.find() ? k.group(1) : "";
      found.add(new Connection(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), timer,
          timer.isEmpty() ? -1 : seconds(timer)));
    }
    return found;
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
