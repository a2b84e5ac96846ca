/**
 * For adapter authors: the one apply and inspect algorithm ({@link
 * dev.keepalive.spi.KeepaliveApplier}) that keepalive-jdk, keepalive-netty and any later adapter run,
 * and the small interface an adapter fills in for its kind of socket ({@link
 * dev.keepalive.spi.SocketOptionAccess}: read an option, write an option, can it take the option, is
 * it closed). Applications do not need this package.
 */
package dev.keepalive.spi;
