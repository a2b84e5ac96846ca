package dev.keepalive.kernel;

import java.util.Locale;

/** One scenario on one adapter over one address family: one child JVM in its own namespace. */
record Run(Scenario scenario, Adapter adapter, Family family) {

  String name() {
    return (scenario + "-" + adapter + "-" + family).toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
