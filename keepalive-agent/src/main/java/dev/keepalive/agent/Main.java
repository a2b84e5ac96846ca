package dev.keepalive.agent;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.keepalive.internal.cli.Args;
import dev.keepalive.internal.cli.Console;
import dev.keepalive.internal.cli.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * {@code java -jar keepalive-agent.jar attach PID SETTINGS}: loads the agent into a running JVM
 * through the Attach API, so that every connection it opens or accepts from then on carries the
 * policy. SETTINGS is what {@code -javaagent:keepalive-agent.jar=} takes: a policy, or {@code
 * file=PATH} (read by the target JVM). The settings are checked here before anything is attached.
 *
 * <p>Exit status: 0 attached (or the settings replaced); 1 the attach or the agent failed in the
 * target; 2 bad usage or settings.
 */
public final class Main {

  /** Exit status: attached, or the running agent's settings replaced. */
  public static final int OK = 0;
  /** Exit status: the JVM could not be attached, or the agent did not start there. */
  public static final int FAILED = 1;
  /** Exit status: bad usage or settings. */
  public static final int USAGE = Console.USAGE;

  private static final String NAME = "keepalive-agent";

  private static final Args ARGS = Args.of(NAME).flag("--help", "-h").flag("--version")
      .positional("COMMAND").positional("PID").positional("SETTINGS");

  private static final String USAGE_TEXT = String.join("\n",
      "Usage: java -jar keepalive-agent.jar attach PID SETTINGS",
      "       java -jar keepalive-agent.jar --version | --help",
      "",
      "Loads keepalive-agent into the running JVM PID: every TCP connection it opens or accepts",
      "from then on carries the policy (connections already open keep theirs; keepalive-audit",
      "--apply changes those).",
      "",
      "  SETTINGS  a policy, e.g. \"idle=60s,interval=10s,probes=3\", or file=PATH, a .properties",
      "            file of the agent's settings (keepalive.policy, keepalive.policy.to.PORT, ...)",
      "            read by the target JVM",
      "",
      "Attaching again replaces the settings in force. On JDK 21+ the target JVM prints a",
      "warning about a dynamically loaded agent unless it runs with",
      "-XX:+EnableDynamicAgentLoading (JEP 451); -javaagent at start-up never warns.",
      "",
      "Exit status: 0 attached; 1 the attach or the agent failed; 2 bad usage or settings.");

  private Main() {}

  /**
   * Runs the command and exits with its status.
   *
   * @param args the arguments; see {@code --help}
   */
  public static void main(String[] args) {
    Console.exit(Main::run, args);
  }

  /**
   * Runs the command.
   *
   * @param args the arguments
   * @param out where the report goes
   * @param err where an error goes
   * @return the exit status
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> words;
    try {
      Args.Parsed parsed = ARGS.parse(args);
      if (parsed.has("--help")) {
        out.println(USAGE_TEXT);
        return OK;
      }
      if (parsed.has("--version")) {
        out.println(NAME + " " + KeepaliveAgent.version());
        return OK;
      }
      words = parsed.positionals();
      if (words.isEmpty()) {
        throw new UsageException("no command: the command is attach");
      }
      if (!words.get(0).equals("attach")) {
        throw new UsageException("unknown command '" + words.get(0) + "': the command is attach");
      }
      if (words.size() < 3) {
        throw new UsageException(words.size() < 2 ? "attach needs a PID and the settings"
            : "attach needs the settings after the PID, e.g. \"idle=60s,interval=10s,probes=3\"");
      }
      Args.Parsed.number("PID", words.get(1), 1, Long.MAX_VALUE, "a process id");
      check(words.get(2));
    } catch (UsageException e) {
      return Console.usage(err, NAME, e.getMessage());
    }
    return attach(words.get(1), words.get(2), out, err);
  }

  /** The target reads the settings; they are checked here first, as far as they can be. */
  private static void check(String settings) throws UsageException {
    String text = settings.trim();
    if (text.startsWith(Settings.FILE_ARGUMENT)) {
      Path file = Paths.get(text.substring(Settings.FILE_ARGUMENT.length()).trim());
      try {
        Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        // Perhaps only there in the target's file system (a container): the target checks it.
        return;
      } catch (IOException e) {
        return;
      }
    }
    try {
      Settings.load(text, new Properties(), name -> null);
    } catch (SettingsException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static int attach(String pid, String settings, PrintStream out, PrintStream err) {
    String jar;
    try {
      jar = Paths.get(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException | RuntimeException e) {
      err.println(NAME + ": cannot find the agent's own jar: " + e);
      return FAILED;
    }
    VirtualMachine vm;
    try {
      vm = VirtualMachine.attach(pid);
    } catch (AttachNotSupportedException | IOException e) {
      err.println(NAME + ": cannot attach to " + pid + ": " + e.getMessage()
          + " (the same user as the target, or root, is needed; a JVM started with"
          + " -XX:+DisableAttachMechanism refuses)");
      return FAILED;
    }
    try {
      Properties before = vm.getSystemProperties();
      String running = before.getProperty(KeepaliveAgent.VERSION_PROPERTY);
      String java = before.getProperty("java.specification.version", "?");
      vm.loadAgent(jar, settings);
      String now = vm.getSystemProperties().getProperty(KeepaliveAgent.VERSION_PROPERTY);
      if (now == null) {
        err.println(NAME + ": the agent did not start in " + pid + ": its stderr says why");
        return FAILED;
      }
      out.println(String.format(Locale.ROOT, running == null
          ? "keepalive-agent %s attached to %s (Java %s): connections it opens or accepts from"
              + " now on carry %s"
          : "keepalive-agent %s was running in %s (Java %s): its settings are replaced by %s",
          now, pid, java, settings));
      out.println("Connections already open keep their keepalive: keepalive-audit --apply"
          + " changes those.");
      if (feature(java) >= 21) {
        out.println(dynamicLoadingNote(pid, java));
      }
      return OK;
    } catch (AgentLoadException | AgentInitializationException | IOException e) {
      err.println(NAME + ": loading the agent into " + pid + " failed: " + e.getMessage()
          + " (its stderr may say more)");
      return FAILED;
    } finally {
      try {
        vm.detach();
      } catch (IOException e) {
        // Detaching only closes our end; the agent stays loaded either way.
      }
    }
  }

  /** JEP 451: what the target printed, as far as its command line tells. */
  private static String dynamicLoadingNote(String pid, String java) {
    String allowed = "-XX:+EnableDynamicAgentLoading";
    boolean known = false;
    boolean enabled = false;
    try {
      Path proc = Paths.get("/proc", pid);
      String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")),
          StandardCharsets.UTF_8);
      String environ = new String(Files.readAllBytes(proc.resolve("environ")),
          StandardCharsets.UTF_8);
      known = true;
      enabled = cmdline.contains(allowed) || environ.contains(allowed);
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: say what the JVM does in general.
    }
    if (known && enabled) {
      return "Java " + java + " runs with " + allowed + ": no warning about the dynamically"
          + " loaded agent (JEP 451).";
    }
    return "Java " + java + (known ? " runs without " + allowed + ", so it printed"
        : " prints, unless it runs with " + allowed + ",")
        + " a warning about a dynamically loaded agent on its stderr (JEP 451); start it with "
        + allowed + ", or with -javaagent:, to avoid it.";
  }

  private static int feature(String specification) {
    try {
      return Integer.parseInt(specification.startsWith("1.") ? specification.substring(2)
          : specification);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
