package dev.keepalive.jdk;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the socket factory logs through {@link System.Logger} (backed by java.util.logging
 * here), so a test can assert it and nothing reaches the console.
 */
final class LogCapture extends Handler implements AutoCloseable {

  static final String FACTORY_LOGGER = "dev.keepalive.jdk.KeepaliveSocketFactory";

  // A strong reference: java.util.logging holds loggers weakly, and would drop the handler.
  private final Logger logger;
  private final boolean useParentHandlers;
  private final List<LogRecord> records = new ArrayList<>();

  private LogCapture(String name) {
    logger = Logger.getLogger(name);
    useParentHandlers = logger.getUseParentHandlers();
    logger.setUseParentHandlers(false);
    logger.addHandler(this);
    setLevel(Level.ALL);
  }

  /** Captures the factory's logger until closed. */
  static LogCapture factory() {
    return new LogCapture(FACTORY_LOGGER);
  }

  @Override
  public synchronized void publish(LogRecord record) {
    records.add(record);
  }

  /** The messages logged at {@code level}, formatted. */
  synchronized List<String> messages(Level level) {
    List<String> found = new ArrayList<>();
    for (LogRecord r : records) {
      if (r.getLevel().equals(level)) {
        found.add(r.getMessage());
      }
    }
    return found;
  }

  synchronized void clear() {
    records.clear();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setUseParentHandlers(useParentHandlers);
  }
}
