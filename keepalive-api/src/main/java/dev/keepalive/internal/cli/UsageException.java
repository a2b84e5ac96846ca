package dev.keepalive.internal.cli;

/**
 * A command line that cannot be run as given: an unknown argument, a missing or unwanted value, a
 * value out of range. The message names the argument and quotes the value, and never ends in a
 * period, so that {@link Console#usage} can add the hint to {@code --help}.
 */
public final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * A usage error.
   *
   * @param message what is wrong, naming the argument and the value
   */
  public UsageException(String message) {
    super(message);
  }
}
