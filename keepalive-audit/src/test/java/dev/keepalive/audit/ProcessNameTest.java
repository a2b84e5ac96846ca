package dev.keepalive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The names {@code --all} and the exporter show: what a person knows the process by. */
class ProcessNameTest {

  private static String name(String exe, String... argv) {
    return ProcessName.fromCommandLine(List.of(argv), exe);
  }

  @Test
  void aJvmIsItsMainClassItsJarItsModuleOrItsSourceFile() {
    String java = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
    assertEquals("Kafka", name(java, "java", "-Xmx1G", "-cp", "/opt/kafka/libs/*",
        "-Dlog4j.configuration=file:x", "kafka.Kafka", "server.properties"));
    assertEquals("app.jar", name(java, "/usr/bin/java", "-jar", "/srv/app.jar", "--port", "8080"));
    assertEquals("Main", name(java, "java", "--module-path", "mods", "-m", "com.shop/com.shop.Main"));
    assertEquals("com.shop", name(java, "java", "-p", "mods", "--module=com.shop"));
    assertEquals("Shop.java", name(java, "java", "--enable-native-access", "ALL-UNNAMED",
        "Shop.java"));
    assertEquals("ForkedBooter", name(java, "java", "@/tmp/surefire-args",
        "org.apache.maven.surefire.booter.ForkedBooter", "/tmp/x"));
    assertEquals("java", name(java, "java", "-version"));
  }

  @Test
  void anyOtherProgramIsTheNameItWasStartedByEvenWithARewrittenTitle() {
    assertEquals("redis-server", name("/usr/bin/redis-check-rdb", "redis-server 127.0.0.1:6379"));
    assertEquals("postgres", name("/usr/lib/postgresql/15/bin/postgres",
        "postgres: keepalive keepalive 127.0.0.1(50500) idle"));
    assertEquals("python3", name("/usr/bin/python3.11", "python3", "server.py"));
    assertEquals("nginx", name(null, "nginx: worker process"));
    assertEquals("target", name("/tmp/x/target", "/tmp/x/target", "sockets", "3"));
  }
}
