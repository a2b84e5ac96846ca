package dev.keepalive.agent;

import java.lang.instrument.Instrumentation;
import java.util.function.Function;

/**
 * keepalive-agent's entry points: {@code -javaagent:keepalive-agent.jar[=SETTINGS]} ({@link
 * #premain}) and an attach to a running JVM ({@link #agentmain}, through {@code java -jar
 * keepalive-agent.jar attach PID POLICY}).
 *
 * <p>SETTINGS is a policy ({@code idle=60s,interval=10s,probes=3}), {@code file=PATH} (a {@code
 * .properties} file of the agent's settings), or nothing (then {@code -Dkeepalive.policy} or the
 * environment variable {@code KEEPALIVE_POLICY}); rules, mode and pinning come from the file or
 * system properties ({@link Settings}).
 *
 * <p>Start-up checks every setting before anything is instrumented. A setting the agent cannot
 * honour stops the JVM before {@code main} with one line on stderr naming the setting and the
 * value, and exit status {@value #BAD_SETTINGS}: an exception out of {@code premain} would make
 * the JVM print "FATAL ERROR in native method" and a stack trace instead. On success it prints one
 * INFO line (the policy, the rules, the mode, pinning), sets the system property {@value
 * #VERSION_PROPERTY}, and from then on every TCP connection the JVM opens or accepts carries its
 * rule's policy.
 */
public final class KeepaliveAgent {

  /** The system property the agent sets to its version once installed. */
  public static final String VERSION_PROPERTY = "keepalive.agent.version";

  /** The JVM's exit status when a setting stops it before {@code main}. */
  public static final int BAD_SETTINGS = 78;

  private static final Object LOCK = new Object();

  /*
   * No lambda, method reference or indy string concatenation on the start-up path (the module
   * compiles with -XDstringConcat=inline): the first of each bootstraps java.lang.invoke machinery
   * that cost this agent about 60 ms of its start-up.
   */
  private static final Function<String, String> ENVIRONMENT = new Function<String, String>() {
    @Override
    public String apply(String name) {
      return System.getenv(name);
    }
  };
  private static boolean installed;

  private KeepaliveAgent() {}

  /**
   * {@code -javaagent:keepalive-agent.jar[=SETTINGS]}: before {@code main}.
   *
   * @param argument the settings after {@code =}, or null
   * @param inst the JVM's instrumentation
   */
  public static void premain(String argument, Instrumentation inst) {
    String problem = start(argument, inst, "started");
    if (problem != null) {
      System.err.println("keepalive-agent: " + problem);
      System.err.flush();
      // Before main: nothing of the application runs yet. Exit rather than throw, which the JVM
      // would report as "FATAL ERROR in native method" with a stack trace.
      System.exit(BAD_SETTINGS);
    }
  }

  /**
   * An attach ({@code java -jar keepalive-agent.jar attach PID POLICY}): connections opened from
   * now on carry the policy. A second attach replaces the settings; the hooks are installed once.
   * A setting the agent cannot honour leaves the JVM running as it was, with one line on its
   * stderr (the attach command checks the settings before it attaches).
   *
   * @param argument the settings, as for {@link #premain}
   * @param inst the JVM's instrumentation
   */
  public static void agentmain(String argument, Instrumentation inst) {
    String problem = start(argument, inst, "attached");
    if (problem != null) {
      System.err.println("keepalive-agent: " + problem);
      System.err.flush();
    }
  }

  /** Starts or reconfigures the agent; returns the one-line problem, or null. */
  private static String start(String argument, Instrumentation inst, String how) {
    long t0 = System.nanoTime();
    Settings settings;
    try {
      settings = Settings.load(argument, System.getProperties(), ENVIRONMENT);
    } catch (SettingsException e) {
      return "cannot start: " + e.getMessage();
    }
    synchronized (LOCK) {
      boolean again = installed;
      Hooks.use(settings);
      if (!again) {
        try {
          Bridge.install(inst);
          Weaver.install(inst);
        } catch (RuntimeException | LinkageError e) {
          Hooks.use(null);
          return "cannot start: cannot instrument this JVM's sockets (" + e + ")";
        }
        installed = true;
        System.setProperty(VERSION_PROPERTY, version());
      }
      System.err.println("keepalive-agent " + version() + " INFO: "
          + (again ? "settings replaced" : how) + " in " + (System.nanoTime() - t0) / 1_000_000
          + " ms: " + settings.describe());
      System.err.flush();
    }
    return null;
  }

  /**
   * The agent's version: its jar's {@code Implementation-Version}.
   *
   * @return e.g. {@code 0.1.0}; {@code unknown} when not run from the jar
   */
  static String version() {
    String v = KeepaliveAgent.class.getPackage().getImplementationVersion();
    return v == null ? "unknown" : v;
  }
}
