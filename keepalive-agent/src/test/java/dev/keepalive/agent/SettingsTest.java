package dev.keepalive.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.ApplyMode;
import dev.keepalive.KeepalivePolicy;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's settings: sources, keys, values, rules and their order, and every refusal. */
class SettingsTest {

  private static final KeepalivePolicy P61 = KeepalivePolicy.parse("idle=61s,interval=11s,probes=4");
  private static final KeepalivePolicy P62 = KeepalivePolicy.parse("idle=62s,interval=12s,probes=5");

  @TempDir
  Path dir;

  private static Settings load(String argument, String... properties) throws SettingsException {
    return Settings.load(argument, props(properties), name -> null);
  }

  private static Properties props(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }

  private static String refused(String argument, String... properties) {
    return assertThrows(SettingsException.class, () -> load(argument, properties)).getMessage();
  }

  private static InetSocketAddress to(String address, int port) throws IOException {
    return new InetSocketAddress(InetAddress.getByName(address), port);
  }

  @Test
  void theArgumentIsThePolicyAndTheDefaultsAreLenientAndPinned() throws Exception {
    Settings s = load("idle=61s,interval=11s,probes=4");
    assertEquals(P61, s.rules.defaultRule().policy);
    assertEquals("agent argument", s.rules.defaultRule().source);
    assertEquals(ApplyMode.LENIENT, s.mode);
    assertTrue(s.pinned);
    assertEquals("policy idle=61s,interval=11s,probes=4 (agent argument); rules: none; mode"
        + " lenient; pinned (clients' later keepalive calls are ignored)", s.describe());
  }

  @Test
  void withoutAnArgumentTheSystemPropertyThenTheEnvironmentVariableGiveThePolicy()
      throws Exception {
    Settings fromProperty = Settings.load("", props("keepalive.policy", P61.toString()),
        name -> name.equals("KEEPALIVE_POLICY") ? P62.toString() : null);
    assertEquals(P61, fromProperty.rules.defaultRule().policy);
    assertEquals("system property", fromProperty.rules.defaultRule().source);
    Settings fromEnvironment = Settings.load(null, props(),
        name -> name.equals("KEEPALIVE_POLICY") ? P62.toString() : null);
    assertEquals(P62, fromEnvironment.rules.defaultRule().policy);
    assertEquals("environment variable KEEPALIVE_POLICY",
        fromEnvironment.rules.defaultRule().source);
  }

  @Test
  void theArgumentWinsOverTheSystemProperty() throws Exception {
    assertEquals(P61, load(P61.toString(), "keepalive.policy", P62.toString())
        .rules.defaultRule().policy);
  }

  @Test
  void noPolicyAnywhereIsAStartUpError() {
    assertEquals("no policy: give one as -javaagent:keepalive-agent.jar=POLICY (e.g."
        + " idle=60s,interval=10s,probes=3), -javaagent:keepalive-agent.jar=file=PATH,"
        + " -Dkeepalive.policy=POLICY or the environment variable KEEPALIVE_POLICY",
        refused(""));
  }

  @Test
  void aBadPolicyNamesTheSettingTheValueAndTheSource() {
    String message = refused("idle=0s,interval=11s,probes=4");
    assertTrue(message.startsWith("keepalive.policy=idle=0s,interval=11s,probes=4 (agent"
        + " argument) is not a keepalive policy this platform can take: "), message);
    assertTrue(refused("", "keepalive.policy.to.5432", "idle=61s").startsWith(
        "keepalive.policy.to.5432=idle=61s (system property) is not a keepalive policy"));
  }

  @Test
  void aPolicyBeyondTheKernelsLimitIsRefusedAtStartUp() {
    // Linux takes an idle of at most 32767 s: refused before any socket, not at connect time.
    String message = refused("idle=40000s,interval=11s,probes=4");
    assertTrue(message.contains("keepalive.policy=idle=40000s,interval=11s,probes=4"), message);
    assertTrue(message.contains("32767"), message);
  }

  @Test
  void modeAndPinnedAreChecked() throws Exception {
    assertEquals(ApplyMode.STRICT, load(P61.toString(), "keepalive.mode", "strict").mode);
    assertFalse(load(P61.toString(), "keepalive.pinned", "false").pinned);
    assertEquals("keepalive.mode=strcit (system property) must be lenient or strict",
        refused(P61.toString(), "keepalive.mode", "strcit"));
    assertEquals("keepalive.pinned=no (system property) must be true or false",
        refused(P61.toString(), "keepalive.pinned", "no"));
  }

  @Test
  void strictWithAUserTimeoutIsRefusedBecauseNoJdkSocketCouldConnect() {
    String message = refused("idle=61s,interval=11s,probes=4,user-timeout=30s",
        "keepalive.mode", "strict");
    assertTrue(message.startsWith("keepalive.policy=idle=61s,interval=11s,probes=4,"
        + "user-timeout=30s (agent argument): the JDK's sockets have no TCP_USER_TIMEOUT"), message);
  }

  @Test
  void unchangedLeavesConnectionsAlone() throws Exception {
    Settings s = load("unchanged", "keepalive.policy.to.5432", P61.toString());
    assertTrue(s.rules.defaultRule().unchanged());
    assertNull(s.rules.forConnection(to("10.0.0.1", 80)).policy);
    assertEquals(P61, s.rules.forConnection(to("10.0.0.1", 5432)).policy);
  }

  @Test
  void theMostSpecificRuleWinsHostPortThenCidrThenPortThenTheDefault() throws Exception {
    Settings s = load(P61.toString(),
        "keepalive.policy.to.5432", "unchanged",
        "keepalive.policy.to.10.0.0.0/8", "idle=70s,interval=11s,probes=4",
        "keepalive.policy.to.10.1.0.0/16", "idle=71s,interval=11s,probes=4",
        "keepalive.policy.to.10.1.2.3:5432", "idle=72s,interval=11s,probes=4",
        "keepalive.policy.to.db.internal:5432", "idle=73s,interval=11s,probes=4");
    Rules r = s.rules;
    assertEquals("keepalive.policy.to.10.1.2.3:5432", r.forConnection(to("10.1.2.3", 5432)).key);
    assertEquals("keepalive.policy.to.10.1.0.0/16", r.forConnection(to("10.1.2.4", 5432)).key);
    assertEquals("keepalive.policy.to.10.0.0.0/8", r.forConnection(to("10.2.0.1", 5432)).key);
    assertEquals("keepalive.policy.to.5432", r.forConnection(to("192.168.1.1", 5432)).key);
    assertEquals("keepalive.policy", r.forConnection(to("192.168.1.1", 80)).key);
    // By the name the application connected to, before the address rules; no DNS lookup.
    InetSocketAddress named = new InetSocketAddress(
        InetAddress.getByAddress("DB.Internal", new byte[] {10, 1, 2, 3}), 5432);
    assertEquals("keepalive.policy.to.db.internal:5432", r.forConnection(named).key);
    assertEquals("keepalive.policy.to.db.internal:5432",
        r.forConnection(InetSocketAddress.createUnresolved("db.internal", 5432)).key);
  }

  @Test
  void ipv6PeersMatchIpv6RulesAndMappedIpv4RulesMatchIpv4Peers() throws Exception {
    Settings s = load(P61.toString(),
        "keepalive.policy.to.fd00::/8", "idle=70s,interval=11s,probes=4",
        "keepalive.policy.to.[fd00::1]:5432", "idle=71s,interval=11s,probes=4",
        "keepalive.policy.to.::ffff:192.168.0.0/112", "idle=72s,interval=11s,probes=4");
    Rules r = s.rules;
    assertEquals("keepalive.policy.to.[fd00::1]:5432", r.forConnection(to("fd00::1", 5432)).key);
    assertEquals("keepalive.policy.to.fd00::/8", r.forConnection(to("fd00::2", 5432)).key);
    assertEquals("keepalive.policy", r.forConnection(to("fe80::1", 5432)).key);
    // ::ffff:192.168.0.0/112 is 192.168.0.0/16: Java gives such peers as Inet4Address.
    assertEquals("keepalive.policy.to.::ffff:192.168.0.0/112",
        r.forConnection(to("192.168.7.7", 1)).key);
  }

  @Test
  void acceptedRulesSelectByLocalPortAndNeverByPeer() throws Exception {
    Settings s = load(P61.toString(), "keepalive.policy.accepted.8080", P62.toString(),
        "keepalive.policy.to.8080", "unchanged");
    assertEquals(P62, s.rules.forAccepted(8080).policy);
    assertEquals(P61, s.rules.forAccepted(8081).policy);
    assertNull(s.rules.forConnection(to("10.0.0.1", 8080)).policy);
  }

  @Test
  void twoKeysForTheSamePeersAreAmbiguous() {
    assertAmbiguous("keepalive.policy.to.DB.internal:5432", "keepalive.policy.to.db.internal:5432",
        "db.internal:5432");
    assertAmbiguous("keepalive.policy.to.05432", "keepalive.policy.to.5432", "port 5432");
    assertAmbiguous("keepalive.policy.to.[::1]:80", "keepalive.policy.to.[0::1]:80",
        "[0:0:0:0:0:0:0:1]:80");
    assertAmbiguous("keepalive.policy.to.::ffff:10.0.0.0/104", "keepalive.policy.to.10.0.0.0/8",
        "10.0.0.0/8");
    assertAmbiguous("keepalive.policy.accepted.08080", "keepalive.policy.accepted.8080",
        "accepted on port 8080");
  }

  /** Two keys, listed in whichever order the properties give them: the message names both. */
  private static void assertAmbiguous(String a, String b, String selection) {
    String message = refused(P61.toString(), a, P61.toString(), b, P62.toString());
    String ab = a + " (system property) and " + b + " (system property)";
    String ba = b + " (system property) and " + a + " (system property)";
    String rest = " both select connections " + (selection.startsWith("accepted") ? "" : "to ")
        + selection + ": keep one of them";
    assertTrue(message.equals(ab + rest) || message.equals(ba + rest), message);
  }

  @Test
  void aMistypedKeyIsAStartUpError() {
    assertEquals("keepalive.policy.too.5432 (system property) is not a keepalive-agent setting:"
        + " rules are keepalive.policy.to.PORT, keepalive.policy.to.HOST:PORT,"
        + " keepalive.policy.to.CIDR and keepalive.policy.accepted.PORT",
        refused(P61.toString(), "keepalive.policy.too.5432", "unchanged"));
    assertTrue(refused(P61.toString(), "keepalive.policy.to.70000", "unchanged")
        .contains("'70000' is not a PORT, HOST:PORT ([IPv6]:PORT) or CIDR"));
    assertTrue(refused(P61.toString(), "keepalive.policy.accepted.http", "unchanged")
        .contains("'http' is not a local port (1 to 65535)"));
    assertTrue(refused(P61.toString(), "keepalive.policy.to.::1:5432", "unchanged")
        .contains("is not a PORT, HOST:PORT ([IPv6]:PORT) or CIDR"));
    assertTrue(refused(P61.toString(), "keepalive.policy.to.10.1.2.3/8", "unchanged")
        .contains("10.1.2.3/8 has bits set beyond its /8 prefix: write the network, 10.0.0.0/8"));
    assertTrue(refused(P61.toString(), "keepalive.policy.to.10.0.0.0/33", "unchanged")
        .contains("the prefix length of 10.0.0.0/33 must be 0 to 32"));
  }

  @Test
  void otherKeepaliveSystemPropertiesBelongToTheRestOfTheProject() throws Exception {
    // The Spring Boot starter's keys, as a user may pass them with -D: not the agent's to refuse.
    assertEquals(P61, load(P61.toString(), "keepalive.server.policy", "whatever",
        "keepalive.enabled", "false").rules.defaultRule().policy);
  }

  @Test
  void aFileGivesEverySettingAndRefusesWhatIsNotOne() throws Exception {
    Path file = write("keepalive.policy = idle=61s,interval=11s,probes=4",
        "keepalive.policy.to.db.internal\\:5432 = unchanged",
        "keepalive.policy.to.[fd00\\:\\:1]\\:5432 = idle=62s,interval=12s,probes=5",
        "keepalive.policy.to.fd00\\:\\:/8 = idle=62s,interval=12s,probes=5",
        "keepalive.mode = strict",
        "keepalive.pinned = false");
    Settings s = load("file=" + file);
    assertEquals(P61, s.rules.defaultRule().policy);
    assertEquals("file " + file, s.rules.defaultRule().source);
    assertEquals(ApplyMode.STRICT, s.mode);
    assertFalse(s.pinned);
    assertEquals(4, s.rules.all().size());

    Path typo = write("keepalive.polcy = idle=61s,interval=11s,probes=4");
    assertTrue(refused("file=" + typo).startsWith("keepalive.polcy=idle=61s,interval=11s,probes=4"
        + " (file " + typo + ") is not a keepalive-agent setting"));
  }

  @Test
  void anUnescapedColonInAFileKeyIsCaughtAndExplained() throws Exception {
    // The .properties format ends the key at the first ':': "keepalive.policy.to.db.internal"
    // with the value "5432=unchanged". Never a silent rule that matches nothing.
    Path file = write("keepalive.policy = idle=61s,interval=11s,probes=4",
        "keepalive.policy.to.db.internal:5432=unchanged");
    String message = refused("file=" + file);
    assertTrue(message.startsWith("keepalive.policy.to.db.internal=5432=unchanged (file " + file
        + "): 'db.internal' is not a PORT, HOST:PORT ([IPv6]:PORT) or CIDR"), message);
    assertTrue(message.contains("a .properties file splits a line at its first ':' or '=', so"
        + " write each ':' of a key as '\\:'"), message);
    Path v6 = write("keepalive.policy = idle=61s,interval=11s,probes=4",
        "keepalive.policy.to.fd00::/8=unchanged");
    assertTrue(refused("file=" + v6).contains("write each ':' of a key as '\\:'"));
  }

  @Test
  void aMissingFileIsAStartUpError() {
    assertTrue(refused("file=" + dir.resolve("none.properties"))
        .startsWith("cannot read the settings file " + dir.resolve("none.properties")));
    assertTrue(refused("file=").startsWith("agent argument file= names no file"));
  }

  @Test
  void theUniformValuesSkipSettlingACallEveryPolicyAgreesWith() throws Exception {
    Settings same = load(P61.toString(), "keepalive.policy.to.5432", P61.toString(),
        "keepalive.policy.to.80", "unchanged");
    assertEquals(1, same.uniform[dev.keepalive.KeepaliveOption.SO_KEEPALIVE.ordinal()]);
    assertEquals(61, same.uniform[dev.keepalive.KeepaliveOption.TCP_KEEPIDLE.ordinal()]);
    Settings mixed = load(P61.toString(), "keepalive.policy.to.5432", "off");
    assertEquals(Settings.MIXED,
        mixed.uniform[dev.keepalive.KeepaliveOption.SO_KEEPALIVE.ordinal()]);
    assertEquals(61, mixed.uniform[dev.keepalive.KeepaliveOption.TCP_KEEPIDLE.ordinal()]);
    Settings none = load("unchanged", "keepalive.policy.to.80", "unchanged");
    assertEquals(Settings.ANY, none.uniform[dev.keepalive.KeepaliveOption.SO_KEEPALIVE.ordinal()]);
  }

  @Test
  void inet4AddressHashCodeIsItsAddressOnThisJdk() throws Exception {
    // Rules.forConnection relies on it to match IPv4 CIDR rules without copying the address.
    Inet4Address a = (Inet4Address) InetAddress.getByName("10.1.2.3");
    assertEquals(10 << 24 | 1 << 16 | 2 << 8 | 3, a.hashCode());
  }

  @Test
  void literalsAreParsedWithoutLookups() {
    assertNull(Settings.literal("db.internal"));
    assertNull(Settings.literal("10.1.2"));
    assertNull(Settings.literal("10.1.2.256"));
    assertNull(Settings.literal("fd00::g"));
    assertEquals("10.1.2.3", Settings.literal("10.1.2.3").getHostAddress());
  }

  private Path write(String... lines) throws IOException {
    Path file = Files.createTempFile(dir, "agent", ".properties");
    Files.write(file, String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    return file;
  }
}
