package dev.keepalive.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.KeepaliveOption;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

class JdkOptionsTest {

  @Test
  void mapsTuningOptionsToJdkNet() {
    assertTrue(JdkOptions.extendedOptionsAvailable());
    assertEquals(ExtendedSocketOptions.TCP_KEEPIDLE,
        JdkOptions.tcpOption(KeepaliveOption.TCP_KEEPIDLE).orElseThrow());
    assertEquals(ExtendedSocketOptions.TCP_KEEPINTERVAL,
        JdkOptions.tcpOption(KeepaliveOption.TCP_KEEPINTERVAL).orElseThrow());
    assertEquals(ExtendedSocketOptions.TCP_KEEPCOUNT,
        JdkOptions.tcpOption(KeepaliveOption.TCP_KEEPCOUNT).orElseThrow());
  }

  @Test
  void jdkHasNoUserTimeout() {
    assertTrue(JdkOptions.tcpOption(KeepaliveOption.TCP_USER_TIMEOUT).isEmpty());
  }

  @Test
  void soKeepaliveIsAStandardOption() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JdkOptions.tcpOption(KeepaliveOption.SO_KEEPALIVE));
    assertTrue(e.getMessage().contains("was SO_KEEPALIVE"), e.getMessage());
  }
}
