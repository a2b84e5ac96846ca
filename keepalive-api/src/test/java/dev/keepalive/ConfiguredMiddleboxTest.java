package dev.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** A middlebox with the idle timeout it is configured with, checked against the vendor's range. */
class ConfiguredMiddleboxTest {

  private static IllegalArgumentException illegal(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run);
  }

  @Test
  void anNlbConfiguredTo600sKeepsAFlowAliveWithIdle300s() {
    ConfiguredMiddlebox nlb = Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(600));
    assertEquals(Middlebox.AWS_NLB, nlb.middlebox());
    assertEquals("AWS Network Load Balancer", nlb.displayName());
    assertEquals(Duration.ofSeconds(600), nlb.idleTimeout());
    assertFalse(nlb.isDefault());
    KeepalivePolicy p = KeepalivePolicy.keepingAliveThrough(nlb);
    assertEquals(KeepalivePolicy.ofSeconds(300, 60, 5), p);
    long lastProbe = p.idleSeconds() + (long) p.intervalSeconds() * (p.probes() - 1);
    assertTrue(lastProbe < 600, "last probe at " + lastProbe + "s");
    assertFalse(nlb.forgets(p));
    // An idle of 400 s: the default 350 s forgets the flow, the configured 600 s does not.
    KeepalivePolicy idle400 = KeepalivePolicy.ofSeconds(400, 30, 3);
    assertTrue(Middlebox.AWS_NLB.forgets(idle400));
    assertFalse(nlb.forgets(idle400));
  }

  @Test
  void aPolicyKeptAliveThroughTheDefaultNlbStillPassesALongerConfiguredOne() {
    KeepalivePolicy p = KeepalivePolicy.keepingAliveThrough(Middlebox.AWS_NLB);
    assertFalse(Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(6000)).forgets(p));
    assertTrue(Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(60)).forgets(p));
    assertTrue(Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(175)).forgets(p),
        "an idle equal to the timeout is forgotten");
    assertTrue(Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(600))
        .forgets(KeepalivePolicy.disabled()));
  }

  @ParameterizedTest(name = "NLB {0}s")
  @CsvSource({"60", "350", "6000"})
  void nlbTakesSixtyToSixThousandSeconds(long seconds) {
    assertEquals(Duration.ofSeconds(seconds),
        Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(seconds)).idleTimeout());
  }

  @Test
  void nlbOutsideItsRangeNamesTheFieldTheRangeAndTheValue() {
    assertEquals("idleTimeout of AWS Network Load Balancer must be from 60 s to 6000 s (the"
        + " listener attribute tcp.idle_timeout.seconds), was PT59S",
        illegal(() -> Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(59))).getMessage());
    assertEquals("idleTimeout of AWS Network Load Balancer must be from 60 s to 6000 s (the"
        + " listener attribute tcp.idle_timeout.seconds), was PT1H40M1S",
        illegal(() -> Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(6001))).getMessage());
    assertEquals("idleTimeout of AWS Network Load Balancer must be a whole number of seconds (the"
        + " listener attribute tcp.idle_timeout.seconds), was PT1M30.5S",
        illegal(() -> Middlebox.AWS_NLB.withIdleTimeout(Duration.ofMillis(90_500))).getMessage());
    assertEquals("idleTimeout of AWS Network Load Balancer must be a whole number of seconds (the"
        + " listener attribute tcp.idle_timeout.seconds), was PT-10M",
        illegal(() -> Middlebox.AWS_NLB.withIdleTimeout(Duration.ofMinutes(-10))).getMessage());
  }

  @Test
  void azureTakesWholeMinutesFromFourToOneHundred() {
    assertEquals(Duration.ofMinutes(30),
        Middlebox.AZURE_LB.withIdleTimeout(Duration.ofMinutes(30)).idleTimeout());
    assertEquals(Duration.ofMinutes(100),
        Middlebox.AZURE_LB.withIdleTimeout(Duration.ofMinutes(100)).idleTimeout());
    assertEquals("idleTimeout of Azure Load Balancer must be from 4 min to 100 min"
        + " (idleTimeoutInMinutes), was PT3M",
        illegal(() -> Middlebox.AZURE_LB.withIdleTimeout(Duration.ofMinutes(3))).getMessage());
    assertEquals("idleTimeout of Azure Load Balancer must be from 4 min to 100 min"
        + " (idleTimeoutInMinutes), was PT1H41M",
        illegal(() -> Middlebox.AZURE_LB.withIdleTimeout(Duration.ofMinutes(101))).getMessage());
    assertEquals("idleTimeout of Azure Load Balancer must be a whole number of minutes"
        + " (idleTimeoutInMinutes), was PT4M30S",
        illegal(() -> Middlebox.AZURE_LB.withIdleTimeout(Duration.ofSeconds(270))).getMessage());
  }

  @Test
  void aFixedTimeoutTakesOnlyItself() {
    assertFalse(Middlebox.AWS_NAT_GATEWAY.configurable());
    assertFalse(Middlebox.GCP_VPC_FIREWALL.configurable());
    assertTrue(Middlebox.AWS_NLB.configurable());
    assertTrue(Middlebox.AWS_NAT_GATEWAY.withIdleTimeout(Duration.ofSeconds(350)).isDefault());
    assertEquals("idleTimeout of AWS NAT gateway is fixed at 350 s (Amazon VPC docs: NAT gateway"
        + " idle timeout 350 s), was PT10M",
        illegal(() -> Middlebox.AWS_NAT_GATEWAY.withIdleTimeout(Duration.ofMinutes(10)))
            .getMessage());
  }

  @Test
  void undocumentedRangesTakeWholeSecondsFromTheShortestAPolicyCanKeepAlive() {
    assertEquals(Duration.ofSeconds(10),
        Middlebox.GCP_CLOUD_NAT.withIdleTimeout(Duration.ofSeconds(10)).idleTimeout());
    assertEquals("idleTimeout of GCP Cloud NAT must be from 10 s to 2147483647 s"
        + " (tcpEstablishedIdleTimeoutSec), was PT9S",
        illegal(() -> Middlebox.GCP_CLOUD_NAT.withIdleTimeout(Duration.ofSeconds(9)))
            .getMessage());
    KeepalivePolicy.keepingAliveThrough(
        Middlebox.DOCKER_SWARM_IPVS.withIdleTimeout(Duration.ofSeconds(Integer.MAX_VALUE)));
  }

  @ParameterizedTest
  @EnumSource(Middlebox.class)
  void everyPresetIsItsOwnDefaultConfigurationAndParsesBack(Middlebox m) {
    ConfiguredMiddlebox preset = m.withIdleTimeout(m.idleTimeout());
    assertTrue(preset.isDefault());
    assertSame(preset, m.withIdleTimeout(m.idleTimeout()));
    assertTrue(m.minIdleTimeout().compareTo(m.idleTimeout()) <= 0, m.toString());
    assertTrue(m.maxIdleTimeout().compareTo(m.idleTimeout()) >= 0, m.toString());
    assertEquals(KeepalivePolicy.keepingAliveThrough(m), KeepalivePolicy.keepingAliveThrough(preset));
    assertEquals(preset, ConfiguredMiddlebox.parse(preset.toString()));
    assertEquals(preset, ConfiguredMiddlebox.parse(m.name()));
    for (KeepalivePolicy p : new KeepalivePolicy[] {KeepalivePolicy.linuxDefaults(),
        KeepalivePolicy.goDefaults(), KeepalivePolicy.disabled(),
        KeepalivePolicy.keepingAliveThrough(m)}) {
      assertEquals(m.forgets(p), preset.forgets(p), m + " " + p);
    }
  }

  @Test
  void parseReadsNamesAndTimeoutsAsPeopleTypeThem() {
    ConfiguredMiddlebox nlb600 = Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(600));
    assertEquals("AWS_NLB=600s", nlb600.toString());
    assertEquals(nlb600, ConfiguredMiddlebox.parse("AWS_NLB=600s"));
    assertEquals(nlb600, ConfiguredMiddlebox.parse("aws-nlb=10m"));
    assertEquals(nlb600, ConfiguredMiddlebox.parse(" aws_nlb = 600 "));
    assertEquals(Middlebox.AZURE_LB.withIdleTimeout(Duration.ofHours(1)),
        ConfiguredMiddlebox.parse("AZURE_LB=1h"));
    assertNotEquals(nlb600, ConfiguredMiddlebox.parse("AWS_NLB"));
    assertEquals(nlb600.hashCode(), ConfiguredMiddlebox.parse("AWS_NLB=600").hashCode());
  }

  @Test
  void parseErrorsNameWhatIsWrong() {
    assertEquals("middlebox must be one of AWS_NLB, AWS_NAT_GATEWAY, AZURE_LB, GCP_VPC_FIREWALL,"
        + " GCP_CLOUD_NAT, DOCKER_SWARM_IPVS, optionally with =TIMEOUT (AWS_NLB=600s), was"
        + " 'ELB=60s'", illegal(() -> ConfiguredMiddlebox.parse("ELB=60s")).getMessage());
    assertEquals("idleTimeout must be a whole number with a unit s, m or h (600s, 10m), or bare"
        + " seconds, was '10 min' in 'AWS_NLB=10 min'",
        illegal(() -> ConfiguredMiddlebox.parse("AWS_NLB=10 min")).getMessage());
    assertEquals("idleTimeout must be a whole number with a unit s, m or h (600s, 10m), or bare"
        + " seconds, was '' in 'AWS_NLB='",
        illegal(() -> ConfiguredMiddlebox.parse("AWS_NLB=")).getMessage());
    assertEquals("idleTimeout of AWS Network Load Balancer must be from 60 s to 6000 s (the"
        + " listener attribute tcp.idle_timeout.seconds), was PT2H",
        illegal(() -> ConfiguredMiddlebox.parse("AWS_NLB=2h")).getMessage());
    assertEquals("idleTimeout must be a whole number with a unit s, m or h (600s, 10m), or bare"
        + " seconds, was '99999999999' in 'AWS_NLB=99999999999'",
        illegal(() -> ConfiguredMiddlebox.parse("AWS_NLB=99999999999")).getMessage());
  }

  @Test
  void nullsAreRefusedByName() {
    assertEquals("idleTimeout must not be null", assertThrows(NullPointerException.class,
        () -> Middlebox.AWS_NLB.withIdleTimeout(null)).getMessage());
    assertEquals("middlebox must not be null", assertThrows(NullPointerException.class,
        () -> KeepalivePolicy.keepingAliveThrough((ConfiguredMiddlebox) null)).getMessage());
    assertEquals("policy must not be null", assertThrows(NullPointerException.class,
        () -> Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(600)).forgets(null))
        .getMessage());
    assertEquals("text must not be null", assertThrows(NullPointerException.class,
        () -> ConfiguredMiddlebox.parse(null)).getMessage());
  }
}
