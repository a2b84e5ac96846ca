package dev.keepalive.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The two fields of {@code /proc/PID/stat} the audit needs: the state and the flags. */
final class ProcStat {

  private ProcStat() {}

  /**
   * The state letter ({@code R}, {@code S}, {@code Z}, …) and the PF_* flags word of {@code pid}'s
   * main thread, or null if the process is gone.
   */
  static long[] read(int pid) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "stat"));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      // ESRCH while reading: the process went away between open and read.
      if (!Files.exists(Path.of("/proc", Integer.toString(pid)))) {
        return null;
      }
      throw e;
    }
    return parse(new String(bytes, StandardCharsets.ISO_8859_1));
  }

  /**
   * "pid (comm) state ppid pgrp session tty_nr tpgid flags …": the command name may hold spaces
   * and parentheses, so fields are counted after its last ')'.
   */
  static long[] parse(String stat) throws IOException {
    int close = stat.lastIndexOf(')');
    String[] f = close < 0 ? new String[0] : stat.substring(close + 1).trim().split(" ");
    if (f.length < 7 || f[0].length() != 1) {
      throw new IOException("unexpected /proc/PID/stat: " + stat);
    }
    return new long[] {f[0].charAt(0), Long.parseUnsignedLong(f[6])};
  }
}
