package dev.keepalive.spring.it.mvc;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.TreeSet;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * A Spring MVC service as a user writes one, with no keepalive code: the embedded servlet server
 * (Tomcat, or Jetty when Tomcat is not on the class path) and a RestClient from Boot's builder on
 * Apache HttpClient 5, calling this service back. Prints {@code READY port=N uptime=MS cpu=MS} when ready (the JVM's uptime and CPU time then).
 */
@SpringBootApplication
@RestController
public class MvcApp {

  private final RestClient restClient;
  private final Environment environment;

  MvcApp(RestClient.Builder restClient, Environment environment) {
    this.restClient = restClient.build();
    this.environment = environment;
  }

  public static void main(String[] args) {
    SpringApplication application = new SpringApplication(MvcApp.class);
    application.setWebApplicationType(WebApplicationType.SERVLET);
    application.run(args);
  }

  @EventListener(ApplicationReadyEvent.class)
  void ready() {
    System.out.println("READY port=" + environment.getProperty("local.server.port") + " uptime="
        + ManagementFactory.getRuntimeMXBean().getUptime() + " cpu="
        + ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime() / 1_000_000);
  }

  @GetMapping("/hello")
  String hello() {
    return "hello";
  }

  @GetMapping("/restclient")
  String restClient() {
    return "restclient " + restClient.get()
        .uri("http://127.0.0.1:" + environment.getProperty("local.server.port") + "/hello")
        .retrieve().body(String.class);
  }

  @GetMapping("/threads")
  List<String> threads() {
    TreeSet<String> names = new TreeSet<>();
    Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
    return List.copyOf(names);
  }
}
