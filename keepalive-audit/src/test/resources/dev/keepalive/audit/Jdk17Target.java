import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A Java 17 application for keepalive-audit's apply tests, run from source by any Java 11+
 * ({@code java Jdk17Target.java PORT N}): N plain java.net.Socket connections to 127.0.0.1:PORT
 * with the JDK's defaults (keepalive off), held until its input ends. Prints "ready" and the local
 * ports.
 */
public class Jdk17Target {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int n = Integer.parseInt(args[1]);
    List<Socket> sockets = new ArrayList<>();
    StringBuilder ready = new StringBuilder("ready");
    for (int i = 0; i < n; i++) {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      sockets.add(s);
      ready.append(' ').append(s.getLocalPort());
    }
    System.out.println(ready);
    System.out.println("java " + System.getProperty("java.version"));
    System.out.flush();
    InputStream in = System.in;
    while (in.read() >= 0) {
      // held until the test closes our input
    }
    for (Socket s : sockets) {
      s.close();
    }
  }
}
