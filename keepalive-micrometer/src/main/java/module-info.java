/**
 * Micrometer meters for keepalive ({@link dev.keepalive.micrometer.KeepaliveMetrics}): what this
 * library counted in this JVM, what keepalive-agent counted, and, on Java 22+ with keepalive-audit
 * on the class path, this JVM's connections by the keepalive the kernel holds on them.
 */
// micrometer.core is an automatic module (Automatic-Module-Name), the application's own; the
// internal package is exported to the Spring Boot starter, which a build without it does not have.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic", "module"})
module dev.keepalive.micrometer {
  requires transitive dev.keepalive;
  requires transitive micrometer.core;
  // The agent's MBean (dev.keepalive:type=Agent), read when it is registered.
  requires java.management;

  exports dev.keepalive.micrometer;
  // The audit and agent readers, shared with the starter's actuator endpoint.
  exports dev.keepalive.micrometer.internal to dev.keepalive.spring.boot;
}
