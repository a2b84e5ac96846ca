/**
 * keepalive for Spring Boot: {@code keepalive.policy=idle=60s,interval=10s,probes=3} in {@code
 * application.properties} reaches the embedded server's accepted connections, WebClient,
 * RestClient/RestTemplate, the DataSource and Redis, fails the start-up on a policy an integration
 * cannot take ({@link dev.keepalive.spring.boot.KeepaliveFailureAnalyzer}), and reports what it
 * wired through the {@code keepalive} actuator endpoint and Micrometer.
 */
package dev.keepalive.spring.boot;
