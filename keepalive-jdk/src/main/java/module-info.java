/**
 * Applies and inspects a {@link dev.keepalive.KeepalivePolicy} on JDK sockets.
 *
 * <p>{@code jdk.net} is required, not optional: a modular application then gets it resolved, and
 * {@code jlink} puts it into the image, without anyone having to know (Elasticsearch shipped a
 * release whose keepalive settings silently did nothing because a runtime lacked it,
 * elastic/elasticsearch#88897). On the class path it can still be missing (a trimmed image,
 * {@code --limit-modules java.base}): the options it carries are then refused or reported, never a
 * {@code NoClassDefFoundError}.
 */
module dev.keepalive.jdk {
  requires transitive dev.keepalive;
  requires jdk.net;

  exports dev.keepalive.jdk;

  // The doctor finds other modules' transports (keepalive-netty's) without depending on them.
  uses dev.keepalive.internal.cli.DoctorTransports;
}
