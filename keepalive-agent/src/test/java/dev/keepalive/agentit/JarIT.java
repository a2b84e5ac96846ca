package dev.keepalive.agentit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The one self-contained jar: nothing outside its own package, so nothing clashes. */
class JarIT {

  @Test
  void everyClassIsUnderTheAgentsOwnPackage() throws IOException {
    try (JarFile jar = new JarFile(Child.AGENT.toFile())) {
      List<String> outside = Collections.list(jar.entries()).stream().map(JarEntry::getName)
          .filter(n -> !n.startsWith("dev/keepalive/agent/") && !n.startsWith("META-INF/"))
          .filter(n -> !n.equals("dev/") && !n.equals("dev/keepalive/"))
          .collect(Collectors.toList());
      assertEquals(List.of(), outside, "jar tf shows only dev/keepalive/agent/... and META-INF");
      List<String> names = Collections.list(jar.entries()).stream().map(JarEntry::getName)
          .collect(Collectors.toList());
      assertTrue(names.contains("dev/keepalive/agent/shaded/asm/ClassReader.class"), "ASM");
      assertTrue(names.contains("dev/keepalive/agent/shaded/keepalive/KeepalivePolicy.class"));
      assertTrue(names.contains("dev/keepalive/agent/shaded/keepalive/jdk/internal/"
          + "SocketAccess.class"));
      assertTrue(names.stream().noneMatch(n -> n.endsWith("module-info.class")));
      assertTrue(names.contains("META-INF/licenses/ASM"));
    }
  }

  @Test
  void theManifestStartsItAsAnAgentAndAsACommand() throws IOException {
    try (JarFile jar = new JarFile(Child.AGENT.toFile())) {
      Attributes a = jar.getManifest().getMainAttributes();
      assertEquals("dev.keepalive.agent.KeepaliveAgent", a.getValue("Premain-Class"));
      assertEquals("dev.keepalive.agent.KeepaliveAgent", a.getValue("Agent-Class"));
      assertEquals("dev.keepalive.agent.Main", a.getValue("Main-Class"));
      assertEquals("true", a.getValue("Can-Retransform-Classes"));
      assertEquals("true", a.getValue("Can-Redefine-Classes"));
      assertTrue(a.getValue("Implementation-Version").matches("\\d+\\.\\d+\\.\\d+.*"));
    }
  }
}
