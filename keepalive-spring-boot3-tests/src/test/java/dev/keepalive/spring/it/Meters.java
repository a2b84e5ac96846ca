package dev.keepalive.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The starter's meters and the endpoint's connections, read back through the application's real
 * actuator endpoints ({@code /actuator/metrics/{name}}, {@code /actuator/keepalive}).
 */
final class Meters {

  private Meters() {}

  /** The sum of a meter's COUNT or VALUE over every tag. */
  static double count(ChildApp app, String name) throws Exception {
    return value(app.json("/actuator/metrics/" + name));
  }

  static double value(Map<String, Object> meter) {
    for (Object m : (List<?>) meter.get("measurements")) {
      Map<?, ?> measurement = (Map<?, ?>) m;
      return ((Number) measurement.get("value")).doubleValue();
    }
    throw new AssertionError("no measurement in " + meter);
  }

  /** The values a meter has for one tag. */
  static List<String> tags(ChildApp app, String name, String tag) throws Exception {
    for (Object t : (List<?>) app.json("/actuator/metrics/" + name).get("availableTags")) {
      Map<?, ?> available = (Map<?, ?>) t;
      if (tag.equals(available.get("tag"))) {
        List<String> values = new ArrayList<>();
        for (Object v : (List<?>) available.get("values")) {
          values.add((String) v);
        }
        return values;
      }
    }
    throw new AssertionError(name + " has no tag " + tag);
  }

  /**
   * On Java 22+ (keepalive-audit on the class path) the endpoint lists the connections with the
   * policy and the gauge counts them; before, both say why not.
   */
  static void assertConnectionsReadBack(ChildApp app, Map<String, Object> report, String policy)
      throws Exception {
    Map<?, ?> connections = (Map<?, ?>) report.get("connections");
    if (Runtime.version().feature() < 22) {
      assertThat(connections.get("available")).isEqualTo(false);
      assertThat((String) connections.get("reason"))
          .isEqualTo("keepalive-audit needs Java 22+ (the FFM API); this is Java "
              + Runtime.version().feature());
      assertThat(app.getResponse("/actuator/metrics/keepalive.connections").statusCode())
          .isEqualTo(404);
      return;
    }
    assertThat(connections.get("available")).as("%s", connections).isEqualTo(true);
    Map<?, ?> byState = (Map<?, ?>) connections.get("byState");
    assertThat(((Number) byState.get("policy")).intValue()).isPositive();
    assertThat(((Number) byState.get("off")).intValue()).as("%s", connections).isZero();
    assertThat(((Number) byState.get("mismatch")).intValue()).as("%s", connections).isZero();
    assertThat(((Number) byState.get("kernel_default")).intValue()).as("%s", connections)
        .isZero();
    for (Object p : (List<?>) connections.get("peers")) {
      Map<?, ?> peer = (Map<?, ?>) p;
      assertThat(peer.get("keepalive")).as("%s", peer).isEqualTo(policy);
      assertThat(peer.get("state")).as("%s", peer).isEqualTo("policy");
      assertThat((List<?>) peer.get("flags")).as("%s", peer).isEmpty();
    }
    assertThat(value(app.json("/actuator/metrics/keepalive.connections?tag=state:policy")))
        .isPositive();
    assertThat(value(app.json("/actuator/metrics/keepalive.connections?tag=state:off")))
        .isZero();
  }
}
