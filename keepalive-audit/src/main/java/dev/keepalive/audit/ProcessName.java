package dev.keepalive.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The name a person recognises a process by, from its command line: for a JVM the main class's
 * simple name, the jar of {@code -jar}, the module's main class of {@code -m}, or the source file
 * of a single-file program; otherwise the program's name as it was started ({@code argv[0]}'s
 * file name: {@code redis-server}, not the {@code redis-check-rdb} its link points to), also when
 * the program rewrote its title ({@code postgres: checkpointer} is {@code postgres}).
 */
final class ProcessName {

  /** The launcher's options that take the next argument as their value. */
  private static final Set<String> WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p",
      "--module-path", "--upgrade-module-path", "--add-modules", "--add-opens", "--add-exports",
      "--add-reads", "--patch-module", "--limit-modules", "--enable-native-access", "--source",
      "--illegal-native-access", "-splash");

  private ProcessName() {}

  /** The name of process {@code pid}, or {@code ?} if /proc tells nothing. */
  static String of(long pid) {
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      List<String> argv = split(Files.readAllBytes(proc.resolve("cmdline")));
      String exe = null;
      try {
        exe = Files.readSymbolicLink(proc.resolve("exe")).toString();
      } catch (IOException | UnsupportedOperationException e) {
        // another user's process, or a kernel thread: the command line still tells
      }
      String name = fromCommandLine(argv, exe);
      if (name != null) {
        return name;
      }
      return Files.readString(proc.resolve("comm"), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "?";
    }
  }

  static String fromCommandLine(List<String> argv, String exe) {
    if (argv.isEmpty()) {
      return exe == null ? null : baseName(exe);
    }
    String started = baseName(firstWord(argv.get(0)));
    if (!started.equals("java") && (exe == null || !baseName(exe).equals("java"))) {
      return started.isEmpty() ? (exe == null ? null : baseName(exe)) : started;
    }
    for (int i = 1; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (arg.equals("-jar") && i + 1 < argv.size()) {
        return baseName(argv.get(i + 1));
      }
      if ((arg.equals("-m") || arg.equals("--module")) && i + 1 < argv.size()) {
        String module = argv.get(i + 1);
        int slash = module.indexOf('/');
        return slash < 0 ? module : simpleName(module.substring(slash + 1));
      }
      if (arg.startsWith("--module=")) {
        String module = arg.substring("--module=".length());
        int slash = module.indexOf('/');
        return slash < 0 ? module : simpleName(module.substring(slash + 1));
      }
      if (WITH_VALUE.contains(arg)) {
        i++;
        continue;
      }
      if (arg.startsWith("-") || arg.startsWith("@")) {
        continue;
      }
      return arg.endsWith(".java") ? baseName(arg) : simpleName(arg);
    }
    return "java";
  }

  /** The program's name in a title it rewrote: {@code "postgres: walwriter"}, {@code "nginx: …"}. */
  private static String firstWord(String arg0) {
    int space = arg0.indexOf(' ');
    String word = space < 0 ? arg0 : arg0.substring(0, space);
    return word.endsWith(":") ? word.substring(0, word.length() - 1) : word;
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  private static String baseName(String path) {
    String p = path.endsWith(" (deleted)") ? path.substring(0, path.length() - 10) : path;
    return p.substring(p.lastIndexOf('/') + 1);
  }

  private static List<String> split(byte[] cmdline) {
    List<String> argv = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < cmdline.length; i++) {
      if (cmdline[i] == 0) {
        argv.add(new String(cmdline, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start < cmdline.length) {
      argv.add(new String(cmdline, start, cmdline.length - start, StandardCharsets.UTF_8));
    }
    return argv;
  }
}
