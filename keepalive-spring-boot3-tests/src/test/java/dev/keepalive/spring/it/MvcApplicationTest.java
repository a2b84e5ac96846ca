package dev.keepalive.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keepalive.contract.KernelReader;
import dev.keepalive.spring.it.mvc.MvcApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Spring MVC application on embedded Tomcat (and on Jetty), RestClient from Boot's builder on
 * Apache HttpClient 5 (and on Reactor Netty), configured with {@code keepalive.policy} and nothing
 * else: every connection of its JVM read back from the kernel; the control without the starter.
 */
class MvcApplicationTest {

  static final String POLICY = WebFluxApplicationTest.POLICY;
  static final String FIELDS = WebFluxApplicationTest.FIELDS;

  @BeforeAll
  static void kernelReader() {
    assumeTrue(KernelReader.unavailable().isEmpty(), () -> KernelReader.unavailable().get());
  }

  private static ChildApp start(Predicate<String> leaveOut, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of(
        "--management.endpoints.web.exposure.include=health,keepalive,metrics"));
    args.addAll(List.of(more));
    return ChildApp.start(MvcApp.class, leaveOut.or(ChildApp.DATA), args.toArray(String[]::new));
  }

  private static void use(ChildApp app) throws Exception {
    assertThat(app.get("/hello")).isEqualTo("hello");
    assertThat(app.get("/restclient")).isEqualTo("restclient hello");
  }

  private static Map<?, ?> integration(ChildApp app, String key) throws Exception {
    return (Map<?, ?>) ((Map<?, ?>) app.json("/actuator/keepalive").get("integrations")).get(key);
  }

  @Test
  void tomcatAndRestClientOnHttpClient5CarryThePolicy() throws Exception {
    try (ChildApp app = start(ChildApp.JETTY, "--keepalive.policy=" + POLICY)) {
      use(app);
      Kernel kernel = Kernel.read(app.pid());
      // Accepted by Tomcat: from this test and from RestClient; RestClient's own.
      assertThat(kernel.acceptedOn(app.port())).as("%s", kernel).hasSizeGreaterThanOrEqualTo(2);
      assertThat(kernel.to(app.port())).as("%s", kernel).hasSizeGreaterThanOrEqualTo(1);
      assertThat(kernel.byFields()).as("every connection of the application's JVM")
          .containsOnlyKeys(FIELDS);
      assertThat(((List<?>) integration(app, "server").get("wired")).get(0)).asString()
          .startsWith("Tomcat connector (http, port 0)");
      assertThat(((List<?>) integration(app, "rest-client").get("wired")).get(0)).asString()
          .startsWith("Apache HttpClient 5");
      // HttpClient 5 set the policy's values itself: nothing for a pin to ignore.
      assertThat(Meters.count(app, "keepalive.overrides.ignored")).isZero();
      Meters.assertConnectionsReadBack(app, app.json("/actuator/keepalive"), POLICY);
    }
  }

  @Test
  void restClientOnReactorNettyTakesItsOwnPolicy() throws Exception {
    try (ChildApp app = start(ChildApp.JETTY, "--keepalive.policy=" + POLICY,
        "--keepalive.rest-client.policy=idle=63s,interval=13s,probes=6,user-timeout=30s",
        "--" + Line.REST_CLIENT_FACTORY_PROPERTY + "=reactor")) {
      use(app);
      Kernel kernel = Kernel.read(app.pid());
      assertThat(Kernel.fields(kernel.to(app.port()))).containsOnly("63/13/6,ut=30000");
      assertThat(Kernel.fields(kernel.acceptedOn(app.port()))).containsOnly(FIELDS);
      assertThat(((List<?>) integration(app, "rest-client").get("wired")).get(0)).asString()
          .startsWith("Reactor Netty");
    }
  }

  @Test
  void jettyCarriesThePolicy() throws Exception {
    try (ChildApp app = start(ChildApp.TOMCAT, "--keepalive.policy=" + POLICY,
        "--keepalive.rest-client.policy=unchanged")) {
      use(app);
      Kernel kernel = Kernel.read(app.pid());
      assertThat(Kernel.fields(kernel.acceptedOn(app.port()))).hasSizeGreaterThanOrEqualTo(2)
          .containsOnly(FIELDS);
      assertThat(Kernel.fields(kernel.to(app.port()))).doesNotContain(FIELDS);
      assertThat(((List<?>) integration(app, "server").get("wired")).get(0)).asString()
          .startsWith("Jetty ");
    }
  }

  @Test
  void withoutTheStarterTomcatAndHttpClient5KeepTheirDefaults() throws Exception {
    try (ChildApp app = start(ChildApp.JETTY.or(ChildApp.STARTER),
        "--keepalive.policy=" + POLICY)) {
      use(app);
      Kernel kernel = Kernel.read(app.pid());
      System.out.println(Line.NAME + " MVC control, keepalive as Tomcat and HttpClient 5 leave it: "
          + kernel);
      assertThat(Kernel.fields(kernel.acceptedOn(app.port()))).containsOnly("off");
      assertThat(kernel.byFields()).doesNotContainKey(FIELDS);
    }
  }
}
