package dev.keepalive.agent;

import dev.keepalive.KeepalivePolicy;
import java.net.InetAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * One setting the agent chooses a connection's policy by: the default ({@code keepalive.policy}),
 * a peer ({@code keepalive.policy.to.HOST:PORT}, {@code .to.CIDR}, {@code .to.PORT}) or a local
 * port that accepts ({@code keepalive.policy.accepted.PORT}). Immutable but for its count.
 */
final class Rule {

  /** The kinds, most specific first: the order {@link Rules} tries them in. */
  enum Kind {
    /** {@code keepalive.policy.to.HOST:PORT}: by the name the application connected to, or by address. */
    HOST_PORT,
    /** {@code keepalive.policy.to.CIDR}: the longest prefix first. */
    CIDR,
    /** {@code keepalive.policy.to.PORT}. */
    PORT,
    /** {@code keepalive.policy.accepted.PORT}: connections accepted on that local port. */
    ACCEPTED,
    /** {@code keepalive.policy}: every other connection, opened or accepted. */
    DEFAULT
  }

  final Kind kind;
  /** The setting's key as written, e.g. {@code keepalive.policy.to.db.internal:5432}. */
  final String key;
  /** The text of the value as written, trimmed. */
  final String value;
  /** Where the setting came from, e.g. {@code system property} or {@code file /etc/k.properties}. */
  final String source;
  /** The policy; null for {@code unchanged} (the connection is left as the client makes it). */
  final KeepalivePolicy policy;
  /** What the rule selects, canonical: two keys with the same selection are ambiguous. */
  final String selection;

  final int port;
  /** A host name, lower case; null when the rule is by address. */
  final String host;
  /** The address of a HOST:PORT rule given as an IP literal, or a CIDR's network. */
  final InetAddress address;
  final int prefix;
  /** IPv4 CIDR: the network and the mask as ints. */
  final int network4;
  final int mask4;
  /** IPv6 CIDR: the network's bytes. */
  final byte[] network6;

  /** Its index in {@link Rules#all()}, for counters. */
  int index;
  /** Connections this rule chose the policy of (or left alone, for {@code unchanged}). */
  final LongAdder connections = new LongAdder();

  private Rule(Kind kind, String key, String value, String source, KeepalivePolicy policy,
      String selection, int port, String host, InetAddress address, int prefix) {
    this.kind = kind;
    this.key = key;
    this.value = value;
    this.source = source;
    this.policy = policy;
    this.selection = selection;
    this.port = port;
    this.host = host;
    this.address = address;
    this.prefix = prefix;
    byte[] bytes = kind == Kind.CIDR ? address.getAddress() : null;
    if (bytes != null && bytes.length == 4) {
      this.mask4 = prefix == 0 ? 0 : -1 << (32 - prefix);
      this.network4 = toInt(bytes);
      this.network6 = null;
    } else {
      this.mask4 = 0;
      this.network4 = 0;
      this.network6 = bytes;
    }
  }

  static Rule defaultRule(String key, String value, String source, KeepalivePolicy policy) {
    return new Rule(Kind.DEFAULT, key, value, source, policy, "every other connection", -1, null,
        null, 0);
  }

  static Rule port(String key, String value, String source, KeepalivePolicy policy, int port) {
    return new Rule(Kind.PORT, key, value, source, policy, "to port " + port, port, null, null, 0);
  }

  static Rule accepted(String key, String value, String source, KeepalivePolicy policy,
      int port) {
    return new Rule(Kind.ACCEPTED, key, value, source, policy, "accepted on port " + port, port,
        null, null, 0);
  }

  static Rule hostName(String key, String value, String source, KeepalivePolicy policy,
      String host, int port) {
    return new Rule(Kind.HOST_PORT, key, value, source, policy, "to " + host + ":" + port, port,
        host, null, 0);
  }

  static Rule hostAddress(String key, String value, String source, KeepalivePolicy policy,
      InetAddress address, int port) {
    String literal = address.getHostAddress();
    String shown = literal.indexOf(':') >= 0 ? "[" + literal + "]" : literal;
    return new Rule(Kind.HOST_PORT, key, value, source, policy, "to " + shown + ":" + port, port,
        null, address, 0);
  }

  static Rule cidr(String key, String value, String source, KeepalivePolicy policy,
      InetAddress network, int prefix) {
    return new Rule(Kind.CIDR, key, value, source, policy,
        "to " + network.getHostAddress() + "/" + prefix, -1, null, network, prefix);
  }

  /** Whether the rule leaves its connections exactly as the client makes them. */
  boolean unchanged() {
    return policy == null;
  }

  /** {@code key=value}, as the INFO line and the MBean show it. */
  @Override
  public String toString() {
    return key + "=" + value;
  }

  static int toInt(byte[] b) {
    return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
  }
}
