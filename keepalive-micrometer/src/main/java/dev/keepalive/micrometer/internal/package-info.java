/**
 * Readers shared by {@link dev.keepalive.micrometer.KeepaliveMetrics} and the Spring Boot starter's
 * actuator endpoint: this JVM's connections through keepalive-audit (found at run time, Java 22+),
 * and keepalive-agent's system property and MBean. Not for applications.
 */
package dev.keepalive.micrometer.internal;
