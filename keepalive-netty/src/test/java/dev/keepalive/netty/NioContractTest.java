package dev.keepalive.netty;

/**
 * The shared adapter contract on Netty NIO: no user timeout, refused strictly and reported leniently.
 */
class NioContractTest extends NettyAdapterContract {
  @Override
  TestTransport transport() {
    return TestTransport.NIO;
  }
}
