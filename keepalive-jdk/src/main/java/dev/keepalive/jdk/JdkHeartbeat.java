package dev.keepalive.jdk;

import dev.keepalive.Heartbeat;
import dev.keepalive.HeartbeatListener;
import dev.keepalive.HeartbeatTimeoutException;
import dev.keepalive.KeepalivePolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An application-level {@link Heartbeat} for blocking or NIO code without Netty: one connection's
 * pings, driven by a {@link ScheduledExecutorService}. It sees what TCP keepalive cannot: a peer
 * whose kernel still acknowledges segments while its process is hung or has stopped reading, and a
 * peer behind a layer-4 proxy that answers TCP probes itself.
 *
 * <pre>{@code
 * JdkHeartbeat heartbeat = JdkHeartbeat.builder(KeepalivePolicy.ofSeconds(30, 5, 3))
 *     .pings(() -> writer.enqueue(PING))          // must not block; see PingSender
 *     .onFailure(e -> closeQuietly(socket))       // dead peer, or a ping that could not go out
 *     .start();
 * // on every message read from the peer, pong or not:
 * heartbeat.activity();
 * // when the connection closes for any reason:
 * heartbeat.close();
 * }</pre>
 *
 * <p>Semantics are the policy's: after {@code idle} with nothing read, a ping; another every
 * {@code interval} while none is answered; any message read counts as the answer; after {@code
 * probes} unanswered pings the failure handler gets a {@link HeartbeatTimeoutException}, at the
 * policy's {@linkplain KeepalivePolicy#detectionDeadline() detection deadline} after the last
 * message read. The heartbeat borrows the connection: it never closes it (the failure handler
 * decides) and never reads from it.
 *
 * <p>Scheduling: one task at a time per heartbeat, and messages never reschedule it ({@link
 * #activity()} is a clock read and a memory write). Without {@link Builder#scheduler
 * scheduler(...)}, every heartbeat shares one daemon thread, created on first use and never shut
 * down, whose cancelled tasks leave its queue at once. A scheduler you supply is borrowed, never
 * shut down; if it is a {@link ScheduledThreadPoolExecutor}, give it {@link
 * ScheduledThreadPoolExecutor#setRemoveOnCancelPolicy(boolean) setRemoveOnCancelPolicy(true)}, or
 * the task of a closed heartbeat stays queued (inert) until its time comes.
 *
 * <p>Thread safety: all methods may be called from any thread. The ping sender, the listener's
 * {@code pingSent} and {@code timedOut} and the failure handler run on the scheduler's thread; the
 * listener's {@code pingAnswered} runs on the thread that called {@link #activity()}.
 */
public final class JdkHeartbeat implements AutoCloseable {

  /**
   * Sends one ping to the peer. Runs on the scheduler's thread, so it must not block: on a
   * blocking socket whose peer has stopped reading, a write blocks for good once the send buffer
   * is full, and with it every heartbeat on that scheduler. Hand the ping to your writer (a queue,
   * a non-blocking channel's write path) or write under the lock your own writes take, so a ping
   * never lands in the middle of another message.
   */
  @FunctionalInterface
  public interface PingSender {
    /**
     * Sends one ping.
     *
     * @throws IOException if the ping cannot be sent; the heartbeat then ends and the failure
     *     handler gets this exception
     */
    void sendPing() throws IOException;
  }

  private static final HeartbeatListener NO_LISTENER = new HeartbeatListener() {};

  private final Heartbeat heartbeat;
  private final PingSender pings;
  private final Consumer<? super Exception> onFailure;
  private final HeartbeatListener listener;
  private final ScheduledExecutorService scheduler;
  private final Runnable tick = this::tick;

  private final Object lock = new Object();
  /** The one scheduled poll; guarded by lock. */
  private ScheduledFuture<?> next;
  private volatile boolean closed;

  private JdkHeartbeat(Builder b) {
    this.heartbeat = Heartbeat.of(b.policy);
    this.pings = b.pings;
    this.onFailure = b.onFailure;
    this.listener = b.listener;
    this.scheduler = b.scheduler != null ? b.scheduler : SharedScheduler.INSTANCE;
  }

  /**
   * A builder for a heartbeat following {@code policy}.
   *
   * @param policy idle, interval and probes for the pings
   * @return a new builder
   * @throws NullPointerException if {@code policy} is null
   * @throws IllegalArgumentException if {@code policy} is disabled
   */
  public static Builder builder(KeepalivePolicy policy) {
    Heartbeat.of(policy); // refuses a null or disabled policy now, not when the heartbeat starts
    return new Builder(policy);
  }

  /** Configures and starts a {@link JdkHeartbeat}. Not thread-safe; reusable. */
  public static final class Builder {
    private final KeepalivePolicy policy;
    private PingSender pings;
    private Consumer<? super Exception> onFailure;
    private HeartbeatListener listener = NO_LISTENER;
    private ScheduledExecutorService scheduler;

    private Builder(KeepalivePolicy policy) {
      this.policy = policy;
    }

    /**
     * How to send a ping. Required.
     *
     * @param pings sends one ping; must not block (see {@link PingSender})
     * @return this builder
     * @throws NullPointerException if {@code pings} is null
     */
    public Builder pings(PingSender pings) {
      this.pings = Objects.requireNonNull(pings, "pings must not be null");
      return this;
    }

    /**
     * What to do when the heartbeat ends in failure: called once, on the scheduler's thread, with
     * a {@link HeartbeatTimeoutException} when the peer left the pings unanswered, or with the
     * exception the ping sender or the listener threw. Usually: close the connection. Required,
     * because a heartbeat that could end without anyone hearing of it would be worse than none.
     *
     * @param onFailure the failure handler
     * @return this builder
     * @throws NullPointerException if {@code onFailure} is null
     */
    public Builder onFailure(Consumer<? super Exception> onFailure) {
      this.onFailure = Objects.requireNonNull(onFailure, "onFailure must not be null");
      return this;
    }

    /**
     * Observes pings sent, answered (with the round-trip time) and the timeout. Optional.
     *
     * @param listener the listener
     * @return this builder
     * @throws NullPointerException if {@code listener} is null
     */
    public Builder listener(HeartbeatListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener must not be null");
      return this;
    }

    /**
     * The scheduler to run on instead of the shared daemon thread. Borrowed: never shut down.
     *
     * @param scheduler the scheduler
     * @return this builder
     * @throws NullPointerException if {@code scheduler} is null
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
      return this;
    }

    /**
     * Starts a heartbeat: the connection counts as active now, so the first ping goes out
     * {@code idle} from now unless a message is read first.
     *
     * @return the running heartbeat
     * @throws IllegalStateException if {@link #pings} or {@link #onFailure} was not given
     * @throws RejectedExecutionException if the scheduler refuses the task (e.g. it is shut down)
     */
    public JdkHeartbeat start() {
      if (pings == null) {
        throw new IllegalStateException("no ping sender: call pings(...) before start()");
      }
      if (onFailure == null) {
        throw new IllegalStateException("no failure handler: call onFailure(...) before start()");
      }
      JdkHeartbeat h = new JdkHeartbeat(this);
      long now = System.nanoTime();
      h.heartbeat.start(now);
      synchronized (h.lock) {
        h.next = h.scheduler.schedule(h.tick, h.heartbeat.nanosUntilNextPoll(now),
            TimeUnit.NANOSECONDS);
      }
      return h;
    }
  }

  /**
   * Records that a message arrived from the peer: call it for every message read, whatever it is.
   * Cheap: a clock read and a memory write, plus the listener's {@code pingAnswered} (on this
   * thread) when the message is the first after a ping.
   */
  public void activity() {
    if (heartbeat.activity(System.nanoTime()) && listener != NO_LISTENER) {
      try {
        listener.pingAnswered(Duration.ofNanos(heartbeat.lastRoundTripNanos()));
      } catch (RuntimeException e) {
        fail(e);
      }
    }
  }

  /**
   * The last round-trip time: from a ping to the first message read after it.
   *
   * @return the round-trip time, or empty if no ping has been answered yet
   */
  public Optional<Duration> lastRoundTrip() {
    return heartbeat.lastRoundTrip();
  }

  /**
   * Whether the peer was declared dead.
   *
   * @return true once the pings went unanswered
   */
  public boolean isTimedOut() {
    return heartbeat.isTimedOut();
  }

  /**
   * Whether the heartbeat has stopped: {@link #close()}d, timed out or failed.
   *
   * @return true if no more pings will be sent
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * The policy the heartbeat follows.
   *
   * @return the policy
   */
  public KeepalivePolicy policy() {
    return heartbeat.policy();
  }

  /**
   * Stops the heartbeat and cancels its scheduled task. Does not close the connection. A poll
   * running at this moment may still send its ping, but nothing stays scheduled, and the failure
   * handler is not called for a heartbeat closed before it failed. Idempotent.
   */
  @Override
  public void close() {
    stop();
  }

  /** Stops the heartbeat; true if this call stopped it. */
  private boolean stop() {
    ScheduledFuture<?> f;
    synchronized (lock) {
      if (closed) {
        return false;
      }
      closed = true;
      f = next;
      next = null;
    }
    if (f != null) {
      f.cancel(false);
    }
    return true;
  }

  private void tick() {
    if (closed) {
      return;
    }
    try {
      switch (heartbeat.poll(System.nanoTime())) {
        case PING:
          pings.sendPing();
          listener.pingSent(heartbeat.unansweredPings());
          break;
        case TIME_OUT:
          HeartbeatTimeoutException timeout = heartbeat.timeoutException();
          try {
            listener.timedOut(timeout);
          } catch (RuntimeException e) {
            timeout.addSuppressed(e);
          }
          fail(timeout);
          return;
        default:
          break;
      }
      long delay = heartbeat.nanosUntilNextPoll(System.nanoTime());
      synchronized (lock) {
        if (!closed) {
          next = scheduler.schedule(tick, delay, TimeUnit.NANOSECONDS);
        }
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void fail(Exception e) {
    if (!stop()) {
      return; // closed by the application, or failed already: reported once, or not wanted
    }
    try {
      onFailure.accept(e);
    } catch (RuntimeException handlerFailure) {
      // Nowhere left to report it but the thread's own handler; never let it vanish in a future.
      handlerFailure.addSuppressed(e);
      Thread t = Thread.currentThread();
      t.getUncaughtExceptionHandler().uncaughtException(t, handlerFailure);
    }
  }

  /**
   * The state, for logs.
   *
   * @return e.g. {@code JdkHeartbeat[idle=30s,interval=5s,probes=3; unanswered=0, rtt=-1ns]}
   */
  @Override
  public String toString() {
    return "Jdk" + heartbeat + (closed && !heartbeat.isTimedOut() ? " (closed)" : "");
  }

  /** The default scheduler, created on first use. */
  static final class SharedScheduler {
    static final ScheduledThreadPoolExecutor INSTANCE = create();

    private SharedScheduler() {}

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "keepalive-heartbeat");
        t.setDaemon(true);
        return t;
      });
      // Without this a cancelled task stays queued until its delay expires: with idle = 2 h,
      // every closed connection's task would linger for two hours.
      s.setRemoveOnCancelPolicy(true);
      return s;
    }
  }
}
