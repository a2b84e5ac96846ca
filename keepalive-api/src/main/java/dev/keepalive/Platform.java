package dev.keepalive;

import java.util.Locale;

/** The operating systems whose keepalive limits and defaults the library knows. */
public enum Platform {
  /** Linux. */
  LINUX("Linux"),
  /** macOS (Darwin/XNU). */
  MACOS("macOS"),
  /** Windows 10 1709 or later (TCP_KEEPIDLE and TCP_KEEPINTVL; TCP_KEEPCNT since 1703). */
  WINDOWS("Windows"),
  /** Any other system: limits and defaults unknown to the library. */
  OTHER("an unknown operating system");

  private final String displayName;

  Platform(String displayName) {
    this.displayName = displayName;
  }

  /**
   * The platform this JVM runs on, from the {@code os.name} system property.
   *
   * @return the current platform, {@link #OTHER} if it is none of the known ones
   */
  public static Platform current() {
    return fromOsName(System.getProperty("os.name", ""));
  }

  /**
   * The platform an {@code os.name} value names.
   *
   * @param osName e.g. {@code "Linux"}, {@code "Mac OS X"}, {@code "Windows 11"}
   * @return the platform, {@link #OTHER} if it is none of the known ones
   * @throws NullPointerException if {@code osName} is null
   */
  public static Platform fromOsName(String osName) {
    String name = Checks.requireNonNull(osName, "osName").toLowerCase(Locale.ROOT);
    if (name.startsWith("linux")) {
      return LINUX;
    }
    if (name.startsWith("mac") || name.startsWith("darwin")) {
      return MACOS;
    }
    if (name.startsWith("windows")) {
      return WINDOWS;
    }
    return OTHER;
  }

  /**
   * What this platform's kernel accepts for each keepalive option.
   *
   * @return the limits
   */
  public PlatformLimits limits() {
    return PlatformLimits.of(this);
  }

  /**
   * The name to show people, e.g. {@code "macOS"}.
   *
   * @return the display name
   */
  public String displayName() {
    return displayName;
  }

  @Override
  public String toString() {
    return displayName;
  }
}
