/**
 * TCP keepalive for JDK sockets: {@code java.net.Socket}, {@code SocketChannel},
 * {@code AsynchronousSocketChannel} and accepted server sockets.
 */
package dev.keepalive.jdk;
