package dev.keepalive.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link KeepaliveConfigurationException} into Spring Boot's start-up report: what is
 * wrong (property, value, integration, reason) and the action (the property and value to set).
 */
public class KeepaliveFailureAnalyzer extends AbstractFailureAnalyzer<KeepaliveConfigurationException> {

  /** The analyzer Spring Boot instantiates from {@code META-INF/spring.factories}. */
  public KeepaliveFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, KeepaliveConfigurationException cause) {
    String description = "The keepalive property '" + cause.property() + "' is set to '"
        + cause.value() + "', which cannot be used for " + cause.integration() + ":\n\n    "
        + cause.reason() + "\n";
    return new FailureAnalysis(description, cause.fix(), cause);
  }
}
