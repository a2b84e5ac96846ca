package dev.keepalive.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.KeepalivePolicy;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * NIO options while epoll is available: the framework may pick epoll and ignore them, so options
 * warns, once per JVM, through System.Logger (JUL here). Captured, never printed.
 */
class NioTrapWarningTest {

  private static final KeepalivePolicy POLICY = KeepalivePolicy.ofSeconds(31, 7, 4);

  /** Held strongly: JUL keeps loggers only weakly. */
  private final Logger logger = Logger.getLogger(NettyKeepalive.class.getName());
  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      logged.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Level level;
  private boolean parents;

  @BeforeEach
  void capture() {
    TestTransport.EPOLL.requireAvailable();
    level = logger.getLevel();
    parents = logger.getUseParentHandlers();
    logger.setLevel(Level.ALL);
    logger.setUseParentHandlers(false);
    logger.addHandler(capture);
    NioTrap.reset();
  }

  @AfterEach
  void restore() {
    logger.removeHandler(capture);
    logger.setUseParentHandlers(parents);
    logger.setLevel(level);
  }

  @Test
  void nioOptionsWhileEpollIsAvailableWarnOncePerJvm() {
    NettyKeepalive.options(NioServerSocketChannel.class, POLICY, (o, v) -> { });
    NettyKeepalive.options(NioSocketChannel.class, POLICY, (o, v) -> { });
    assertEquals(1, logged.size(), () -> "logged: " + logged);
    LogRecord warning = logged.get(0);
    assertEquals(Level.WARNING, warning.getLevel());
    String message = warning.getMessage();
    assertTrue(message.startsWith("NettyKeepalive.options(NioServerSocketChannel.class, ...): "
        + "Netty's epoll transport is available here"), message);
    assertTrue(message.contains("channelType(NioServerSocketChannel.class)"), message);
    assertTrue(message.contains("options(EpollServerSocketChannel.class, ...)"), message);
  }

  @Test
  void nativeOptionsDoNotWarn() {
    NettyKeepalive.options(EpollServerSocketChannel.class, POLICY, (o, v) -> { });
    NettyKeepalive.options(EpollSocketChannel.class, POLICY, (o, v) -> { });
    assertEquals(List.of(), logged);
  }
}
