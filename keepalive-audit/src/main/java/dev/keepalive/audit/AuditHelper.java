package dev.keepalive.audit;

import dev.keepalive.KeepalivePolicy;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The helper JVM {@link KeepaliveAudit} runs the audit of other processes in, so that the
 * application's JVM never holds a duplicate of another process's descriptor (see {@link
 * KeepaliveAudit}). Reads requests on standard input, one a line, and answers each on standard
 * output in the {@link Wire} protocol:
 *
 * <pre>
 * process PID
 * all
 * apply PID LISTENERS(0|1) POLICY FD:INODE,FD:INODE,...
 * </pre>
 *
 * It starts with {@code ready}. After {@link #IDLE_MILLIS} without a request it says {@code bye}
 * and exits; a request read after that is never answered, so the caller knows to start a new
 * helper and send it again. It exits at the end of its input too (its caller is gone).
 */
final class AuditHelper {

  /** How long a helper with nothing to do waits for another request. */
  static final long IDLE_MILLIS = 10_000;

  private final Object lock = new Object();
  private final OutputStream out;
  private long lastActivity = System.nanoTime();
  private boolean busy;
  private boolean leaving;

  private AuditHelper(OutputStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    OutputStream out = new FileOutputStream(FileDescriptor.out);
    AuditHelper helper = new AuditHelper(out);
    Thread idle = new Thread(helper::leaveWhenIdle, "keepalive-audit-helper-idle");
    idle.setDaemon(true);
    idle.start();
    helper.write("ready\n");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8), 1 << 16);
    for (String line; (line = in.readLine()) != null; ) {
      synchronized (helper.lock) {
        if (helper.leaving) {
          return;
        }
        helper.busy = true;
      }
      String answer;
      try {
        answer = answer(line);
      } catch (IOException e) {
        answer = Wire.error(e);
      } catch (RuntimeException e) {
        answer = Wire.error(new IOException("the audit helper failed: " + e, e));
      }
      synchronized (helper.lock) {
        helper.write(answer);
        helper.busy = false;
        helper.lastActivity = System.nanoTime();
      }
    }
  }

  private void leaveWhenIdle() {
    while (true) {
      long wait;
      synchronized (lock) {
        long idleFor = (System.nanoTime() - lastActivity) / 1_000_000;
        if (!busy && idleFor >= IDLE_MILLIS) {
          leaving = true;
          try {
            write("bye\n");
          } catch (IOException e) {
            // the caller is gone: leave all the same
          }
          Runtime.getRuntime().halt(0);
        }
        wait = busy ? IDLE_MILLIS : IDLE_MILLIS - idleFor;
      }
      try {
        Thread.sleep(Math.max(1, wait));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void write(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  static String answer(String request) throws IOException {
    String[] f = request.split(" ", 5);
    StringBuilder b = new StringBuilder(1 << 12);
    try (Reader reader = Reader.open()) {
      switch (f[0]) {
        case "process":
          for (SocketKeepalive s : reader.other(Integer.parseInt(f[1]))) {
            Wire.socket(b, s);
          }
          break;
        case "all":
          for (ProcessKeepalive p : Host.all(reader, ProcessHandle.current().pid())) {
            if (p.failure().isPresent()) {
              AuditException e = p.failure().get();
              b.append("x ").append(p.pid()).append(' ').append(e.reason()).append(' ')
                  .append(Wire.escape(p.name())).append('\t')
                  .append(Wire.escape(String.valueOf(e.getMessage()))).append('\n');
              continue;
            }
            b.append("p ").append(p.pid()).append(' ').append(Wire.escape(p.name())).append('\n');
            for (SocketKeepalive s : p.sockets()) {
              Wire.socket(b, s);
            }
          }
          break;
        case "apply":
          List<Reader.Target> targets = new ArrayList<>();
          if (f.length > 4 && !f[4].isEmpty()) {
            for (String t : f[4].split(",")) {
              int colon = t.indexOf(':');
              targets.add(new Reader.Target(Integer.parseInt(t.substring(0, colon)),
                  Long.parseLong(t.substring(colon + 1))));
            }
          }
          for (Reader.Outcome o : reader.apply(Integer.parseInt(f[1]), false,
              KeepalivePolicy.parse(f[3]), targets, f[2].equals("1"))) {
            b.append("o ").append(o.fd()).append(' ').append(o.inode()).append(' ');
            if (o.before() == null) {
              b.append("gone\n");
              continue;
            }
            b.append(o.refusal() == null ? "ok" : "refused " + Wire.escape(o.refusal()))
                .append('\n');
            Wire.socket(b, o.before());
            Wire.socket(b, o.after());
          }
          break;
        default:
          throw new IOException("the audit helper does not know the request '" + request + "'");
      }
    }
    return b.append("end\n").toString();
  }
}
