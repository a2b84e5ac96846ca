package dev.keepalive.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The compiled module-info: the meters exported, the readers only to the starter. */
class ModuleDescriptorTest {

  private static ModuleDescriptor descriptor() throws Exception {
    Path classes = Path.of(KeepaliveMetrics.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI());
    return ModuleFinder.of(classes).find("dev.keepalive.micrometer").orElseThrow().descriptor();
  }

  @Test
  void exportsTheMetersAndTheReadersOnlyToTheStarter() throws Exception {
    ModuleDescriptor d = descriptor();
    assertEquals(Set.of("dev.keepalive.micrometer"), d.exports().stream()
        .filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet()));
    assertEquals(Set.of("dev.keepalive.spring.boot"), d.exports().stream()
        .filter(e -> e.source().equals("dev.keepalive.micrometer.internal")).findFirst()
        .orElseThrow().targets());
  }

  @Test
  void requiresTheApiMicrometerAndJmxOnly() throws Exception {
    assertEquals(Set.of("java.base", "dev.keepalive", "micrometer.core", "java.management"),
        descriptor().requires().stream().map(ModuleDescriptor.Requires::name)
            .collect(Collectors.toSet()));
  }
}
