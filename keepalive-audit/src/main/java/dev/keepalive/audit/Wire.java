package dev.keepalive.audit;

import dev.keepalive.audit.AuditException.Reason;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;

/**
 * The compact line protocol between {@link KeepaliveAudit} and its {@link AuditHelper}: one socket
 * a line, every field the kernel gave, addresses as raw bytes in hex (never a name lookup).
 *
 * <pre>
 * s FD INODE PROTOCOL STATE ON IDLE INTVL CNT USER_TIMEOUT PROBES_SENT SINCE LOCAL REMOTE
 *   LOCAL, REMOTE: 4:7f000001:8080, 6:00..01:8080:SCOPE, or - (no peer)
 * p PID NAME                   a process of allProcesses(), its sockets follow
 * x PID REASON NAME\tMESSAGE   a process allProcesses() could not read
 * o FD INODE gone              an apply target no longer there; or
 * o FD INODE ok                followed by its before and after socket lines; or
 * o FD INODE refused MESSAGE   followed by its before and after socket lines
 * end                          the answer is complete
 * error REASON MESSAGE         the request failed (REASON: an AuditException.Reason, or IO)
 * </pre>
 *
 * Messages and names have backslash and newline escaped.
 */
final class Wire {

  private static final HexFormat HEX = HexFormat.of();

  private Wire() {}

  static void socket(StringBuilder b, SocketKeepalive s) {
    b.append("s ").append(s.fd()).append(' ').append(s.inode()).append(' ')
        .append(s.protocolNumber()).append(' ').append(s.stateNumber()).append(' ')
        .append(s.keepaliveOn() ? 1 : 0).append(' ').append(s.idleSeconds()).append(' ')
        .append(s.intervalSeconds()).append(' ').append(s.probes()).append(' ')
        .append(s.userTimeoutMillis()).append(' ').append(s.probesSent()).append(' ')
        .append(s.sinceLastReceivedMillis()).append(' ');
    address(b, s.local());
    b.append(' ');
    address(b, s.remote().orElse(null));
    b.append('\n');
  }

  private static void address(StringBuilder b, InetSocketAddress a) {
    if (a == null) {
      b.append('-');
      return;
    }
    InetAddress ip = a.getAddress();
    b.append(ip instanceof Inet4Address ? '4' : '6').append(':');
    HEX.formatHex(b, ip.getAddress());
    b.append(':').append(a.getPort());
    if (ip instanceof Inet6Address) {
      b.append(':').append(((Inet6Address) ip).getScopeId());
    }
  }

  static SocketKeepalive socket(String line) throws IOException {
    String[] f = line.split(" ");
    if (f.length != 14 || !f[0].equals("s")) {
      throw new IOException("unexpected line from the audit helper: " + line);
    }
    try {
      boolean on = f[5].equals("1");
      int idle = Integer.parseInt(f[6]);
      int interval = Integer.parseInt(f[7]);
      int probes = Integer.parseInt(f[8]);
      int userTimeout = Integer.parseInt(f[9]);
      return new SocketKeepalive(Integer.parseInt(f[1]), Long.parseLong(f[2]),
          Integer.parseInt(f[3]), address(f[12]), address(f[13]), Integer.parseInt(f[4]), on,
          idle, interval, probes, userTimeout, Integer.parseInt(f[10]), Long.parseLong(f[11]),
          SocketKeepalive.policyOf(on, idle, interval, probes, userTimeout));
    } catch (RuntimeException e) {
      throw new IOException("unexpected line from the audit helper: " + line, e);
    }
  }

  private static InetSocketAddress address(String text) throws UnknownHostException {
    if (text.equals("-")) {
      return null;
    }
    String[] f = text.split(":");
    byte[] bytes = HEX.parseHex(f[1]);
    int port = Integer.parseInt(f[2]);
    InetAddress ip = f[0].equals("4") ? InetAddress.getByAddress(bytes)
        : Integer.parseInt(f[3]) != 0 ? Inet6Address.getByAddress(null, bytes,
            Integer.parseInt(f[3])) : InetAddress.getByAddress(bytes);
    return new InetSocketAddress(ip, port);
  }

  static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
  }

  static String unescape(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        char n = text.charAt(++i);
        b.append(n == 'n' ? '\n' : n == 't' ? '\t' : n);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** The {@code error} line of a failed request. */
  static String error(IOException e) {
    String reason = e instanceof AuditException a ? a.reason().name() : "IO";
    return "error " + reason + " " + escape(String.valueOf(e.getMessage())) + "\n";
  }

  /** The exception an {@code error} line stands for. */
  static IOException error(String line) {
    String rest = line.substring("error ".length());
    int space = rest.indexOf(' ');
    String reason = rest.substring(0, space);
    String message = unescape(rest.substring(space + 1));
    if (reason.equals("IO")) {
      return new IOException(message);
    }
    return new AuditException(Reason.valueOf(reason), message);
  }
}
