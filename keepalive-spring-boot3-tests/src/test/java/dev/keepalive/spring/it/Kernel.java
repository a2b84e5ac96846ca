package dev.keepalive.spring.it;

import dev.keepalive.contract.KernelReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A child application's established connections as the kernel holds them, every field. */
final class Kernel {

  private final List<KernelReader.Socket> established = new ArrayList<>();

  private Kernel(List<KernelReader.Socket> sockets) {
    for (KernelReader.Socket s : sockets) {
      if (s.state() == KernelReader.Socket.ESTABLISHED) {
        established.add(s);
      }
    }
  }

  static Kernel read(long pid) throws IOException {
    return new Kernel(KernelReader.read(pid));
  }

  /** Every established connection. */
  List<KernelReader.Socket> established() {
    return established;
  }

  /** The connections this process opened to {@code port}. */
  List<KernelReader.Socket> to(int port) {
    List<KernelReader.Socket> found = new ArrayList<>();
    for (KernelReader.Socket s : established) {
      if (s.remotePort() == port) {
        found.add(s);
      }
    }
    return found;
  }

  /** The connections this process accepted on its local {@code port}. */
  List<KernelReader.Socket> acceptedOn(int port) {
    List<KernelReader.Socket> found = new ArrayList<>();
    for (KernelReader.Socket s : established) {
      if (s.localPort() == port) {
        found.add(s);
      }
    }
    return found;
  }

  /** keepalive fields to the connections that hold them, for messages. */
  Map<String, List<String>> byFields() {
    Map<String, List<String>> all = new TreeMap<>();
    for (KernelReader.Socket s : established) {
      all.computeIfAbsent(s.keepaliveFields(), k -> new ArrayList<>())
          .add(s.local() + "->" + s.remote());
    }
    return all;
  }

  static List<String> fields(List<KernelReader.Socket> sockets) {
    List<String> fields = new ArrayList<>();
    for (KernelReader.Socket s : sockets) {
      fields.add(s.keepaliveFields());
    }
    return fields;
  }

  @Override
  public String toString() {
    return byFields().toString();
  }
}
