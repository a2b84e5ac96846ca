package dev.keepalive.kernel;

import java.io.IOException;

/** A listener whose accepted connections get the policy through the library's server support. */
interface Server extends AutoCloseable {

  int port();

  /**
   * Waits at most {@code millis} until one connection has been accepted and handed to the
   * application, i.e. after the library applied the policy to it.
   */
  void awaitAccepted(long millis) throws Exception;

  @Override
  void close() throws IOException;
}
