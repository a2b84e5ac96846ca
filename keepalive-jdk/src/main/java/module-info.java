/**
 * Applies and inspects a {@link dev.keepalive.KeepalivePolicy} on JDK sockets. {@code jdk.net} is
 * optional ({@code requires static}): on a runtime without it (a jlink'd image, {@code
 * --limit-modules java.base}) the module still resolves, and the options it cannot set are refused
 * or reported, never a {@code NoClassDefFoundError}.
 */
module dev.keepalive.jdk {
  requires transitive dev.keepalive;
  requires static jdk.net;

  exports dev.keepalive.jdk;
}
