package dev.keepalive.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SsTimerTest {

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
      "36sec, 36000",
      "1min14sec, 74000",
      "119min, 7140000",
      "1.988ms, 1988",
      "9.005ms, 9005",
      "988ms, 988",
      "2min, 120000",
  })
  void readsEveryFormIproute2Prints(String text, long millis) {
    assertEquals(millis, SsTimer.parseMillis(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "sec", "1.", "36s", "1min14", "-1sec"})
  void rejectsWhatIproute2NeverPrints(String text) {
    assertThrows(IllegalArgumentException.class, () -> SsTimer.parseMillis(text));
  }

  @Test
  void findsTheKeepaliveTimerOfAnEstablishedSocket() {
    // Captured from `ss -tnoe state established` on Linux 6.18, iproute2 6.1.
    String line = "0      0          127.0.0.1:53527    127.0.0.1:39814 "
        + "timer:(keepalive,1min14sec,0) ino:12041 sk:3 cgroup:/ <->";
    assertEquals(Optional.of(74_000L), SsTimer.keepaliveMillis(line));
    assertEquals(Optional.of("1min14sec"), SsTimer.keepaliveText(line));
  }

  @Test
  void socketsWithoutAKeepaliveTimerHaveNone() {
    assertEquals(Optional.empty(), SsTimer.keepaliveMillis(
        "0      0          127.0.0.1:35079    127.0.0.1:57074 ino:11764 sk:2 cgroup:/ <->"));
    assertEquals(Optional.empty(), SsTimer.keepaliveMillis(
        "0      100        127.0.0.1:35079    127.0.0.1:57074 timer:(on,200ms,2) ino:11764"));
  }
}
