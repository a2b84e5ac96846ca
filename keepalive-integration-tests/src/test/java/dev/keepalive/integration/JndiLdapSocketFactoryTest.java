package dev.keepalive.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keepalive.KeepalivePolicy;
import dev.keepalive.jdk.Keepalive;
import dev.keepalive.jdk.KeepaliveSocketFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.directory.InitialDirContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JNDI LDAP with {@code java.naming.ldap.factory.socket} naming the factory class, whose static
 * {@code getDefault()} reads the policy from {@code -Dkeepalive.policy}: against a plain listener
 * that accepts the connection (no LDAP server is needed to prove the socket came from the factory
 * and carries the policy). With a connect timeout JNDI calls {@code createSocket()} then connects;
 * without one, {@code createSocket(host, port)}.
 */
@Timeout(60)
class JndiLdapSocketFactoryTest {

  private String savedPolicy;
  private ExecutorService executor;

  @BeforeEach
  void setUp() {
    RecordingSocketFactory.clear();
    savedPolicy = System.getProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
    executor = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
    if (savedPolicy == null) {
      System.clearProperty(KeepaliveSocketFactory.POLICY_PROPERTY);
    } else {
      System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, savedPolicy);
    }
  }

  /**
   * Starts an LDAP connection to a listener through {@code factoryClass}, hands the accepted
   * connection's client port to {@code check} while the client waits, then ends it.
   */
  private void connect(String factoryClass, boolean connectTimeout, IntConsumer check)
      throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      listener.setSoTimeout(10_000);
      Hashtable<String, String> env = new Hashtable<>();
      env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
      env.put(Context.PROVIDER_URL, "ldap://127.0.0.1:" + listener.getLocalPort());
      env.put("java.naming.ldap.factory.socket", factoryClass);
      env.put("com.sun.jndi.ldap.read.timeout", "10000");
      if (connectTimeout) {
        env.put("com.sun.jndi.ldap.connect.timeout", "5000");
      }
      Future<?> client = executor.submit(() -> {
        new InitialDirContext(env).close();
        return null;
      });
      try (Socket accepted = listener.accept()) {
        check.accept(accepted.getPort());
      }
      try {
        client.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        // The listener speaks no LDAP: the client fails once the connection is closed.
        assertTrue(e.getCause() instanceof NamingException, e.getCause().toString());
      }
    }
  }

  /**
   * The one socket JNDI made through the factory, once its connect returned: the listener may
   * accept before the client thread is back from connect (bounded wait).
   */
  private static Socket awaitConnectedSocket() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      List<Socket> sockets = RecordingSocketFactory.created();
      if (sockets.size() == 1 && sockets.get(0).isConnected()) {
        return sockets.get(0);
      }
      if (sockets.size() > 1 || System.nanoTime() > deadline) {
        throw new AssertionError("JNDI made one connected socket through the factory: " + sockets);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @ParameterizedTest(name = "connect timeout: {0}")
  @ValueSource(booleans = {true, false})
  void socketFromTheFactoryCarriesThePolicy(boolean connectTimeout) throws Exception {
    KeepalivePolicy policy = KeepalivePolicy.ofSeconds(connectTimeout ? 91 : 92, 12, 4);
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, policy.toString());
    connect(RecordingSocketFactory.class.getName(), connectTimeout, clientPort -> {
      Socket socket = awaitConnectedSocket();
      assertEquals(clientPort, socket.getLocalPort(), "the socket of this connection");
      try {
        assertEquals(policy, Keepalive.inspect(socket));
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  void theRealFactoryClassByNameAsSsSeesIt() throws Exception {
    Assumptions.assumeTrue(Ss.available(), "no ss (iproute2) to read the connection from outside");
    System.setProperty(KeepaliveSocketFactory.POLICY_PROPERTY, "idle=43s,interval=12s,probes=4");
    connect(KeepaliveSocketFactory.class.getName(), true, clientPort -> {
      try {
        long left = Ss.keepaliveTimerSeconds(clientPort);
        assertTrue(left > 30 && left <= 43, "keepalive timer " + left + " s, policy idle 43 s");
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    });
  }
}
