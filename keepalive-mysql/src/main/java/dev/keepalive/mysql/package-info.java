/**
 * TCP keepalive for MySQL Connector/J, whose {@code socketFactory} property names a
 * {@code com.mysql.cj.protocol.SocketFactory}, not a {@code javax.net.SocketFactory}.
 */
package dev.keepalive.mysql;
