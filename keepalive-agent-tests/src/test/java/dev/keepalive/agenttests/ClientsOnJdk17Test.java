package dev.keepalive.agenttests;

/** The real clients on JDK 17, with and without the agent. */
class ClientsOnJdk17Test extends ClientsTestBase {
  @Override
  Jdk jdk() {
    return Jdk.JDK17;
  }
}
