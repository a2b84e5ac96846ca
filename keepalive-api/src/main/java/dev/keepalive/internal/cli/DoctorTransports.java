package dev.keepalive.internal.cli;

import java.util.List;

/**
 * A module's transports for the keepalive doctor, found with {@link java.util.ServiceLoader}: the
 * doctor lives in keepalive-jdk, which must not depend on Netty, and keepalive-netty provides its
 * transports through this service ({@code provides} in its module descriptor, and {@code
 * META-INF/services} on the class path).
 */
public interface DoctorTransports {

  /**
   * What provides the transports, for the report.
   *
   * @return e.g. {@code "keepalive-netty with Netty 4.2.18.Final"}
   */
  String description();

  /**
   * The transports, whether they can run here or not, in the order the report shows them.
   *
   * @return the transports
   */
  List<DoctorTransport> transports();
}
