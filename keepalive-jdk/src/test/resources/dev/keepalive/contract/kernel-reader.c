/*
 * An independent reader of the keepalive the kernel holds on another process's TCP sockets, for
 * tests only: it shares no code with keepalive-audit (C, libc, its own pidfd_getfd), so a test that
 * checks the audit, the agent or --apply against it cannot pass by agreeing with itself.
 *
 * usage: kernel-reader PID
 * prints one line per TCP (or MPTCP) stream socket over IPv4/IPv6:
 *   fd=N ino=I family=4|6 protocol=6|262 state=S local=A:P remote=A:P|- keepalive=0|1 idle=S
 *   intvl=S cnt=N user_timeout=MS
 * exit 0; 2 with a message on stderr when the process cannot be read.
 * A short-lived process of its own: closing a duplicate here can drop no lock of the test's JVM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

static int opt(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  if (getsockopt(fd, level, name, &v, &len) < 0) return -1;
  return v;
}

static void address(char *out, size_t size, struct sockaddr_storage *a) {
  char host[INET6_ADDRSTRLEN];
  if (a->ss_family == AF_INET) {
    struct sockaddr_in *in = (struct sockaddr_in *)a;
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    snprintf(out, size, "%s:%d", host, ntohs(in->sin_port));
  } else {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)a;
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], host, sizeof host);
      snprintf(out, size, "%s:%d", host, ntohs(in6->sin6_port));
    } else {
      inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
      snprintf(out, size, "[%s]:%d", host, ntohs(in6->sin6_port));
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: kernel-reader PID\n");
    return 2;
  }
  int pid = atoi(argv[1]);
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) {
    fprintf(stderr, "pidfd_open(%d): %s\n", pid, strerror(errno));
    return 2;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/fd", pid);
  DIR *dir = opendir(path);
  if (!dir) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    return 2;
  }
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char link[320], target[80];
    snprintf(link, sizeof link, "%s/%s", path, e->d_name);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0) continue;
    target[n] = 0;
    unsigned long ino;
    if (sscanf(target, "socket:[%lu]", &ino) != 1) continue;
    int fd = atoi(e->d_name);
    int dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
    if (dup < 0) {
      if (errno == EBADF) continue;
      fprintf(stderr, "pidfd_getfd(%d, %d): %s\n", pid, fd, strerror(errno));
      return 2;
    }
    struct stat st;
    /* The number was reused meanwhile by something else: not the socket listed. */
    if (fstat(dup, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_ino != ino) {
      close(dup);
      continue;
    }
    int type = opt(dup, SOL_SOCKET, SO_TYPE);
    int protocol = opt(dup, SOL_SOCKET, SO_PROTOCOL);
    int domain = opt(dup, SOL_SOCKET, SO_DOMAIN);
    if (type != SOCK_STREAM || (protocol != IPPROTO_TCP && protocol != IPPROTO_MPTCP)
        || (domain != AF_INET && domain != AF_INET6)) {
      close(dup);
      continue;
    }
    struct tcp_info info;
    socklen_t len = sizeof info;
    memset(&info, 0, sizeof info);
    getsockopt(dup, IPPROTO_TCP, TCP_INFO, &info, &len);
    struct sockaddr_storage local, remote;
    socklen_t ll = sizeof local, rl = sizeof remote;
    char l[80] = "-", r[80] = "-";
    if (getsockname(dup, (struct sockaddr *)&local, &ll) == 0) address(l, sizeof l, &local);
    if (getpeername(dup, (struct sockaddr *)&remote, &rl) == 0) address(r, sizeof r, &remote);
    printf("fd=%d ino=%lu family=%d protocol=%d state=%d local=%s remote=%s keepalive=%d idle=%d"
           " intvl=%d cnt=%d user_timeout=%d\n",
           fd, ino, domain == AF_INET ? 4 : 6, protocol, info.tcpi_state, l, r,
           opt(dup, SOL_SOCKET, SO_KEEPALIVE), opt(dup, IPPROTO_TCP, TCP_KEEPIDLE),
           opt(dup, IPPROTO_TCP, TCP_KEEPINTVL), opt(dup, IPPROTO_TCP, TCP_KEEPCNT),
           opt(dup, IPPROTO_TCP, TCP_USER_TIMEOUT));
    close(dup);
  }
  closedir(dir);
  return 0;
}
