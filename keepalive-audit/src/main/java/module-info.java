/**
 * The keepalive audit: the real keepalive of every TCP connection of a process (this JVM or any
 * PID), read from the Linux kernel through {@code pidfd_getfd(2)} and {@code getsockopt(2)} with the
 * Foreign Function and Memory API; and the {@code keepalive-audit} command
 * ({@link dev.keepalive.audit.Audit}). Needs Java 22+ and Linux 5.6+; no JNI, no native library.
 * Run with {@code --enable-native-access=dev.keepalive.audit} (or {@code ALL-UNNAMED} on the class
 * path) to call the kernel without the JDK's restricted-method warning.
 */
module dev.keepalive.audit {
  requires transitive dev.keepalive;

  exports dev.keepalive.audit;
}
