package dev.keepalive.jdk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.KeepalivePolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The README's JDK heartbeat example, run: a reader loop, a writer thread draining an outbox, a peer
 * that answers pings for a while and then hangs. The README's policy is 30/5/3; this runs 1/1/2.
 */
class HeartbeatReadmeExampleTest {

  private static final KeepalivePolicy SHORT = KeepalivePolicy.ofSeconds(1, 1, 2);

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void readmeExampleAnswersPingsThenDetectsAPeerThatHangs() throws Exception {
    try (ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Socket socket = new Socket();
      socket.connect(listener.getLocalSocketAddress(), 5_000);
      listener.setSoTimeout(5_000);
      Socket peer = listener.accept();

      // The peer answers pings until it hangs: it then neither reads nor writes, its kernel still
      // acknowledging everything.
      AtomicBoolean hung = new AtomicBoolean();
      AtomicLong lastPongAt = new AtomicLong();
      AtomicInteger pongs = new AtomicInteger();
      daemon("peer", () -> {
        try {
          BufferedReader pin = new BufferedReader(new InputStreamReader(peer.getInputStream(), UTF_8));
          Writer pout = new OutputStreamWriter(peer.getOutputStream(), UTF_8);
          for (String line; (line = pin.readLine()) != null; ) {
            if (line.equals("PING")) {
              if (pongs.get() == 2) {
                hung.set(true);
                return; // stops reading; the socket stays open
              }
              lastPongAt.set(System.nanoTime());
              pout.write("PONG\n");
              pout.flush();
              pongs.incrementAndGet();
            }
          }
        } catch (IOException e) {
          // test over
        }
      });

      // The connection's writer thread, as an application would have one.
      BlockingQueue<String> outbox = new LinkedBlockingQueue<>();
      daemon("writer", () -> {
        try {
          Writer out = new OutputStreamWriter(socket.getOutputStream(), UTF_8);
          while (true) {
            out.write(outbox.take() + "\n");
            out.flush();
          }
        } catch (IOException | InterruptedException e) {
          // socket closed
        }
      });
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
      KeepalivePolicy policy = SHORT;

      // --- README: begin ---
      JdkHeartbeat heartbeat = JdkHeartbeat.builder(policy)
          .pings(() -> outbox.add("PING"))           // hand the ping to the writer: never block here
          .onFailure(e -> closeQuietly(socket))      // dead or hung peer, or a ping that failed
          .start();
      try {
        for (String line; (line = in.readLine()) != null; ) {
          heartbeat.activity();                      // any message is the peer's answer
          if (line.equals("PING")) {
            outbox.add("PONG");                      // answer the peer's pings, if it sends any
          } else if (!line.equals("PONG")) {
            handle(line);
          }
        }
      } catch (IOException e) {
        // the peer closed, or the failure handler closed the socket
      } finally {
        heartbeat.close();                           // cancels the timer; never closes the socket
      }
      // --- README: end ---

      long sinceLastPong = System.nanoTime() - lastPongAt.get();
      assertTrue(hung.get());
      assertEquals(2, pongs.get());
      assertTrue(heartbeat.isTimedOut(), "the heartbeat, not something else, closed the socket");
      assertTrue(socket.isClosed());
      // The deadline counts from the last message received: the last pong.
      long deadline = SHORT.detectionDeadline().toNanos();
      assertTrue(sinceLastPong >= deadline, "detected early: " + sinceLastPong);
      assertTrue(sinceLastPong < deadline + TimeUnit.MILLISECONDS.toNanos(750),
          "detected late: " + sinceLastPong);
      assertTrue(heartbeat.lastRoundTrip().orElseThrow().toMillis() < 250);
      peer.close();
    }
  }

  private static void handle(String line) {
    throw new AssertionError("the peer sent only pongs, got " + line);
  }
}
