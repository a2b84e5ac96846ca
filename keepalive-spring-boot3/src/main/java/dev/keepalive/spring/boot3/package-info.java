/**
 * The Spring Boot 3.5 hooks of keepalive-spring-boot-starter. Internal: applications use the
 * {@code keepalive.*} properties.
 */
package dev.keepalive.spring.boot3;
