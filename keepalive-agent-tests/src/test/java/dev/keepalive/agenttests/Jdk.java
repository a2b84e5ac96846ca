package dev.keepalive.agenttests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The JDKs every proof runs on, whatever JDK runs the build: the agent hooks JDK internals
 * ({@code sun.nio.ch}), so each line is proven in its own child JVM.
 */
enum Jdk {
  JDK17(17, "/usr/lib/jvm/java-17-openjdk-amd64",
      // Netty loads its native epoll library with System.loadLibrary.
      List.of("--enable-native-access=ALL-UNNAMED")),
  JDK25(25, "/usr/lib/jvm/temurin-25-jdk-amd64",
      // JDK 24+ warns when Netty loads its native library (JEP 472) and when gRPC's Guava and
      // MySQL's protobuf call sun.misc.Unsafe (JEP 498), on the application's behalf: an
      // application on JDK 25 runs with these flags, so the children do too.
      List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));

  private final int feature;
  private final Path home;
  private final List<String> applicationFlags;

  Jdk(int feature, String home, List<String> applicationFlags) {
    this.feature = feature;
    this.home = Path.of(home);
    this.applicationFlags = applicationFlags;
  }

  /** The Java feature release, 17 or 25. */
  int feature() {
    return feature;
  }

  Path java() {
    return home.resolve("bin/java");
  }

  /** The flags an application on this JDK runs its clients with; none concerns the agent. */
  List<String> applicationFlags() {
    return applicationFlags;
  }

  /** Why this JDK cannot run here, or empty: for a JUnit assumption. */
  Optional<String> unavailable() {
    return Files.isExecutable(java()) ? Optional.empty()
        : Optional.of("no JDK " + feature + " at " + home);
  }

  @Override
  public String toString() {
    return "JDK " + feature;
  }
}
