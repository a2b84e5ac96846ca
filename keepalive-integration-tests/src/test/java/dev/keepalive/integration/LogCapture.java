package dev.keepalive.integration;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures what KeepaliveSocketFactory logs (System.Logger, backed by java.util.logging here). */
final class LogCapture extends Handler implements AutoCloseable {

  // A strong reference: java.util.logging holds loggers weakly, and would drop the handler.
  private final Logger logger = Logger.getLogger("dev.keepalive.jdk.KeepaliveSocketFactory");
  private final List<String> warnings = new ArrayList<>();

  LogCapture() {
    setLevel(Level.ALL);
    logger.addHandler(this);
  }

  @Override
  public synchronized void publish(LogRecord record) {
    if (record.getLevel().equals(Level.WARNING)) {
      warnings.add(record.getMessage());
    }
  }

  /** The warnings logged so far. */
  synchronized List<String> warnings() {
    return new ArrayList<>(warnings);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
