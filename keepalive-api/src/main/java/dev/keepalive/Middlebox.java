package dev.keepalive;

import java.time.Duration;

/**
 * Common middleboxes that forget idle TCP flows, with their documented idle timeouts. A keepalive
 * idle must stay below the timeout for keepalive to keep a connection through them; see
 * {@link KeepalivePolicy#keepingAliveThrough(Middlebox)}. Figures as the vendors document them.
 *
 * <p>Where the timeout is a setting (an AWS NLB listener's, an Azure load balancer's), {@link
 * #withIdleTimeout(Duration)} states the value configured, checked against the vendor's documented
 * range, and gives a {@link ConfiguredMiddlebox} that is used like the preset.
 */
public enum Middlebox {
  /**
   * AWS Network Load Balancer: 350 s for TCP flows by default. Since 2024-09 a TCP listener's idle
   * timeout is configurable from 60 to 6000 s (listener attribute {@code tcp.idle_timeout.seconds};
   * TLS listeners stay at 350 s): state it with {@code
   * Middlebox.AWS_NLB.withIdleTimeout(Duration.ofSeconds(600))}.
   */
  AWS_NLB("AWS Network Load Balancer", 350, "AWS Elastic Load Balancing docs: TCP idle timeout"
      + " 350 s by default, configurable 60-6000 s (tcp.idle_timeout.seconds)", 60, 6000, 1,
      "the listener attribute tcp.idle_timeout.seconds"),
  /** AWS NAT gateway: 350 s ("NAT gateways: timeout", Amazon VPC docs), not configurable. */
  AWS_NAT_GATEWAY("AWS NAT gateway", 350, "Amazon VPC docs: NAT gateway idle timeout 350 s", 350,
      350, 1, null),
  /**
   * Azure Load Balancer: 4 min by default, then drops the flow silently; configurable in whole
   * minutes from 4 to 100 ({@code idleTimeoutInMinutes}).
   */
  AZURE_LB("Azure Load Balancer", 240, "Azure Load Balancer docs: TCP idle timeout 4 min by"
      + " default, configurable 4-100 min (idleTimeoutInMinutes)", 240, 6000, 60,
      "idleTimeoutInMinutes"),
  /** GCP VPC firewall connection tracking: 10 min for established TCP, not configurable. */
  GCP_VPC_FIREWALL("GCP VPC firewall", 600,
      "Google Cloud VPC firewall docs: established TCP connection tracking 10 min", 600, 600, 1,
      null),
  /**
   * GCP Cloud NAT: 1200 s for established TCP by default; configurable ({@code
   * tcpEstablishedIdleTimeoutSec}), no range documented beyond whole seconds.
   */
  GCP_CLOUD_NAT("GCP Cloud NAT", 1200,
      "Google Cloud NAT docs: TCP established connection idle timeout 1200 s",
      Checks.MIN_MIDDLEBOX_SECONDS, Integer.MAX_VALUE, 1, "tcpEstablishedIdleTimeoutSec"),
  /**
   * Docker swarm's IPVS load balancing: 900 s by default; configurable through IPVS ({@code
   * ipvsadm --set}), no range documented beyond whole seconds.
   */
  DOCKER_SWARM_IPVS("Docker swarm IPVS", 900, "Linux IPVS default TCP timeout 900 s (docker#31208)",
      Checks.MIN_MIDDLEBOX_SECONDS, Integer.MAX_VALUE, 1, "ipvsadm --set");

  private final String displayName;
  private final int idleTimeoutSeconds;
  private final String source;
  private final int minSeconds;
  private final int maxSeconds;
  /** The setting's unit in seconds: 1, or 60 for a setting in whole minutes. */
  private final int unitSeconds;
  /** Where the timeout is set, or null when it is fixed. */
  private final String setting;
  /** The preset itself as a ConfiguredMiddlebox, made once. */
  private final ConfiguredMiddlebox preset;

  Middlebox(String displayName, int idleTimeoutSeconds, String source, int minSeconds,
      int maxSeconds, int unitSeconds, String setting) {
    this.displayName = displayName;
    this.idleTimeoutSeconds = idleTimeoutSeconds;
    this.source = source;
    this.minSeconds = minSeconds;
    this.maxSeconds = maxSeconds;
    this.unitSeconds = unitSeconds;
    this.setting = setting;
    this.preset = new ConfiguredMiddlebox(this, idleTimeoutSeconds);
  }

  /**
   * The name to show people.
   *
   * @return e.g. {@code "AWS Network Load Balancer"}
   */
  public String displayName() {
    return displayName;
  }

  /**
   * How long the middlebox keeps an idle flow unless configured otherwise.
   *
   * @return the default idle timeout
   */
  public Duration idleTimeout() {
    return Duration.ofSeconds(idleTimeoutSeconds);
  }

  /**
   * Where the figure comes from.
   *
   * @return the vendor document the timeout is taken from
   */
  public String source() {
    return source;
  }

  /**
   * Whether the idle timeout is a setting of the middlebox.
   *
   * @return false where the vendor documents a fixed timeout (AWS NAT gateway, GCP VPC firewall)
   */
  public boolean configurable() {
    return setting != null;
  }

  /**
   * The shortest idle timeout the middlebox can be configured with.
   *
   * @return e.g. 60 s for {@link #AWS_NLB}; the default itself where the timeout is fixed
   */
  public Duration minIdleTimeout() {
    return Duration.ofSeconds(minSeconds);
  }

  /**
   * The longest idle timeout the middlebox can be configured with.
   *
   * @return e.g. 6000 s for {@link #AWS_NLB}; the default itself where the timeout is fixed
   */
  public Duration maxIdleTimeout() {
    return Duration.ofSeconds(maxSeconds);
  }

  /**
   * This middlebox with the idle timeout it is configured with, checked against the vendor's
   * documented range: AWS NLB 60-6000 s, Azure Load Balancer 4-100 min in whole minutes, GCP Cloud
   * NAT and Docker swarm IPVS any whole number of seconds from 10 s (the shortest timeout {@link
   * KeepalivePolicy#keepingAliveThrough(Duration)} can keep a flow through); AWS NAT gateway and
   * GCP VPC firewall take only their fixed timeout.
   *
   * @param idleTimeout the idle timeout configured on the middlebox
   * @return the configured middlebox, used like the preset ({@link ConfiguredMiddlebox#forgets},
   *     {@link KeepalivePolicy#keepingAliveThrough(ConfiguredMiddlebox)})
   * @throws NullPointerException if {@code idleTimeout} is null
   * @throws IllegalArgumentException if the timeout is outside the middlebox's range, not in its
   *     unit, or the middlebox's timeout is fixed and this is another value; the message names the
   *     field, the middlebox, the range and the value
   */
  public ConfiguredMiddlebox withIdleTimeout(Duration idleTimeout) {
    Checks.requireNonNull(idleTimeout, "idleTimeout");
    if (setting == null) {
      if (idleTimeout.equals(idleTimeout())) {
        return preset;
      }
      throw Checks.illegal("idleTimeout of %s is fixed at %d s (%s), was %s", displayName,
          idleTimeoutSeconds, source, idleTimeout);
    }
    long seconds = idleTimeout.getSeconds();
    if (idleTimeout.getNano() != 0 || idleTimeout.isNegative() || seconds % unitSeconds != 0) {
      throw Checks.illegal("idleTimeout of %s must be a whole number of %s (%s), was %s",
          displayName, unitSeconds == 60 ? "minutes" : "seconds", setting, idleTimeout);
    }
    if (seconds < minSeconds || seconds > maxSeconds) {
      throw Checks.illegal("idleTimeout of %s must be from %s to %s (%s), was %s", displayName,
          amount(minSeconds), maxSeconds == Integer.MAX_VALUE ? Integer.MAX_VALUE + " s"
              : amount(maxSeconds), setting, idleTimeout);
    }
    return seconds == idleTimeoutSeconds ? preset : new ConfiguredMiddlebox(this, (int) seconds);
  }

  /** A bound in the setting's own unit: "60 s", "4 min". */
  private String amount(int seconds) {
    return unitSeconds == 60 ? seconds / 60 + " min" : seconds + " s";
  }

  /**
   * Whether {@code policy} lets a flow through this middlebox go idle long enough to be forgotten:
   * true when keepalive is off, or its idle is not shorter than the middlebox's default timeout.
   *
   * @param policy the policy
   * @return true if an idle connection under {@code policy} would be dropped by this middlebox
   * @throws NullPointerException if {@code policy} is null
   * @see ConfiguredMiddlebox#forgets(KeepalivePolicy)
   */
  public boolean forgets(KeepalivePolicy policy) {
    return preset.forgets(policy);
  }
}
