package dev.keepalive.spring.boot;

import java.util.Objects;

/**
 * A {@code keepalive.*} property that does not parse, or holds a policy an integration cannot take.
 * Thrown while the application context starts, never on first use, and reported by {@link
 * KeepaliveFailureAnalyzer}: the property, its value, the integration, why, and what to set
 * instead.
 */
public class KeepaliveConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The property. */
  private final String property;
  /** Its value as configured. */
  private final String value;
  /** What the value was for. */
  private final String integration;
  /** Why it cannot be used. */
  private final String reason;
  /** What to set instead. */
  private final String fix;

  /**
   * A new exception.
   *
   * @param property the property, e.g. {@code keepalive.datasource.policy}
   * @param value its value as configured
   * @param integration what it was for, e.g. {@code the DataSource (HikariCP)}
   * @param reason why it cannot be used
   * @param fix what to set instead
   * @param cause the underlying exception, or null
   * @throws NullPointerException if an argument other than {@code cause} is null
   */
  public KeepaliveConfigurationException(String property, String value, String integration,
      String reason, String fix, Throwable cause) {
    super(Objects.requireNonNull(property, "property must not be null") + "="
        + Objects.requireNonNull(value, "value must not be null") + " cannot be used for "
        + Objects.requireNonNull(integration, "integration must not be null") + ": "
        + Objects.requireNonNull(reason, "reason must not be null"), cause);
    this.property = property;
    this.value = value;
    this.integration = integration;
    this.reason = reason;
    this.fix = Objects.requireNonNull(fix, "fix must not be null");
  }

  /**
   * The property.
   *
   * @return e.g. {@code keepalive.datasource.policy}
   */
  public String property() {
    return property;
  }

  /**
   * The property's value.
   *
   * @return the value as configured
   */
  public String value() {
    return value;
  }

  /**
   * What the value was for.
   *
   * @return e.g. {@code the DataSource (HikariCP)}
   */
  public String integration() {
    return integration;
  }

  /**
   * Why the value cannot be used.
   *
   * @return the reason
   */
  public String reason() {
    return reason;
  }

  /**
   * What to set instead.
   *
   * @return the fix, naming a property and a value
   */
  public String fix() {
    return fix;
  }
}
