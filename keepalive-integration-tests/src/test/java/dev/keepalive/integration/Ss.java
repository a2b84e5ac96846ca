package dev.keepalive.integration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ss -tnoie}: the kernel's view of a connection from outside the JVM, for a socket the test
 * cannot reach. It shows only the keepalive timer (the time left before the first probe), not the
 * interval or the probe count, so it cross-checks the idle of the connection a client made through
 * the real factory class.
 */
final class Ss {

  private static final Pattern KEEPALIVE_TIMER =
      Pattern.compile("timer:\\(keepalive,(?:(\\d+)min)?(?:(\\d+)sec)?(?:(\\d+)ms)?,(\\d+)\\)");

  private Ss() {}

  /** Whether {@code ss} can run here. */
  static boolean available() {
    try {
      return run("-V").contains("iproute2");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Seconds left on the keepalive timer of the established connection with local port
   * {@code localPort}, or -1 if it has no keepalive timer.
   */
  static long keepaliveTimerSeconds(int localPort) throws IOException {
    String out = run("-tnoie", "state", "established", "( sport = :" + localPort + " )");
    String[] lines = out.split("\n");
    if (lines.length < 2 || lines[1].isBlank()) {
      throw new IllegalStateException("ss shows no established connection from port " + localPort
          + ":\n" + out);
    }
    Matcher m = KEEPALIVE_TIMER.matcher(out);
    if (!m.find()) {
      return -1;
    }
    long seconds = 0;
    if (m.group(1) != null) {
      seconds += 60 * Long.parseLong(m.group(1));
    }
    if (m.group(2) != null) {
      seconds += Long.parseLong(m.group(2));
    }
    return seconds;
  }

  private static String run(String... args) throws IOException {
    String[] command = new String[args.length + 1];
    command[0] = "ss";
    System.arraycopy(args, 0, command, 1, args.length);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("ss did not finish in 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted waiting for ss", e);
    }
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
