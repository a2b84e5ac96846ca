package dev.keepalive.agentit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JDKs the agent's hooks are proven on, each in child JVMs: the hooked classes are JDK
 * internals, so every hook is tested on each JDK line installed here (17 and 25 in CI), whichever
 * JDK runs the build.
 */
record Jdk(int feature, Path home) {

  static final List<Path> CANDIDATES = List.of(Path.of(System.getProperty("java.home")),
      Path.of("/usr/lib/jvm/java-17-openjdk-amd64"), Path.of("/usr/lib/jvm/temurin-25-jdk-amd64"));

  Path java() {
    return home.resolve("bin").resolve("java");
  }

  @Override
  public String toString() {
    return "JDK " + feature;
  }

  /** Every JDK line installed here, once each. */
  static List<Jdk> all() {
    Map<Integer, Jdk> byFeature = new LinkedHashMap<>();
    for (Path home : CANDIDATES) {
      Path java = home.resolve("bin").resolve("java");
      if (!Files.isExecutable(java)) {
        continue;
      }
      try {
        int feature = feature(home);
        byFeature.putIfAbsent(feature, new Jdk(feature, home.toRealPath()));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the release file of " + home, e);
      }
    }
    return new ArrayList<>(byFeature.values());
  }

  private static int feature(Path home) throws IOException {
    for (String line : Files.readAllLines(home.resolve("release"))) {
      if (line.startsWith("JAVA_VERSION=")) {
        String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
        return Integer.parseInt(v.split("[.+-]")[0]);
      }
    }
    throw new IOException("no JAVA_VERSION in " + home.resolve("release"));
  }
}
