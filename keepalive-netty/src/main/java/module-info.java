/**
 * Applies a {@link dev.keepalive.KeepalivePolicy} to Netty bootstraps and live channels on NIO,
 * epoll, io_uring and kqueue. The native transports are optional ({@code requires static}): an
 * application without them resolves this module and uses NIO.
 */
// The 4.1 io_uring incubator is an automatic module (no module-info of its own); requiring it is
// deliberate and static, so javac's requires-automatic lint is silenced for it.
@SuppressWarnings("requires-automatic")
module dev.keepalive.netty {
  requires transitive dev.keepalive;
  requires dev.keepalive.jdk;
  requires transitive io.netty.transport;
  // Ticker, Future, ReferenceCountUtil: the heartbeat handlers' timers and message release (none
  // in the exported API, so not transitive; io.netty.transport reads it without re-exporting).
  requires io.netty.common;
  requires static io.netty.transport.classes.epoll;
  requires static io.netty.transport.classes.io_uring;
  // io_uring on Netty 4.1 (the incubator's automatic module name).
  requires static io.netty.incubator.transport.classes.io_uring;
  // IntegerUnixChannelOption, for kqueue on macOS; the kqueue classes themselves are never touched.
  requires static io.netty.transport.unix.common;

  exports dev.keepalive.netty;

  // The keepalive doctor (keepalive-jdk) finds Netty's transports through this service.
  provides dev.keepalive.internal.cli.DoctorTransports with dev.keepalive.netty.NettyDoctor.Provider;
}
