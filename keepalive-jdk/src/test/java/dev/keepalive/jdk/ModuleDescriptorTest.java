package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module exports its API package alone and only optionally needs jdk.net. */
class ModuleDescriptorTest {

  private static ModuleDescriptor descriptor() throws IOException {
    // Read from this module's own output, not the api's: both are on the test class path.
    try (InputStream in = Keepalive.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI().resolve("module-info.class").toURL().openStream()) {
      return ModuleDescriptor.read(in);
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
  }

  @Test
  void exportsOnlyTheApiPackage() throws IOException {
    ModuleDescriptor d = descriptor();
    assertEquals("dev.keepalive.jdk", d.name());
    Set<String> exports = d.exports().stream().map(e -> {
      assertFalse(e.isQualified(), e.toString());
      return e.source();
    }).collect(Collectors.toSet());
    assertEquals(Set.of("dev.keepalive.jdk"), exports);
  }

  @Test
  void requiresTheApiTransitivelyAndJdkNetSoModularAppsAndJlinkGetIt() throws IOException {
    ModuleDescriptor d = descriptor();
    ModuleDescriptor.Requires api = null;
    ModuleDescriptor.Requires jdkNet = null;
    for (ModuleDescriptor.Requires r : d.requires()) {
      if (r.name().equals("dev.keepalive")) {
        api = r;
      } else if (r.name().equals("jdk.net")) {
        jdkNet = r;
      }
    }
    assertNotNull(api);
    assertTrue(api.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE));
    assertNotNull(jdkNet);
    assertEquals(Set.of(), jdkNet.modifiers());
  }
}
