package dev.keepalive.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Requires;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module exports its one package and gives its users keepalive-jdk (its constructor takes a
 * KeepaliveSocketFactory); it names no driver module, since Connector/J has no stable one.
 */
class ModuleDescriptorTest {

  private static ModuleDescriptor descriptor() throws IOException {
    try (InputStream in = KeepaliveMysqlSocketFactory.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI().resolve("module-info.class").toURL().openStream()) {
      return ModuleDescriptor.read(in);
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
  }

  @Test
  void exportsItsPackageToEveryone() throws IOException {
    ModuleDescriptor d = descriptor();
    assertEquals("dev.keepalive.mysql", d.name());
    assertEquals(Set.of("dev.keepalive.mysql unqualified"), d.exports().stream()
        .map(e -> e.source() + (e.isQualified() ? " to " + e.targets() : " unqualified"))
        .collect(Collectors.toSet()));
  }

  @Test
  void requiresKeepaliveJdkTransitivelyAndNeverGuessesTheDriversName() throws IOException {
    Map<String, Set<Requires.Modifier>> requires = new TreeMap<>();
    for (Requires r : descriptor().requires()) {
      requires.put(r.name(), r.modifiers());
    }
    requires.remove("java.base");
    // The driver is deliberately absent: it has no stable module name (see module-info.java).
    assertEquals(Map.of("dev.keepalive.jdk", Set.of(Requires.Modifier.TRANSITIVE)), requires);
  }
}
