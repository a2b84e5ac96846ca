package dev.keepalive.netty;

/** The shared adapter contract on channels a Netty NIO server accepted. */
class NioAcceptedContractTest extends NettyAdapterContract {
  @Override
  TestTransport transport() {
    return TestTransport.NIO;
  }

  @Override
  boolean acceptedSide() {
    return true;
  }
}
