package dev.keepalive.netty;

/**
 * The shared adapter contract on Netty io_uring, with TCP_USER_TIMEOUT; skipped with the reason
 * printed where the kernel lacks io_uring.
 */
class IoUringContractTest extends NettyAdapterContract {
  @Override
  TestTransport transport() {
    return TestTransport.IO_URING;
  }
}
