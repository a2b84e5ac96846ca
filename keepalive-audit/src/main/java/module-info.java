/**
 * The keepalive audit: the real keepalive of every TCP connection of a process (this JVM, any PID,
 * or every process of the host), read from the Linux kernel through {@code pidfd_getfd(2)} and
 * {@code getsockopt(2)} with the Foreign Function and Memory API; a policy applied to the
 * connections a running process already has; and the {@code keepalive-audit} command ({@link
 * dev.keepalive.audit.Audit}) with its Prometheus exporter. Needs Java 22+ and Linux 5.6+; no JNI,
 * no native library. Run with {@code --enable-native-access=dev.keepalive.audit} (or {@code
 * ALL-UNNAMED} on the class path) to call the kernel without the JDK's restricted-method warning.
 *
 * <p>The Prometheus Java client is optional: only the command's {@code --serve} uses it, and the
 * command's jar finds it beside itself.
 */
// The Prometheus client's jars are automatic modules (Automatic-Module-Name in their manifests).
@SuppressWarnings("requires-automatic")
module dev.keepalive.audit {
  requires transitive dev.keepalive;
  requires static io.prometheus.metrics.core;
  requires static io.prometheus.metrics.model;
  requires static io.prometheus.metrics.exporter.httpserver;
  requires static jdk.httpserver;

  exports dev.keepalive.audit;
}
