package dev.keepalive.internal.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.UnsupportedEncodingException;

/** The {@code main} of every command: UTF-8 output whatever the platform's encoding, one exit. */
public final class Console {

  /** Exit status of a usage error, the same for every command. */
  public static final int USAGE = 2;

  /** A command: the arguments in, the report on {@code out}, one line on {@code err} on error. */
  @FunctionalInterface
  public interface Command {
    /**
     * Runs the command.
     *
     * @param args the arguments
     * @param out where the report goes
     * @param err where an error goes
     * @return the exit status
     */
    int run(String[] args, PrintStream out, PrintStream err);
  }

  private Console() {}

  /**
   * Runs {@code command} with standard output and error in UTF-8 (the reports use ✓, ✗ and →) and
   * exits the JVM with its status.
   *
   * @param command the command
   * @param args the arguments {@code main} received
   */
  public static void exit(Command command, String[] args) {
    PrintStream out = utf8(FileDescriptor.out);
    PrintStream err = utf8(FileDescriptor.err);
    int status = command.run(args, out, err);
    out.flush();
    err.flush();
    System.exit(status);
  }

  /**
   * Prints a usage error as one line, {@code NAME: PROBLEM (try --help)}.
   *
   * @param err where it goes
   * @param command the command's name
   * @param problem what is wrong
   * @return {@link #USAGE}
   */
  public static int usage(PrintStream err, String command, String problem) {
    err.println(command + ": " + problem + " (try --help)");
    return USAGE;
  }

  private static PrintStream utf8(FileDescriptor fd) {
    try {
      return new PrintStream(new FileOutputStream(fd), true, "UTF-8");
    } catch (UnsupportedEncodingException e) {
      throw new AssertionError("every JVM has UTF-8", e);
    }
  }
}
