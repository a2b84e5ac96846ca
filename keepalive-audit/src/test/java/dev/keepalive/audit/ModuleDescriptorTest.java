package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module exports its one package and needs the api (transitively: policy() returns it); the
 * Prometheus client, which only the command's exporter uses, is optional ({@code requires static}).
 */
class ModuleDescriptorTest {

  private static ModuleDescriptor descriptor() throws Exception {
    try (InputStream in = Audit.class.getProtectionDomain().getCodeSource().getLocation().toURI()
        .resolve("module-info.class").toURL().openStream()) {
      return ModuleDescriptor.read(in);
    } catch (IOException e) {
      throw e;
    }
  }

  @Test
  void exportsOnlyTheAuditPackage() throws Exception {
    ModuleDescriptor d = descriptor();
    assertEquals("dev.keepalive.audit", d.name());
    assertEquals(Set.of("dev.keepalive.audit"), d.exports().stream()
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
  }

  @Test
  void requiresTheApiTransitivelyAndThePrometheusClientOnlyStatically() throws Exception {
    ModuleDescriptor d = descriptor();
    assertEquals(Set.of("dev.keepalive", "java.base"), d.requires().stream()
        .filter(r -> !r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC))
        .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
    assertEquals(Set.of("io.prometheus.metrics.core", "io.prometheus.metrics.model",
        "io.prometheus.metrics.exporter.httpserver", "jdk.httpserver"), d.requires().stream()
        .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC))
        .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
    assertEquals(Set.of(ModuleDescriptor.Requires.Modifier.TRANSITIVE), d.requires().stream()
        .filter(r -> r.name().equals("dev.keepalive")).findFirst().orElseThrow().modifiers());
  }
}
