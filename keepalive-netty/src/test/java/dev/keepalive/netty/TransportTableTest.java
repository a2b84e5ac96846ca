package dev.keepalive.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.KeepaliveOption;
import dev.keepalive.Platform;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringSocketChannel;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Requires;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The per-transport table, and the module it ships in. */
class TransportTableTest {

  @Test
  void nativeTransportsUseTheirOwnOptions() {
    Transport epoll = Transport.forChannelClass(EpollSocketChannel.class);
    assertSame(EpollChannelOption.TCP_KEEPIDLE, epoll.idle);
    assertSame(EpollChannelOption.TCP_KEEPINTVL, epoll.interval);
    assertSame(EpollChannelOption.TCP_KEEPCNT, epoll.count);
    assertSame(EpollChannelOption.TCP_USER_TIMEOUT, epoll.userTimeout);
    Transport uring = Transport.forChannelClass(IoUringSocketChannel.class);
    assertSame(IoUringChannelOption.TCP_KEEPIDLE, uring.idle);
    assertSame(IoUringChannelOption.TCP_KEEPINTVL, uring.interval);
    assertSame(IoUringChannelOption.TCP_KEEPCNT, uring.count);
    assertSame(IoUringChannelOption.TCP_USER_TIMEOUT, uring.userTimeout);
  }

  @Test
  void nettyFourOnesIncubatorIoUringUsesItsOwnOptions() {
    // Read by the table only; keepalive-netty41-tests runs real incubator channels on Netty 4.1.
    Transport incubator = Transport.forChannelClass(
        io.netty.incubator.channel.uring.IOUringSocketChannel.class);
    assertEquals("Netty io_uring (incubator)", incubator.name);
    assertSame(io.netty.incubator.channel.uring.IOUringChannelOption.TCP_KEEPIDLE, incubator.idle);
    assertSame(io.netty.incubator.channel.uring.IOUringChannelOption.TCP_KEEPINTVL,
        incubator.interval);
    assertSame(io.netty.incubator.channel.uring.IOUringChannelOption.TCP_KEEPCNT, incubator.count);
    assertSame(io.netty.incubator.channel.uring.IOUringChannelOption.TCP_USER_TIMEOUT,
        incubator.userTimeout);
    assertSame(incubator, Transport.forOptionsOf(
        io.netty.incubator.channel.uring.IOUringServerSocketChannel.class));
  }

  @Test
  void subclassesOfAKnownChannelShareItsTransport() {
    class Instrumented extends NioSocketChannel {}
    assertSame(Transport.forChannelClass(NioSocketChannel.class),
        Transport.forChannelClass(Instrumented.class));
  }

  @Test
  void serverChannelsAreListeners() {
    assertTrue(Transport.forChannelClass(NioServerSocketChannel.class).listener);
    assertFalse(Transport.forChannelClass(NioSocketChannel.class).listener);
  }

  @Test
  void nioHasNoUserTimeoutAndSaysWhy() {
    Transport nio = Transport.forChannelClass(NioSocketChannel.class);
    assertNull(nio.userTimeout);
    assertTrue(nio.missingReason(KeepaliveOption.TCP_USER_TIMEOUT).startsWith(
        "the JDK has no TCP_USER_TIMEOUT"));
  }

  /** XNU bsd/netinet/tcp.h: TCP_KEEPALIVE 0x10, TCP_KEEPINTVL 0x101, TCP_KEEPCNT 0x102. */
  @Test
  void kqueueOnMacosUsesXnuConstants() {
    Transport kqueue = Transport.KQueue.forPlatform(Platform.MACOS);
    assertEquals("Netty kqueue", kqueue.name);
    assertOption(6, 0x10, kqueue.idle);
    assertOption(6, 0x101, kqueue.interval);
    assertOption(6, 0x102, kqueue.count);
    assertNull(kqueue.userTimeout);
    assertTrue(kqueue.missingReason(KeepaliveOption.TCP_USER_TIMEOUT).startsWith(
        "macOS has no TCP_USER_TIMEOUT"));
  }

  @Test
  void kqueueElsewhereRefusesTuningRatherThanGuessConstants() {
    Transport kqueue = Transport.KQueue.forPlatform(Platform.OTHER);
    assertNull(kqueue.idle);
    assertNull(kqueue.interval);
    assertNull(kqueue.count);
    assertTrue(kqueue.missingReason(KeepaliveOption.TCP_KEEPIDLE).contains("macOS only"));
  }

  private static void assertOption(int level, int optname, ChannelOption<Integer> option) {
    IntegerUnixChannelOption raw = assertInstanceOf(IntegerUnixChannelOption.class, option);
    assertEquals(level, raw.level());
    assertEquals(optname, raw.optname());
  }

  @Test
  void moduleExportsOnlyItsApiAndNeedsNoNativeTransport() throws Exception {
    // This module's own descriptor: the class path holds many module-info.class files.
    Path classes = Path.of(NettyKeepalive.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    ModuleDescriptor module;
    try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
      module = ModuleDescriptor.read(in);
    }
    assertEquals("dev.keepalive.netty", module.name());
    assertEquals(Set.of("dev.keepalive.netty"), module.exports().stream()
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    Set<String> optional = module.requires().stream()
        .filter(r -> r.modifiers().contains(Requires.Modifier.STATIC))
        .map(Requires::name).collect(Collectors.toSet());
    assertEquals(Set.of("io.netty.transport.classes.epoll", "io.netty.transport.classes.io_uring",
        "io.netty.incubator.transport.classes.io_uring", "io.netty.transport.unix.common"),
        optional);
    Set<String> transitive = module.requires().stream()
        .filter(r -> r.modifiers().contains(Requires.Modifier.TRANSITIVE))
        .map(Requires::name).collect(Collectors.toSet());
    assertEquals(Set.of("dev.keepalive", "io.netty.transport"), transitive);
  }
}
