package dev.keepalive.netty;

/** The shared adapter contract on channels a Netty epoll server accepted. */
class EpollAcceptedContractTest extends NettyAdapterContract {
  @Override
  TestTransport transport() {
    return TestTransport.EPOLL;
  }

  @Override
  boolean acceptedSide() {
    return true;
  }
}
