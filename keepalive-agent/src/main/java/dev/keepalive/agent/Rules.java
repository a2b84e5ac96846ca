package dev.keepalive.agent;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Which rule chooses a connection's policy. For a connection the application opens, the most
 * specific rule that matches wins, in this order:
 *
 * <ol>
 *   <li>{@code keepalive.policy.to.HOST:PORT}: HOST is the name the application connected to
 *       (case-insensitive; never looked up in DNS, here or at start-up), or an IP literal equal to
 *       the peer's address; a name rule is tried before an address rule;
 *   <li>{@code keepalive.policy.to.CIDR}, the longest prefix first (IPv4 rules for IPv4 peers,
 *       IPv6 rules for IPv6 peers);
 *   <li>{@code keepalive.policy.to.PORT};
 *   <li>{@code keepalive.policy}.
 * </ol>
 *
 * For a connection accepted on local port P: {@code keepalive.policy.accepted.P}, else {@code
 * keepalive.policy}. Two rules of the same kind that select the same connections are refused at
 * start-up ({@link Settings}), so this order decides every case.
 *
 * <p>Matching allocates nothing and takes no lock, except that a HOST:PORT name rule on the
 * connection's port asks the address for its host string, and an IPv6 CIDR rule copies an IPv6
 * peer's 16 bytes.
 */
final class Rules {

  private final Rule defaultRule;
  private final Rule[] all;
  private final Rule[] hostPort;
  private final Rule[] cidr4;
  private final Rule[] cidr6;
  private final int[] ports;
  private final Rule[] byPort;
  private final int[] acceptedPorts;
  private final Rule[] byAcceptedPort;

  Rules(Rule defaultRule, List<Rule> rules) {
    this.defaultRule = defaultRule;
    List<Rule> everything = new ArrayList<>();
    everything.add(defaultRule);
    List<Rule> hosts = new ArrayList<>();
    List<Rule> v4 = new ArrayList<>();
    List<Rule> v6 = new ArrayList<>();
    List<Rule> toPort = new ArrayList<>();
    List<Rule> accepted = new ArrayList<>();
    for (Rule r : rules) {
      everything.add(r);
      switch (r.kind) {
        case HOST_PORT:
          hosts.add(r);
          break;
        case CIDR:
          (r.network6 == null ? v4 : v6).add(r);
          break;
        case PORT:
          toPort.add(r);
          break;
        case ACCEPTED:
          accepted.add(r);
          break;
        default:
          throw new IllegalArgumentException("a second default rule: " + r);
      }
    }
    // Names before addresses; the longest prefix first; ports sorted for a binary search. (No
    // streams or lambdas here: each costs the agent's start-up a few classes.)
    sort(hosts, 0);
    sort(v4, 1);
    sort(v6, 1);
    sort(toPort, 2);
    sort(accepted, 2);
    for (int i = 0; i < everything.size(); i++) {
      everything.get(i).index = i;
    }
    this.all = everything.toArray(new Rule[0]);
    this.hostPort = hosts.toArray(new Rule[0]);
    this.cidr4 = v4.toArray(new Rule[0]);
    this.cidr6 = v6.toArray(new Rule[0]);
    this.byPort = toPort.toArray(new Rule[0]);
    this.ports = ports(byPort);
    this.byAcceptedPort = accepted.toArray(new Rule[0]);
    this.acceptedPorts = ports(byAcceptedPort);
  }

  private static int[] ports(Rule[] rules) {
    int[] ports = new int[rules.length];
    for (int i = 0; i < rules.length; i++) {
      ports[i] = rules[i].port;
    }
    return ports;
  }

  /** By {@code key}: 0 names before addresses, 1 longest prefix first, 2 port number. */
  private static void sort(List<Rule> rules, int key) {
    Collections.sort(rules, new Comparator<Rule>() {
      @Override
      public int compare(Rule a, Rule b) {
        switch (key) {
          case 0:
            return Boolean.compare(a.host == null, b.host == null);
          case 1:
            return Integer.compare(b.prefix, a.prefix);
          default:
            return Integer.compare(a.port, b.port);
        }
      }
    });
  }

  /**
   * Every rule, the default first, then the others as given; {@link Rule#index} is the position.
   *
   * @return the rules
   */
  List<Rule> all() {
    return Collections.unmodifiableList(Arrays.asList(all));
  }

  Rule defaultRule() {
    return defaultRule;
  }

  /** Whether every rule leaves connections alone: then no hook needs to do anything. */
  boolean allUnchanged() {
    for (Rule r : all) {
      if (!r.unchanged()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The rule for a connection the application opens to {@code remote}.
   *
   * @param remote the address given to connect
   * @return the most specific matching rule, never null
   */
  Rule forConnection(InetSocketAddress remote) {
    return forConnection(remote.getAddress(), remote, remote.getPort());
  }

  /**
   * The rule for a connection the application opened to {@code address}:{@code port}.
   *
   * @param address the peer's address, or null if unresolved
   * @param named the socket address, asked for its host string only when a HOST:PORT name rule
   *     names this port; may be null if there is none (name rules then do not match)
   * @param port the peer's port
   * @return the most specific matching rule, never null
   */
  Rule forConnection(InetAddress address, InetSocketAddress named, int port) {
    for (Rule r : hostPort) {
      if (r.port != port) {
        continue;
      }
      if (r.host != null) {
        if (named != null && r.host.equalsIgnoreCase(named.getHostString())) {
          return r;
        }
      } else if (r.address.equals(address)) {
        return r;
      }
    }
    if (address instanceof Inet4Address) {
      if (cidr4.length > 0) {
        // Inet4Address.hashCode() is its address as an int (RulesTest checks it on this JDK):
        // no byte[] copy on every connection.
        int a = address.hashCode();
        for (Rule r : cidr4) {
          if ((a & r.mask4) == r.network4) {
            return r;
          }
        }
      }
    } else if (address instanceof Inet6Address && cidr6.length > 0) {
      byte[] a = address.getAddress();
      for (Rule r : cidr6) {
        if (inPrefix(a, r.network6, r.prefix)) {
          return r;
        }
      }
    }
    int i = Arrays.binarySearch(ports, port);
    return i >= 0 ? byPort[i] : defaultRule;
  }

  /**
   * The rule for a connection accepted on local port {@code localPort}.
   *
   * @param localPort the listener's port
   * @return {@code keepalive.policy.accepted.PORT} or the default
   */
  Rule forAccepted(int localPort) {
    int i = Arrays.binarySearch(acceptedPorts, localPort);
    return i >= 0 ? byAcceptedPort[i] : defaultRule;
  }

  static boolean inPrefix(byte[] address, byte[] network, int prefix) {
    if (address.length != network.length) {
      return false;
    }
    int whole = prefix / 8;
    for (int i = 0; i < whole; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[whole] & mask) == (network[whole] & mask);
  }

  /** The rules as one line: {@code keepalive.policy.to.5432=unchanged, …}; the default excluded. */
  String describeRules() {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < all.length; i++) {
      b.append(i == 1 ? "" : ", ").append(all[i]);
    }
    return b.length() == 0 ? "none" : b.toString();
  }
}
