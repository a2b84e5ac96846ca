package dev.keepalive.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.incubator.channel.uring.IOUringChannelOption;
import io.netty.incubator.channel.uring.IOUringServerSocketChannel;
import io.netty.incubator.channel.uring.IOUringSocketChannel;
import io.netty.util.Version;
import io.netty.util.concurrent.EventExecutor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** This module really runs on Netty 4.1, and the 4.1-only parts of the table. */
class NettyFourOneTest {

  @Test
  void theClassPathHasNetty41Only() {
    // The incubator's io_uring jars have versions of their own (0.0.x).
    Version.identify().forEach((artifact, version) -> assertTrue(artifact.contains("incubator")
        || version.artifactVersion().startsWith("4.1."), () -> artifact + " is " + version));
    assertTrue(Version.identify().containsKey("netty-transport"));
    // What the heartbeat handler falls back from: 4.2's EventExecutor.ticker().
    assertFalse(Arrays.stream(EventExecutor.class.getMethods())
        .anyMatch(m -> m.getName().equals("ticker")), "EventExecutor.ticker() is 4.2 API");
  }

  @Test
  void incubatorIoUringUsesItsOwnOptions() {
    Transport t = Transport.forChannelClass(IOUringSocketChannel.class);
    assertEquals("Netty io_uring (incubator)", t.name);
    assertSame(IOUringChannelOption.TCP_KEEPIDLE, t.idle);
    assertSame(IOUringChannelOption.TCP_KEEPINTVL, t.interval);
    assertSame(IOUringChannelOption.TCP_KEEPCNT, t.count);
    assertSame(IOUringChannelOption.TCP_USER_TIMEOUT, t.userTimeout);
    assertSame(t, Transport.forOptionsOf(IOUringServerSocketChannel.class));
  }
}
