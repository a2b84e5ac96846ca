/**
 * Reads the keepalive the kernel really has on every TCP socket of a process, or of every process
 * of the host, and applies a policy to the connections a running process already has: {@link
 * dev.keepalive.audit.KeepaliveAudit#thisProcess()}, {@link
 * dev.keepalive.audit.KeepaliveAudit#process(long)}, {@link
 * dev.keepalive.audit.KeepaliveAudit#allProcesses()}, {@link
 * dev.keepalive.audit.KeepaliveAudit#apply}; one {@link dev.keepalive.audit.SocketKeepalive} per
 * socket, one {@link dev.keepalive.audit.ProcessKeepalive} per process, one {@link
 * dev.keepalive.audit.SocketChange} per socket changed; and the command {@link
 * dev.keepalive.audit.Audit}, with its Prometheus exporter.
 */
package dev.keepalive.audit;
