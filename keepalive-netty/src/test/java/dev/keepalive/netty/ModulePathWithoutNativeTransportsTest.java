package dev.keepalive.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * On the module path, {@code dev.keepalive.netty} resolves and works with netty-transport alone:
 * the native transports are {@code requires static}. A fresh module layer holds this module, the
 * keepalive modules it needs and netty-transport with its own dependencies, and nothing else.
 */
class ModulePathWithoutNativeTransportsTest {

  private static Path locationOf(Class<?> type) throws Exception {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  @Test
  void resolvesAndSetsNioOptionsWithoutNativeModules() throws Exception {
    ModuleFinder finder = ModuleFinder.of(
        locationOf(NettyKeepalive.class),
        locationOf(dev.keepalive.KeepalivePolicy.class),
        locationOf(dev.keepalive.jdk.JdkOptions.class),
        locationOf(io.netty.channel.Channel.class),
        locationOf(io.netty.util.Attribute.class),
        locationOf(io.netty.buffer.ByteBuf.class),
        locationOf(io.netty.resolver.AddressResolver.class));
    Configuration cf = ModuleLayer.boot().configuration()
        .resolve(finder, ModuleFinder.of(), Set.of("dev.keepalive.netty"));
    Set<String> resolved = cf.modules().stream().map(ResolvedModule::name)
        .collect(Collectors.toSet());
    assertTrue(resolved.contains("io.netty.transport"), resolved::toString);
    assertFalse(resolved.stream().anyMatch(m -> m.contains("epoll") || m.contains("uring")
        || m.contains("kqueue") || m.contains("unix")), resolved::toString);

    ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf,
        ClassLoader.getPlatformClassLoader());
    ClassLoader loader = layer.findLoader("dev.keepalive.netty");
    Class<?> netty = loader.loadClass("dev.keepalive.netty.NettyKeepalive");
    Class<?> policyType = loader.loadClass("dev.keepalive.KeepalivePolicy");
    Class<?> sinkType = loader.loadClass("dev.keepalive.netty.NettyKeepalive$OptionSink");
    Class<?> nio = loader.loadClass("io.netty.channel.socket.nio.NioSocketChannel");
    Object policy = policyType.getMethod("ofSeconds", long.class, long.class, int.class)
        .invoke(null, 31L, 7L, 4);

    List<String> options = new ArrayList<>();
    Object sink = Proxy.newProxyInstance(loader, new Class<?>[] {sinkType}, (proxy, m, args) -> {
      options.add(args[0] + "=" + args[1]);
      return null;
    });
    Method optionsOf = netty.getMethod("options", Class.class, policyType, sinkType);
    optionsOf.invoke(null, nio, policy, sink);
    assertEquals(List.of("TCP_KEEPIDLE=31", "TCP_KEEPINTERVAL=7", "TCP_KEEPCOUNT=4",
        "SO_KEEPALIVE=true"), options);

    // An unknown transport is refused by name; looking for the native ones loads none of them.
    Class<?> embedded = loader.loadClass("io.netty.channel.embedded.EmbeddedChannel");
    InvocationTargetException e = assertThrows(InvocationTargetException.class,
        () -> optionsOf.invoke(null, embedded, policy, sink));
    assertEquals("dev.keepalive.UnsupportedKeepaliveOptionException",
        e.getCause().getClass().getName());
  }
}
