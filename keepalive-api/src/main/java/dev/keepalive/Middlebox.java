package dev.keepalive;

import java.time.Duration;

/**
 * Common middleboxes that forget idle TCP flows, with their documented idle timeouts. A keepalive
 * idle must stay below the timeout for keepalive to keep a connection through them; see
 * {@link KeepalivePolicy#keepingAliveThrough(Middlebox)}. Figures as the vendors document them.
 */
public enum Middlebox {
  /** AWS Network Load Balancer: 350 s for TCP flows ("Connection idle timeout", ELB docs). */
  AWS_NLB("AWS Network Load Balancer", 350, "AWS Elastic Load Balancing docs: TCP idle timeout 350 s"),
  /** AWS NAT gateway: 350 s ("NAT gateways: timeout", Amazon VPC docs). */
  AWS_NAT_GATEWAY("AWS NAT gateway", 350, "Amazon VPC docs: NAT gateway idle timeout 350 s"),
  /** Azure Load Balancer: 4 min default, then drops the flow silently. */
  AZURE_LB("Azure Load Balancer", 240, "Azure Load Balancer docs: TCP idle timeout default 4 min"),
  /** GCP VPC firewall connection tracking: 10 min for established TCP. */
  GCP_VPC_FIREWALL("GCP VPC firewall", 600,
      "Google Cloud VPC firewall docs: established TCP connection tracking 10 min"),
  /** GCP Cloud NAT: 1200 s for established TCP. */
  GCP_CLOUD_NAT("GCP Cloud NAT", 1200,
      "Google Cloud NAT docs: TCP established connection idle timeout 1200 s"),
  /** Docker swarm's IPVS load balancing: 900 s. */
  DOCKER_SWARM_IPVS("Docker swarm IPVS", 900, "Linux IPVS default TCP timeout 900 s (docker#31208)");

  private final String displayName;
  private final int idleTimeoutSeconds;
  private final String source;

  Middlebox(String displayName, int idleTimeoutSeconds, String source) {
    this.displayName = displayName;
    this.idleTimeoutSeconds = idleTimeoutSeconds;
    this.source = source;
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
   * How long the middlebox keeps an idle flow.
   *
   * @return the idle timeout
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
   * Whether {@code policy} lets a flow through this middlebox go idle long enough to be forgotten:
   * true when keepalive is off, or its idle is not shorter than the middlebox's timeout.
   *
   * @param policy the policy
   * @return true if an idle connection under {@code policy} would be dropped by this middlebox
   * @throws NullPointerException if {@code policy} is null
   */
  public boolean forgets(KeepalivePolicy policy) {
    Checks.requireNonNull(policy, "policy");
    return !policy.enabled() || policy.idleSeconds() >= idleTimeoutSeconds;
  }
}
