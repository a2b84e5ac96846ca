package dev.keepalive.kernel;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One TCP segment as {@code tcpdump -nn -tt} prints it, e.g. {@code 1795299438.011928 IP
 * 127.0.0.1.57074 > 127.0.0.1.35079: Flags [.], ack 2, win 64, options [...], length 0} (IPv6:
 * {@code IP6 ::1.57074 > ::1.35079: ...}). A keepalive probe is a bare ACK ({@code Flags [.]}) of
 * length 0 (Linux sends seq = snd_una − 1 without the optional garbage octet of RFC 1122
 * §4.2.3.6); the connection's end after the last unanswered probe is the prober's RST ({@code
 * Flags [R.]}).
 */
record TcpdumpLine(long micros, String source, int sourcePort, String destination,
    int destinationPort, String flags, int length) {

  private static final Pattern LINE = Pattern.compile(
      "^(\\d+)\\.(\\d{6}) IP6? (\\S+)\\.(\\d+) > (\\S+)\\.(\\d+): Flags \\[([^\\]]*)\\].*?"
          + "length (\\d+)");

  /** The segment on {@code line}, or empty for anything else tcpdump prints. */
  static Optional<TcpdumpLine> parse(String line) {
    Matcher m = LINE.matcher(line);
    if (!m.find()) {
      return Optional.empty();
    }
    long micros = Long.parseLong(m.group(1)) * 1_000_000L + Long.parseLong(m.group(2));
    return Optional.of(new TcpdumpLine(micros, m.group(3), Integer.parseInt(m.group(4)), m.group(5),
        Integer.parseInt(m.group(6)), m.group(7), Integer.parseInt(m.group(8))));
  }

  boolean isBareAck() {
    return flags.equals(".") && length == 0;
  }

  boolean isReset() {
    return flags.startsWith("R");
  }
}
