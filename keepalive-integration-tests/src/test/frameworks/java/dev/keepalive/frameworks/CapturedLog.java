package dev.keepalive.frameworks;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Takes one JUL logger's records (every framework here ends up in JUL: gRPC directly, Netty,
 * Reactor, Lettuce and Vert.x through SLF4J and slf4j-jdk14) for the length of a test, so a test
 * can assert on the line a framework logs instead of letting it reach the console.
 */
final class CapturedLog implements AutoCloseable {

  private final Logger logger; // held: JUL keeps loggers weakly, and a collected one loses its level
  private final Level level;
  private final boolean parents;
  private final List<LogRecord> records = new ArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      synchronized (records) {
        records.add(record);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private CapturedLog(String name) {
    logger = Logger.getLogger(name);
    level = logger.getLevel();
    parents = logger.getUseParentHandlers();
    logger.setLevel(Level.ALL);
    logger.setUseParentHandlers(false);
    logger.addHandler(handler);
  }

  /** Captures {@code name} and the loggers below it (by dotted prefix) until closed. */
  static CapturedLog of(String name) {
    return new CapturedLog(name);
  }

  List<LogRecord> records() {
    synchronized (records) {
      return List.copyOf(records);
    }
  }

  /** The records at {@code level} or above whose message contains {@code text}. */
  List<LogRecord> matching(Level level, String text) {
    List<LogRecord> out = new ArrayList<>();
    for (LogRecord r : records()) {
      if (r.getLevel().intValue() >= level.intValue() && r.getMessage() != null
          && r.getMessage().contains(text)) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setUseParentHandlers(parents);
    logger.setLevel(level);
  }
}
