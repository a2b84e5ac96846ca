package dev.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The compiled module-info: the API and the SPI are exported to everyone, the command-line toolkit
 * to the project's own modules only, and java.base alone is required.
 */
class ModuleDescriptorTest {

  private static ModuleDescriptor descriptor() throws Exception {
    Path classes = Path.of(KeepalivePolicy.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    return ModuleFinder.of(classes).find("dev.keepalive").orElseThrow().descriptor();
  }

  @Test
  void exportsTheApiAndTheAdapterSpi() throws Exception {
    assertEquals(Set.of("dev.keepalive", "dev.keepalive.spi"), descriptor().exports().stream()
        .filter(e -> !e.isQualified())
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
  }

  @Test
  void exportsTheCommandLineToolkitOnlyToTheProjectsOwnModules() throws Exception {
    ModuleDescriptor.Exports cli = descriptor().exports().stream()
        .filter(e -> e.source().equals("dev.keepalive.internal.cli")).findFirst().orElseThrow();
    assertEquals(Set.of("dev.keepalive.jdk", "dev.keepalive.netty", "dev.keepalive.audit"),
        cli.targets());
  }

  @Test
  void dependsOnJavaBaseAlone() throws Exception {
    assertEquals(Set.of("java.base"), descriptor().requires().stream()
        .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
  }
}
