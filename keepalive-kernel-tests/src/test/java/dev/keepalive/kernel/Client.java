package dev.keepalive.kernel;

import java.io.IOException;
import java.time.Duration;

/** The connection under test, from the side that applied the policy (the prober). */
interface Client extends AutoCloseable {

  /** Hands {@code data} to the kernel; returns System.nanoTime() when it did. */
  long write(byte[] data) throws Exception;

  /** Reads one byte, waiting at most {@code limit}; returns System.nanoTime() when it arrived. */
  long readOne(Duration limit) throws Exception;

  /**
   * Waits at most {@code limit} for the connection to fail, the way an application would notice:
   * a blocked read, a selector, a Netty pipeline. The failure itself is the result, never thrown.
   */
  Outcome awaitFailure(Duration limit) throws Exception;

  @Override
  void close() throws IOException;
}
