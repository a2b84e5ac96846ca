package dev.keepalive.agent;

/**
 * A setting the agent cannot start with: the message is the one line printed before the JVM
 * stops, naming the setting, its value and where it came from.
 */
final class SettingsException extends Exception {

  private static final long serialVersionUID = 1L;

  SettingsException(String message) {
    super(message);
  }
}
