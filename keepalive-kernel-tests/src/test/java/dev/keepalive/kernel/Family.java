package dev.keepalive.kernel;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The loopback address a scenario runs on, inside its own network namespace. */
enum Family {
  IPV4("127.0.0.1"),
  IPV6("::1");

  private final String literal;

  Family(String literal) {
    this.literal = literal;
  }

  InetAddress loopback() {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError("a literal address needs no lookup: " + literal, e);
    }
  }

  String literal() {
    return literal;
  }
}
