package dev.keepalive.netty;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records one java.util.logging logger (Netty's, here: it logs through JUL when no SLF4J is on
 * the class path) publishes while a test provokes them on purpose: kept for the test to assert on,
 * not printed into the build's output.
 */
final class CapturedLog implements AutoCloseable {

  private final Logger logger;
  private final boolean parentHandlers;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private CapturedLog(Logger logger) {
    this.logger = logger;
    this.parentHandlers = logger.getUseParentHandlers();
    logger.addHandler(handler);
    logger.setUseParentHandlers(false);
  }

  /** Captures what the logger named after {@code source} publishes until {@link #close()}. */
  static CapturedLog of(Class<?> source) {
    return new CapturedLog(Logger.getLogger(source.getName()));
  }

  List<LogRecord> records() {
    return List.copyOf(records);
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setUseParentHandlers(parentHandlers);
  }
}
