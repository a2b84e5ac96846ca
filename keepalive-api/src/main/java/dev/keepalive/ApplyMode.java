package dev.keepalive;

/**
 * How an adapter applies a policy to a live socket. Every mode checks the policy against the
 * platform's limits before the socket is touched.
 */
public enum ApplyMode {
  /**
   * The default. An option this runtime, platform or transport cannot set is refused with an
   * {@link UnsupportedKeepaliveOptionException} before anything changes. The tuning options are set
   * before SO_KEEPALIVE, and if a call fails part-way SO_KEEPALIVE is switched off, so keepalive
   * never runs with half a policy. Costs the raw calls and nothing more on success.
   */
  STRICT,
  /**
   * Like {@link #STRICT}, but first reads every option it will change and, if a call fails, restores
   * each one it changed, leaving the socket exactly as it was. Reading first costs about twice the
   * raw calls, which is why it is opt-in.
   */
  TRANSACTIONAL,
  /**
   * Applies what it can and reports the rest in the {@link ApplyReport}: an option this runtime or
   * transport cannot set, or one the kernel refused, is a {@link ApplyReport.Status#NOT_SUPPORTED}
   * or {@link ApplyReport.Status#FAILED} entry instead of an exception.
   */
  LENIENT
}
