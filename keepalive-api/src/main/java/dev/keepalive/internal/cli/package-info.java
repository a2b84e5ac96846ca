/**
 * The command-line toolkit the project's commands share: the doctor (keepalive-jdk), the audit
 * (keepalive-audit) and the agent's {@code attach} (keepalive-agent). Argument parsing with one set
 * of rules and messages ({@link dev.keepalive.internal.cli.Args}), a JSON writer ({@link
 * dev.keepalive.internal.cli.Json}), durations for people ({@link dev.keepalive.internal.cli.Text})
 * and the {@code main} wrapper ({@link dev.keepalive.internal.cli.Console}); and the service through
 * which keepalive-netty gives the doctor its transports ({@link
 * dev.keepalive.internal.cli.DoctorTransports}), so that keepalive-jdk never depends on Netty.
 *
 * <p>Internal: exported only to this project's own modules, left out of the javadoc, and free to
 * change in any release. Applications should not use it.
 */
package dev.keepalive.internal.cli;
