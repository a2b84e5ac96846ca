package dev.keepalive.agenttests;

/** The real clients on JDK 25, with and without the agent. */
class ClientsOnJdk25Test extends ClientsTestBase {
  @Override
  Jdk jdk() {
    return Jdk.JDK25;
  }
}
