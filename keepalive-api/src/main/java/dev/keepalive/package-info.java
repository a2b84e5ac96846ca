/**
 * TCP keepalive as one validated value.
 *
 * <p>{@link dev.keepalive.KeepalivePolicy} states a policy; {@link dev.keepalive.PlatformLimits}
 * says what a platform's kernel will take; {@link dev.keepalive.Rfc1122} checks the policy against
 * RFC 1122 §4.2.3.6; {@link dev.keepalive.KernelDefaults} reads what the kernel does for sockets
 * that set nothing. The adapters ({@code dev.keepalive.jdk}, {@code dev.keepalive.netty}) apply a
 * policy to live sockets and report per {@link dev.keepalive.KeepaliveOption option} what took,
 * in an {@link dev.keepalive.ApplyReport}. {@link dev.keepalive.Heartbeat} carries the same policy to
 * the application layer, where a hung peer process or a proxy answering TCP probes cannot hide.
 *
 * <p>The policy's fields map to the kernel's names once, here:
 * <table>
 *   <caption>Policy fields and kernel names</caption>
 *   <tr><th>field</th><th>socket option</th><th>Linux sysctl</th></tr>
 *   <tr><td>enabled</td><td>SO_KEEPALIVE</td><td>(none: off unless set)</td></tr>
 *   <tr><td>idle</td><td>TCP_KEEPIDLE (macOS: TCP_KEEPALIVE)</td><td>net.ipv4.tcp_keepalive_time</td></tr>
 *   <tr><td>interval</td><td>TCP_KEEPINTVL</td><td>net.ipv4.tcp_keepalive_intvl</td></tr>
 *   <tr><td>probes</td><td>TCP_KEEPCNT</td><td>net.ipv4.tcp_keepalive_probes</td></tr>
 *   <tr><td>user timeout</td><td>TCP_USER_TIMEOUT (RFC 5482, milliseconds)</td><td>(none)</td></tr>
 * </table>
 */
package dev.keepalive;
