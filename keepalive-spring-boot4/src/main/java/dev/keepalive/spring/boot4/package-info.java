/**
 * The Spring Boot 4.0 hooks of keepalive-spring-boot-starter. Internal: applications use the
 * {@code keepalive.*} properties.
 */
package dev.keepalive.spring.boot4;
