package dev.keepalive;

/**
 * Thrown when a runtime, platform or transport has no way to set an option a policy asks for, for
 * example TCP_USER_TIMEOUT through {@code java.net.Socket} (the JDK has no such option), or any
 * TCP_KEEP* option on a runtime without the {@code jdk.net} module. Thrown before the socket is
 * changed.
 */
public class UnsupportedKeepaliveOptionException extends UnsupportedOperationException {
  private static final long serialVersionUID = 1L;

  /** The option that cannot be set. */
  private final KeepaliveOption option;
  /** What cannot set it. */
  private final String platform;

  /**
   * A new exception.
   *
   * @param option the option that cannot be set
   * @param platform what cannot set it, e.g. {@code "JDK 17.0.15 on Linux"} or {@code "Netty NIO"}
   * @param reason why, e.g. {@code "jdk.net is not in the runtime image"}
   * @throws NullPointerException if an argument is null
   */
  public UnsupportedKeepaliveOptionException(KeepaliveOption option, String platform, String reason) {
    super(Checks.requireNonNull(option, "option").kernelName() + " ("
        + option.field() + ") cannot be set on " + Checks.requireNonNull(platform, "platform") + ": "
        + Checks.requireNonNull(reason, "reason"));
    this.option = option;
    this.platform = platform;
  }

  /**
   * The option that cannot be set.
   *
   * @return the option
   */
  public KeepaliveOption option() {
    return option;
  }

  /**
   * What cannot set it.
   *
   * @return e.g. {@code "JDK 17.0.15 on Linux"}
   */
  public String platform() {
    return platform;
  }
}
