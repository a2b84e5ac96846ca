/*
 * Processes for keepalive-audit's adversarial tests, compiled at test time with cc (CTarget).
 * Each mode prints "ready ..." on a line once set up, then runs until killed (or until its input
 * ends, for the modes that wait on it); alarm(120) ends a forgotten one.
 *
 *   flip FIRST COUNT FILE  a listener, a connection S and a decoy connection D (both ends here),
 *                          FILE opened read-write; then forever dup2 S, FILE and D in turn onto
 *                          descriptors FIRST..FIRST+COUNT-1.
 *                          prints: ready S_FD S_LOCAL_PORT D_FD D_LOCAL_PORT LISTEN_PORT
 *   sockets N              N connections to its own listener (2N + 1 sockets).
 *                          prints: ready PORT
 *   raw                    one TCP connection, and raw sockets (SOCK_RAW, IPPROTO_TCP) on IPv4
 *                          and IPv6. prints: ready CLIENT_LOCAL_PORT
 *   mptcp                  an MPTCP listener and connection, keepalive 61/11/4 on the client.
 *                          prints: ready CLIENT_LOCAL_PORT, or "unavailable ERRNO" if the kernel
 *                          has no MPTCP
 *   keepalive              in the network namespace it runs in: a connection with SO_KEEPALIVE on
 *                          and nothing else set (the namespace's defaults), and one with keepalive
 *                          off and TCP_USER_TIMEOUT 5000 ms. prints: ready ON_PORT OFF_PORT
 *   zombie                 a child that exits at once and is never reaped.
 *                          prints: ready CHILD_PID
 *   trylock FILE           exits 0 if it could take a write lock (fcntl F_SETLK) on all of FILE,
 *                          1 if another process holds one, 2 on error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

static int listener(int protocol, int *port) {
  int l = socket(AF_INET, SOCK_STREAM, protocol);
  if (l < 0) return -1;
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 4096) < 0) {
    perror("listen");
    exit(2);
  }
  socklen_t len = sizeof a;
  getsockname(l, (struct sockaddr *)&a, &len);
  *port = ntohs(a.sin_port);
  return l;
}

static int connect_to(int protocol, int port, int *local_port) {
  int s = socket(AF_INET, SOCK_STREAM, protocol);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
    perror("connect");
    exit(2);
  }
  socklen_t len = sizeof a;
  getsockname(s, (struct sockaddr *)&a, &len);
  if (local_port) *local_port = ntohs(a.sin_port);
  return s;
}

static int accepted(int l) {
  int a = accept(l, NULL, NULL);
  if (a < 0) {
    perror("accept");
    exit(2);
  }
  return a;
}

static void ready(const char *fmt, long a, long b, long c, long d, long e) {
  printf("ready ");
  printf(fmt, a, b, c, d, e);
  printf("\n");
  fflush(stdout);
}

static void set(int s, int level, int name, int value) {
  if (setsockopt(s, level, name, &value, sizeof value) < 0) {
    perror("setsockopt");
    exit(2);
  }
}

int main(int argc, char **argv) {
  alarm(120);
  if (argc < 2) return 2;
  struct rlimit r;
  getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
  int port, lp;
  if (!strcmp(argv[1], "flip") && argc == 5) {
    int first = atoi(argv[2]), count = atoi(argv[3]);
    int l = listener(IPPROTO_TCP, &port);
    int dp;
    int s = connect_to(IPPROTO_TCP, port, &lp);
    accepted(l);
    int d = connect_to(IPPROTO_TCP, port, &dp);
    accepted(l);
    int f = open(argv[4], O_RDWR);
    if (f < 0) {
      perror("open");
      return 2;
    }
    ready("%ld %ld %ld %ld %ld", s, lp, d, dp, port);
    for (unsigned long k = 0;; k++) {
      for (int i = 0; i < count; i++) {
        int which = (int)((k + i) % 3);
        dup2(which == 0 ? s : which == 1 ? f : d, first + i);
      }
    }
  }
  if (!strcmp(argv[1], "sockets") && argc == 3) {
    int n = atoi(argv[2]);
    int l = listener(IPPROTO_TCP, &port);
    for (int i = 0; i < n; i++) {
      connect_to(IPPROTO_TCP, port, NULL);
      accepted(l);
    }
    ready("%ld", port, 0, 0, 0, 0);
    for (;;) pause();
  }
  if (!strcmp(argv[1], "raw")) {
    int l = listener(IPPROTO_TCP, &port);
    connect_to(IPPROTO_TCP, port, &lp);
    accepted(l);
    if (socket(AF_INET, SOCK_RAW, IPPROTO_TCP) < 0 || socket(AF_INET6, SOCK_RAW, IPPROTO_TCP) < 0) {
      perror("raw socket");
      return 2;
    }
    ready("%ld", lp, 0, 0, 0, 0);
    for (;;) pause();
  }
  if (!strcmp(argv[1], "mptcp")) {
    int l = listener(IPPROTO_MPTCP, &port);
    if (l < 0) {
      printf("unavailable %d\n", errno);
      fflush(stdout);
      return 0;
    }
    int c = connect_to(IPPROTO_MPTCP, port, &lp);
    accepted(l);
    set(c, SOL_SOCKET, SO_KEEPALIVE, 1);
    set(c, IPPROTO_TCP, TCP_KEEPIDLE, 61);
    set(c, IPPROTO_TCP, TCP_KEEPINTVL, 11);
    set(c, IPPROTO_TCP, TCP_KEEPCNT, 4);
    ready("%ld", lp, 0, 0, 0, 0);
    for (;;) pause();
  }
  if (!strcmp(argv[1], "keepalive")) {
    int l = listener(IPPROTO_TCP, &port);
    int on = connect_to(IPPROTO_TCP, port, &lp);
    accepted(l);
    set(on, SOL_SOCKET, SO_KEEPALIVE, 1);
    int off_port;
    int off = connect_to(IPPROTO_TCP, port, &off_port);
    accepted(l);
    set(off, IPPROTO_TCP, TCP_USER_TIMEOUT, 5000);
    ready("%ld %ld", lp, off_port, 0, 0, 0);
    for (;;) pause();
  }
  if (!strcmp(argv[1], "zombie")) {
    pid_t child = fork();
    if (child == 0) _exit(0);
    ready("%ld", child, 0, 0, 0, 0);
    for (;;) pause();
  }
  if (!strcmp(argv[1], "trylock") && argc == 3) {
    int f = open(argv[2], O_RDWR);
    if (f < 0) return 2;
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(f, F_SETLK, &lock) == 0) return 0;
    return errno == EAGAIN || errno == EACCES ? 1 : 2;
  }
  fprintf(stderr, "unknown mode %s\n", argv[1]);
  return 2;
}
