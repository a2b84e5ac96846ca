/**
 * TCP keepalive for Netty: {@link dev.keepalive.netty.NettyKeepalive} applies a
 * {@link dev.keepalive.KeepalivePolicy} to the channels a {@code ServerBootstrap} accepts, the
 * channel a {@code Bootstrap} connects, or a live {@code Channel}.
 */
package dev.keepalive.netty;
