package dev.keepalive.internal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArgsTest {

  private static final Args ARGS = Args.of("cmd")
      .flag("--json").flag("--help", "-h").option("--pid").repeatable("--port")
      .positional("PID").positional("POLICY");

  private static String problem(String... args) {
    return assertThrows(UsageException.class, () -> ARGS.parse(args)).getMessage();
  }

  @Test
  void aFlagGivenAValueIsAnErrorNotASilentFlag() {
    // Regression (issue 16, item 10): --json=false printed JSON, --help=no printed help.
    assertEquals("--json takes no value, was '--json=false'", problem("--json=false"));
    assertEquals("--help takes no value, was '--help=no'", problem("--help=no"));
    assertEquals("-h takes no value, was '-h=1'", problem("-h=1"));
  }

  @Test
  void optionsTakeTheirValueEitherWay() throws UsageException {
    Args.Parsed p = ARGS.parse(new String[] {"--pid", "42", "--port=80", "--port", "443", "-h"});
    assertEquals("42", p.value("--pid"));
    assertEquals(List.of("80", "443"), p.values("--port"));
    assertTrue(p.has("--help"));
    assertFalse(p.has("--json"));
    assertNull(p.value("--json"));
  }

  @Test
  void anOptionWithoutItsValueIsAnError() {
    assertEquals("--pid needs a value", problem("--pid"));
  }

  @Test
  void anOptionGivenTwiceIsAnErrorUnlessRepeatable() {
    assertEquals("--pid given twice", problem("--pid", "1", "--pid=2"));
    assertEquals("--json given twice", problem("--json", "--json"));
  }

  @Test
  void unknownArgumentsAreNamed() {
    assertEquals("unknown argument '--jsn'", problem("--jsn"));
    assertEquals("unknown argument '--pidd=3'", problem("--pidd=3"));
  }

  @Test
  void positionalsUpToTheDeclaredNumber() throws UsageException {
    assertEquals(List.of("42", "idle=1s"), ARGS.parse(new String[] {"42", "idle=1s"})
        .positionals());
    assertEquals("unexpected argument 'x' after PID POLICY", problem("1", "2", "x"));
    assertEquals("unexpected argument 'x'",
        assertThrows(UsageException.class, () -> Args.of("c").parse(new String[] {"x"}))
            .getMessage());
  }

  @Test
  void numbersAreCheckedAgainstTheirRangeAndQuoted() throws UsageException {
    Args.Parsed p = ARGS.parse(new String[] {"--pid", "x"});
    assertEquals("--pid must be a process id from 1 to 2147483647, was 'x'", assertThrows(
        UsageException.class, () -> p.number("--pid", 1, Integer.MAX_VALUE, "a process id"))
        .getMessage());
    assertEquals(-1, ARGS.parse(new String[0]).number("--pid", 1, 9, "a digit"));
    assertEquals(7, Args.Parsed.number("--x", " 7", 1, 9, "a digit"));
    assertThrows(UsageException.class, () -> Args.Parsed.number("--x", "0", 1, 9, "a digit"));
    assertThrows(UsageException.class, () -> Args.Parsed.number("--x", "99999999999999999999", 1,
        9, "a digit"));
  }

  @Test
  void jsonIndentedAndCompact() {
    Map<String, Object> doc = new java.util.LinkedHashMap<>();
    doc.put("a", List.of(1, 2L, true));
    doc.put("s", "q\"\\\n\u0001");
    doc.put("d", 0.5);
    doc.put("n", null);
    doc.put("e", Map.of());
    assertEquals("{\"a\":[1,2,true],\"s\":\"q\\\"\\\\\\n\\u0001\",\"d\":0.5,\"n\":null,\"e\":{}}",
        Json.compact(doc));
    assertEquals("{\n  \"a\": [\n    1\n  ]\n}", Json.write(Map.of("a", List.of(1))));
    assertThrows(IllegalArgumentException.class, () -> Json.compact(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> Json.compact(new Object()));
  }

  @Test
  void durationsForPeople() {
    assertEquals("2 h 11 min 15 s", Text.seconds(7875));
    assertEquals("0 s", Text.seconds(0));
    assertEquals("2 min", Text.seconds(120));
    assertEquals("1 d 1 s", Text.seconds(86401));
    assertEquals("2 h", Text.seconds(7200));
    assertEquals("58.4 s", Text.millis(58_400));
    assertEquals("30 s", Text.millis(30_000));
    assertEquals("1 min 1 s", Text.millis(61_900));
    assertEquals("1 connection", Text.count(1, "connection"));
    assertEquals("2 processes", Text.count(2, "process"));
  }
}
