package dev.keepalive.kernel;

import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/** Bounded waits on Netty futures: the proof never waits without a limit. */
final class NettyFutures {

  private NettyFutures() {}

  static <V> V await(Future<V> future, String what) throws IOException, InterruptedException {
    if (!future.await(5, TimeUnit.SECONDS)) {
      throw new SocketTimeoutException(what + " did not finish within 5 s");
    }
    if (!future.isSuccess()) {
      throw new IOException(what + " failed", future.cause());
    }
    return future.getNow();
  }
}
