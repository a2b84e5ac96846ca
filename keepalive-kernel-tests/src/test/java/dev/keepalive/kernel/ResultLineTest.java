package dev.keepalive.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResultLineTest {

  @Test
  void roundTripsAmidOtherOutput() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("status", "ok");
    fields.put("error", "recvAddress(..) failed with error(-110): Connection timed out");
    String out = "WARNING: something Netty logged\n" + ResultLine.format(fields) + "\nmore\n";
    assertEquals(Optional.of(fields), ResultLine.parse(out));
  }

  @Test
  void flattensTabsAndNewlinesInValues() {
    String line = ResultLine.format(Map.of("error", "two\tlines\nhere"));
    assertEquals(Optional.of(Map.of("error", "two lines here")), ResultLine.parse(line));
  }

  @Test
  void noResultLineIsEmpty() {
    assertEquals(Optional.empty(), ResultLine.parse("Exception in thread \"main\"\n"));
  }

  @Test
  void rejectsKeysItCouldNotReadBack() {
    assertThrows(IllegalArgumentException.class, () -> ResultLine.format(Map.of("a=b", "c")));
  }
}
