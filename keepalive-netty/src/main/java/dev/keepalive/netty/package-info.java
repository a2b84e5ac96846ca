/**
 * TCP keepalive for Netty: {@link dev.keepalive.netty.NettyKeepalive} applies a
 * {@link dev.keepalive.KeepalivePolicy} to the channels a {@code ServerBootstrap} accepts, the
 * channel a {@code Bootstrap} connects, or a live {@code Channel}.
 * {@link dev.keepalive.netty.HeartbeatHandler} and {@link dev.keepalive.netty.HeartbeatResponder}
 * add an application-level heartbeat with the same policy, for what TCP keepalive cannot see.
 */
package dev.keepalive.netty;
