/**
 * The TCP keepalive policy value: idle, interval, probes and an optional user timeout, the
 * detection deadline they imply, platform limits, RFC 1122 checks, parsing and the kernel's own
 * defaults. Depends on {@code java.base} alone.
 */
module dev.keepalive {
  exports dev.keepalive;
  // For adapter authors: the one apply/inspect algorithm behind every adapter.
  exports dev.keepalive.spi;
}
