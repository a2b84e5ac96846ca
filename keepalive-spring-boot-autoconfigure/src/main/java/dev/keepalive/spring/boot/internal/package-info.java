/**
 * The hooks behind the starter's integrations, shared by the Spring Boot 3.5 and 4.0 modules
 * (keepalive-spring-boot3, keepalive-spring-boot4), which adapt them to each line's customizer
 * interfaces. Not for applications: names and signatures change without notice.
 */
package dev.keepalive.spring.boot.internal;
