package dev.keepalive.spring.it.webflux;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.TreeSet;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A WebFlux service as a user writes one, with no keepalive code: Reactor Netty server, WebClient
 * from Boot's builder (calling this service back), HikariCP on pgjdbc, Lettuce. (Boot configures
 * no RestClient.Builder in a reactive application: the MVC application has RestClient.)
 * Its keepalive comes from properties alone. Prints {@code READY port=N uptime=MS cpu=MS} when ready (the JVM's uptime and CPU time then).
 */
@SpringBootApplication
@RestController
public class WebFluxApp {

  private final WebClient webClient;
  private final JdbcTemplate jdbc;
  private final ReactiveStringRedisTemplate redis;
  private final Environment environment;

  WebFluxApp(WebClient.Builder webClient, JdbcTemplate jdbc, ReactiveStringRedisTemplate redis,
      Environment environment) {
    this.webClient = webClient.build();
    this.jdbc = jdbc;
    this.redis = redis;
    this.environment = environment;
  }

  public static void main(String[] args) {
    SpringApplication application = new SpringApplication(WebFluxApp.class);
    application.setWebApplicationType(WebApplicationType.REACTIVE);
    application.run(args);
  }

  @EventListener(ApplicationReadyEvent.class)
  void ready() {
    System.out.println("READY port=" + environment.getProperty("local.server.port") + " uptime="
        + ManagementFactory.getRuntimeMXBean().getUptime() + " cpu="
        + ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime() / 1_000_000);
  }

  private String self() {
    return "http://127.0.0.1:" + environment.getProperty("local.server.port");
  }

  @GetMapping("/hello")
  String hello() {
    return "hello";
  }

  @GetMapping("/db")
  Mono<String> db() {
    return Mono.fromCallable(() -> "db " + jdbc.queryForObject("select 1", Integer.class))
        .subscribeOn(Schedulers.boundedElastic());
  }

  @GetMapping("/redis")
  Mono<String> redis() {
    return redis.opsForValue().set("keepalive", "redis").then(redis.opsForValue().get("keepalive"));
  }

  @GetMapping("/webclient")
  Mono<String> webClient() {
    return webClient.get().uri(self() + "/hello").retrieve().bodyToMono(String.class)
        .map(s -> "webclient " + s);
  }

  @GetMapping("/threads")
  List<String> threads() {
    TreeSet<String> names = new TreeSet<>();
    Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
    return List.copyOf(names);
  }
}
