package dev.keepalive.audit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}), or one address
 * ({@code 127.0.0.1}, {@code ::1}): the command's {@code --remote} filter. Literals only, never a
 * name lookup. A peer on an IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}, as Java's dual-stack
 * sockets have them) is read as its IPv4 address, so an IPv4 network matches it.
 */
final class Cidr {

  private static final Pattern IPV4 = Pattern.compile(
      "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private final byte[] network;
  private final int prefix;
  private final String text;

  private Cidr(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the value, if it is not an address or network
   */
  static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    boolean v4 = IPV4.matcher(address).matches();
    if (!v4 && !IPV6.matcher(address).matches()) {
      throw new IllegalArgumentException("must be an IPv4 or IPv6 address or network (CIDR, e.g."
          + " 10.0.0.0/8 or fd00::/8), was '" + text + "'");
    }
    byte[] bytes;
    try {
      InetAddress ip = InetAddress.getByName(address);
      bytes = ip.getAddress();
      if (!v4 && ip instanceof Inet4Address) {
        throw new IllegalArgumentException("must name an IPv6 network by an IPv6 address, was '"
            + text + "' (an IPv4-mapped address: write the IPv4 network)");
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("must be an IPv4 or IPv6 address or network (CIDR),"
          + " was '" + text + "'");
    }
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = text.substring(slash + 1);
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
        throw new IllegalArgumentException("has a prefix length from 0 to " + bits + " after"
            + " '/', was '" + text + "'");
      }
      prefix = Integer.parseInt(p);
    }
    for (int i = prefix; i < bits; i++) {
      if ((bytes[i / 8] & (0x80 >> (i % 8))) != 0) {
        throw new IllegalArgumentException("has host bits set beyond its /" + prefix + " prefix,"
            + " was '" + text + "'");
      }
    }
    return new Cidr(bytes, prefix, text);
  }

  boolean contains(InetAddress ip) {
    byte[] b = ip.getAddress();
    if (b.length != network.length) {
      return false;
    }
    for (int i = 0; i < prefix; i++) {
      int mask = 0x80 >> (i % 8);
      if ((b[i / 8] & mask) != (network[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return text;
  }
}
