package dev.keepalive.agentit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Netty's native channels under the agent, on each JDK line: epoll and io_uring on Netty 4.2 (the
 * test class path), epoll and the incubator's io_uring on Netty 4.1 (jars the build copies to
 * target/netty41). The bootstrap's own keepalive options (5/5/3) show in the control run; under
 * the agent the policy, user timeout included, wins on the connected and the accepted channel.
 */
class NettyIT {

  static final String POLICY = HooksIT.POLICY + ",user-timeout=30s";
  static final String APPLIED = "61/11/4,ut=30000";

  @BeforeAll
  static void kernel() {
    Kernel.assumeReadable();
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (Jdk jdk : Jdk.all()) {
      all.add(Arguments.of(jdk, "4.2", "epoll"));
      all.add(Arguments.of(jdk, "4.2", "io_uring"));
      all.add(Arguments.of(jdk, "4.1", "epoll"));
      all.add(Arguments.of(jdk, "4.1", "io_uring-incubator"));
    }
    return all.stream();
  }

  /** The class path for {@code netty}: the test class path, or 4.1's jars in place of 4.2's. */
  private static String classPath(String netty) throws IOException {
    if (netty.equals("4.2")) {
      return Child.classPath();
    }
    // Beside the agent jar, which failsafe names by its absolute path.
    Path dir = Child.AGENT.toAbsolutePath().getParent().resolve("netty41");
    Assumptions.assumeTrue(Files.isDirectory(dir), "no Netty 4.1 jars in " + dir);
    try (Stream<Path> jars = Files.list(dir)) {
      String netty41 = jars.map(Path::toString).sorted().collect(Collectors.joining(
          File.pathSeparator));
      String rest = Stream.of(Child.classPath().split(File.pathSeparator))
          .filter(e -> !e.contains("/io/netty/")).collect(Collectors.joining(File.pathSeparator));
      return rest + File.pathSeparator + netty41;
    }
  }

  private static Child start(Jdk jdk, String netty, List<String> agent) throws IOException {
    List<String> options = new ArrayList<>(agent);
    if (netty.equals("4.1") && jdk.feature() >= 24) {
      // Netty 4.1 allocates through sun.misc.Unsafe, which JDK 24+ warns about (JEP 498): the
      // application's choice, as in keepalive-netty41-tests, not the agent's business.
      options.add("--sun-misc-unsafe-memory-access=allow");
    }
    return Child.startOn(classPath(netty), jdk, options, java.util.Map.of(),
        NettyScenario.class.getName());
  }

  @ParameterizedTest(name = "{0}, Netty {1} {2}")
  @MethodSource("cases")
  void thePolicyWinsOverTheBootstrapsOptions(Jdk jdk, String netty, String transport)
      throws IOException {
    try (Child control = start(jdk, netty, List.of());
        Child child = start(jdk, netty, Child.agent(POLICY))) {
      String[] fields = run(control, transport);
      assertEquals("5/5/3", fields[0], "connected, no agent");
      assertEquals("5/5/3", fields[1], "accepted, no agent");
      fields = run(child, transport);
      assertEquals(APPLIED, fields[0], "connected, agent");
      assertEquals(APPLIED, fields[1], "accepted, agent");
      List<String> noise = child.stderrBesidesInfo();
      assertEquals(List.of(), noise);
    }
  }

  /** Server and client in the child: the client's fields, then the accepted channel's. */
  private static String[] run(Child child, String transport) throws IOException {
    String server = child.ok("server " + transport);
    Assumptions.assumeFalse(server.startsWith("unavailable"), transport + " " + server);
    String local = child.ok("client " + transport + " " + server);
    return new String[] {Kernel.local(child, Integer.parseInt(local)),
        Kernel.remote(child, Integer.parseInt(local))};
  }
}
