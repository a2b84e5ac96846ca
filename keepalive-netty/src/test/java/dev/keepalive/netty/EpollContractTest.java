package dev.keepalive.netty;

/**
 * The shared adapter contract on Netty epoll, with TCP_USER_TIMEOUT.
 */
class EpollContractTest extends NettyAdapterContract {
  @Override
  TestTransport transport() {
    return TestTransport.EPOLL;
  }
}
