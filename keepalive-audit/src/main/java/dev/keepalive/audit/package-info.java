/**
 * Reads the keepalive the kernel really has on every TCP socket of a process:
 * {@link dev.keepalive.audit.KeepaliveAudit#thisProcess()},
 * {@link dev.keepalive.audit.KeepaliveAudit#process(long)}, one
 * {@link dev.keepalive.audit.SocketKeepalive} per socket, and the command
 * {@link dev.keepalive.audit.Audit}.
 */
package dev.keepalive.audit;
