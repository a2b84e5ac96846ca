/**
 * The TCP keepalive policy value: idle, interval, probes and an optional user timeout, the
 * detection deadline they imply, platform limits, RFC 1122 checks, parsing and the kernel's own
 * defaults. Depends on {@code java.base} alone.
 */
// The qualified export names modules that a build on JDK 17 does not have (keepalive-audit is
// built on JDK 22+ only): javac's "module not found" is expected there.
@SuppressWarnings("module")
module dev.keepalive {
  exports dev.keepalive;
  // For adapter authors: the one apply/inspect algorithm behind every adapter.
  exports dev.keepalive.spi;
  // The project's own commands (doctor, audit, agent attach) share one command-line toolkit.
  exports dev.keepalive.internal.cli to dev.keepalive.jdk, dev.keepalive.netty, dev.keepalive.audit;
}
