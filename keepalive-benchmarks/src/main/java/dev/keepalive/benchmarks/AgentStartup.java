package dev.keepalive.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The small program keepalive-agent's start-up is measured on, with and without {@code
 * -javaagent}: one connection over loopback (so the hooked classes load and the policy is applied),
 * then exit. With {@code --none} it opens nothing: the agent's cost alone.
 */
public final class AgentStartup {

  private AgentStartup() {}

  public static void main(String[] args) throws IOException {
    if (args.length > 0 && args[0].equals("--none")) {
      return;
    }
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept()) {
      if (!client.isConnected() || accepted.getLocalPort() != server.getLocalPort()) {
        throw new IllegalStateException("no connection");
      }
    }
  }
}
