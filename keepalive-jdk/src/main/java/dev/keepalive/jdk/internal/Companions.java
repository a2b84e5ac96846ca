package dev.keepalive.jdk.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the doctor finds keepalive's other tools, keepalive-audit and keepalive-agent, and a Java
 * to run the audit on: found from keepalive-jdk's own location, so that the command it prints is
 * one that works on this machine, or it says plainly what is missing.
 *
 * <ul>
 *   <li>A build tree: {@code ROOT/keepalive-jdk/target/classes} or {@code
 *       ROOT/keepalive-jdk/target/keepalive-jdk-V.jar} → {@code ROOT/A/target/A-V.jar}.
 *   <li>A Maven repository: {@code REPO/dev/keepalive/keepalive-jdk/V/keepalive-jdk-V.jar} → {@code
 *       REPO/dev/keepalive/A/V/A-V.jar}.
 *   <li>Any other directory holding {@code keepalive-jdk-V.jar} (an application's {@code lib/}) →
 *       {@code A-V.jar} beside it.
 * </ul>
 */
public final class Companions {

  private static final String SELF = "keepalive-jdk";
  private static final Pattern RELEASE_VERSION =
      Pattern.compile("^JAVA_VERSION=\"?([^\"]+)\"?\\s*$");
  private static final Pattern PARENT_VERSION = Pattern.compile(
      "<artifactId>keepalive-parent</artifactId>\\s*<version>([^<]+)</version>");

  private Companions() {}

  /** How keepalive-jdk itself was found. */
  public enum Layout {
    /** A source tree built with Maven: {@code ROOT/keepalive-jdk/target/...}. */
    BUILD_TREE,
    /** A Maven repository: {@code REPO/dev/keepalive/keepalive-jdk/V/}. */
    MAVEN_REPOSITORY,
    /** A directory of jars. */
    DIRECTORY
  }

  /** keepalive-jdk's place, from which the companions are found. */
  public static final class Home {
    final Layout layout;
    /** The build tree's root, the repository's {@code dev/keepalive} directory, or the jar's. */
    final Path base;
    final String version;

    Home(Layout layout, Path base, String version) {
      this.layout = layout;
      this.base = base;
      this.version = version;
    }

    /**
     * The layout.
     *
     * @return how keepalive-jdk was found
     */
    public Layout layout() {
      return layout;
    }

    /**
     * The version keepalive-jdk has, and its companions should have.
     *
     * @return e.g. {@code 0.1.0-SNAPSHOT}
     */
    public String version() {
      return version;
    }

    /**
     * Where another artifact of the project is, or would be.
     *
     * @param artifactId e.g. {@code keepalive-audit}
     * @return the jar's path, whether it exists or not
     */
    public Path jar(String artifactId) {
      String file = artifactId + "-" + version + ".jar";
      switch (layout) {
        case BUILD_TREE:
          return base.resolve(artifactId).resolve("target").resolve(file);
        case MAVEN_REPOSITORY:
          return base.resolve(artifactId).resolve(version).resolve(file);
        default:
          return base.resolve(file);
      }
    }

    /**
     * What to do when {@code artifactId}'s jar is not there.
     *
     * @param artifactId e.g. {@code keepalive-agent}
     * @param javaHome the JAVA_HOME to build with, or null to build with the default JDK
     * @return a sentence with a command
     */
    public String howToGet(String artifactId, String javaHome) {
      switch (layout) {
        case BUILD_TREE:
          if (!Files.isRegularFile(base.resolve(artifactId).resolve("pom.xml"))) {
            return "this source tree has no " + artifactId + " module (no "
                + base.resolve(artifactId).resolve("pom.xml") + "): update it";
          }
          return "build it: cd " + Shell.quote(base.toString()) + " && "
              + (javaHome == null ? "" : "JAVA_HOME=" + Shell.quote(javaHome) + " ")
              + "mvn -B -q -DskipTests -pl " + artifactId + " -am package";
        case MAVEN_REPOSITORY:
          return "fetch it into this Maven repository: mvn -B dependency:get -Dartifact=dev.keepalive:"
              + artifactId + ":" + version;
        default:
          return "put " + artifactId + "-" + version + ".jar beside keepalive-jdk-" + version
              + ".jar in " + base;
      }
    }
  }

  /**
   * Where a class's code comes from.
   *
   * @param type the class
   * @return its jar or class directory, if the runtime says
   */
  public static Optional<Path> location(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Paths.get(source.getLocation().toURI()));
    } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
      return Optional.empty();
    }
  }

  /**
   * keepalive-jdk's place, from its own location.
   *
   * @param location keepalive-jdk's jar or class directory
   * @return its layout, base and version; empty if none of the layouts fits
   */
  public static Optional<Home> home(Path location) {
    Path self = location.toAbsolutePath().normalize();
    Path name = self.getFileName();
    if (name == null) {
      return Optional.empty();
    }
    String file = name.toString();
    if (Files.isDirectory(self)) {
      // ROOT/keepalive-jdk/target/classes: the reactor's own output, before any jar.
      Path target = self.getParent();
      Path module = target == null ? null : target.getParent();
      Path root = module == null ? null : module.getParent();
      if (root != null && file.equals("classes") && named(target, "target") && named(module, SELF)
          && Files.isRegularFile(root.resolve("pom.xml"))) {
        return rootPomVersion(root).map(v -> new Home(Layout.BUILD_TREE, root, v));
      }
      return Optional.empty();
    }
    String prefix = SELF + "-";
    if (!file.startsWith(prefix) || !file.endsWith(".jar")) {
      return Optional.empty();
    }
    String version = file.substring(prefix.length(), file.length() - ".jar".length());
    Path dir = self.getParent();
    if (version.isEmpty() || dir == null) {
      return Optional.empty();
    }
    Path up = dir.getParent();
    Path upUp = up == null ? null : up.getParent();
    if (named(dir, "target") && named(up, SELF) && upUp != null
        && Files.isRegularFile(upUp.resolve("pom.xml"))) {
      return Optional.of(new Home(Layout.BUILD_TREE, upUp, version));
    }
    if (named(dir, version) && named(up, SELF) && upUp != null) {
      return Optional.of(new Home(Layout.MAVEN_REPOSITORY, upUp, version));
    }
    return Optional.of(new Home(Layout.DIRECTORY, dir, version));
  }

  private static boolean named(Path p, String name) {
    return p != null && p.getFileName() != null && p.getFileName().toString().equals(name);
  }

  private static Optional<String> rootPomVersion(Path root) {
    try {
      Matcher m = PARENT_VERSION.matcher(new String(Files.readAllBytes(root.resolve("pom.xml")),
          StandardCharsets.UTF_8));
      return m.find() ? Optional.of(m.group(1).trim()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** A Java installation. */
  public static final class Java {
    final Path executable;
    final String version;
    final int feature;

    Java(Path executable, String version, int feature) {
      this.executable = executable;
      this.version = version;
      this.feature = feature;
    }

    /**
     * A Java at {@code executable} of {@code version}.
     *
     * @param executable its {@code bin/java}
     * @param version its version, e.g. {@code 17.0.21}
     * @return the Java
     */
    public static Java of(Path executable, String version) {
      return new Java(executable, version, Companions.feature(version));
    }

    /**
     * Its {@code bin/java}.
     *
     * @return the launcher's path
     */
    public Path executable() {
      return executable;
    }

    /**
     * Its version, as its {@code release} file or {@code java.version} says.
     *
     * @return e.g. {@code 25.0.3}
     */
    public String version() {
      return version;
    }

    /**
     * Its feature release.
     *
     * @return e.g. 25
     */
    public int feature() {
      return feature;
    }

    /**
     * The installation's home.
     *
     * @return the directory holding {@code bin/java}
     */
    public Path home() {
      return executable.getParent().getParent();
    }
  }

  /**
   * The newest Java of at least {@code minFeature}: this JVM if it is one, else one of the JDKs in
   * {@code roots} (each root's subdirectories, and the root itself, whose {@code release} file says
   * {@code JAVA_VERSION} and which has {@code bin/java}).
   *
   * @param minFeature e.g. 22
   * @param thisJvm the running JVM
   * @param roots where installations are looked for, in order ({@link #jdkRoots}); of two with the
   *     same feature release, the first found
   * @return the Java, or empty if there is none
   */
  public static Optional<Java> java(int minFeature, Java thisJvm, List<Path> roots) {
    if (thisJvm.feature >= minFeature) {
      return Optional.of(thisJvm);
    }
    Java best = null;
    Set<Path> seen = new LinkedHashSet<>();
    for (Path root : roots) {
      List<Path> homes = new ArrayList<>();
      homes.add(root);
      if (Files.isDirectory(root)) {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
          for (Path child : children) {
            homes.add(child);
          }
        } catch (IOException | SecurityException e) {
          // An unreadable directory holds no Java we can use.
        }
      }
      homes.subList(1, homes.size()).sort(null);
      for (Path home : homes) {
        Optional<Java> java = installed(home, seen);
        if (java.isPresent() && java.get().feature >= minFeature
            && (best == null || java.get().feature > best.feature)) {
          best = java.get();
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /** The Java installed at {@code home}, once per real directory. */
  private static Optional<Java> installed(Path home, Set<Path> seen) {
    Path release = home.resolve("release");
    Path java = home.resolve("bin").resolve("java");
    if (!Files.isRegularFile(release) || !Files.isExecutable(java)) {
      return Optional.empty();
    }
    try {
      if (!seen.add(home.toRealPath())) {
        return Optional.empty();
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    try (BufferedReader r = Files.newBufferedReader(release, StandardCharsets.UTF_8)) {
      for (String line; (line = r.readLine()) != null; ) {
        Matcher m = RELEASE_VERSION.matcher(line.trim());
        if (m.matches()) {
          int feature = feature(m.group(1));
          return feature > 0 ? Optional.of(new Java(java, m.group(1), feature))
              : Optional.empty();
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /**
   * The running JVM.
   *
   * @return its launcher, version and feature release
   */
  public static Java thisJvm() {
    String version = System.getProperty("java.version", "");
    return Java.of(Paths.get(System.getProperty("java.home", "")).resolve("bin").resolve("java"),
        version);
  }

  /**
   * The feature release of a version string.
   *
   * @param version e.g. {@code 25.0.3}, {@code 17.0.21.1}, {@code 22}, {@code 1.8.0_392}
   * @return e.g. 25, 17, 22, 8; 0 if it is not a version
   */
  public static int feature(String version) {
    String v = version.trim();
    if (v.startsWith("1.")) {
      v = v.substring(2);
    }
    int end = 0;
    while (end < v.length() && end < 9 && Character.isDigit(v.charAt(end))) {
      end++;
    }
    return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
  }

  /**
   * Where JDKs are usually installed here: {@code $JAVA_HOME} and the directory holding it, {@code
   * /usr/lib/jvm}, and the directory holding this JVM.
   *
   * @param javaHomeEnv the JAVA_HOME environment variable, or null
   * @param thisJavaHome this JVM's {@code java.home}
   * @return the directories to look in, without duplicates
   */
  public static List<Path> jdkRoots(String javaHomeEnv, Path thisJavaHome) {
    // $JAVA_HOME first: between two of the same feature release, the one the user pointed at wins.
    Set<Path> roots = new LinkedHashSet<>();
    if (javaHomeEnv != null && !javaHomeEnv.trim().isEmpty()) {
      Path env = Paths.get(javaHomeEnv.trim()).toAbsolutePath().normalize();
      roots.add(env);
      if (env.getParent() != null) {
        roots.add(env.getParent());
      }
    }
    roots.add(Paths.get("/usr/lib/jvm"));
    Path parent = thisJavaHome.toAbsolutePath().normalize().getParent();
    if (parent != null) {
      roots.add(parent);
    }
    return new ArrayList<>(roots);
  }

  /** Quoting for a POSIX shell, so that a printed command can be pasted as it is. */
  public static final class Shell {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private Shell() {}

    /**
     * {@code word} as one shell word.
     *
     * @param word any text
     * @return the text itself where no character is special, else in single quotes
     */
    public static String quote(String word) {
      if (SAFE.matcher(word).matches()) {
        return word;
      }
      return "'" + word.replace("'", "'\\''") + "'";
    }
  }
}
