package dev.keepalive.jdk;

import dev.keepalive.jdk.internal.SocketAccess;
import java.io.IOException;
import java.net.SocketOption;
import java.util.Set;

/**
 * Forwards to a real {@link SocketAccess}. Tests spy this rather than the library's own classes:
 * Mockito's inline mock maker rewrites the bytecode of a spied class for the whole JVM, which would
 * put its dispatch (and allocations) into every later test's default path.
 */
class ForwardingAccess<S> implements SocketAccess<S> {
  private final SocketAccess<S> real;

  ForwardingAccess(SocketAccess<S> real) {
    this.real = real;
  }

  @Override
  public <T> void setOption(S socket, SocketOption<T> option, T value) throws IOException {
    real.setOption(socket, option, value);
  }

  @Override
  public <T> T getOption(S socket, SocketOption<T> option) throws IOException {
    return real.getOption(socket, option);
  }

  @Override
  public Set<SocketOption<?>> supportedOptions(S socket) {
    return real.supportedOptions(socket);
  }

  @Override
  public boolean isClosed(S socket) {
    return real.isClosed(socket);
  }

  @Override
  public IOException closed() {
    return real.closed();
  }
}
