#define _GNU_SOURCE
/* The floor reference: a minimal single-threaded edge-triggered epoll echo server in C.
 * Usage: c_epoll_echo PORT [udp]. No buffering beyond one read: when send() cannot take all
 * of it, it waits in poll() for that one socket (simple and correct, if unfair to the
 * others; a version that dropped the rest failed soket bench's integrity check). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static char buffer[65536];

static int open_socket(int type, int port) {
  int fd = socket(AF_INET, type | SOCK_NONBLOCK, 0), one = 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("bind"); exit(1); }
  if (type == SOCK_STREAM) listen(fd, 4096);
  return fd;
}

static void serve_udp(int fd) {
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = fd};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  for (;;) {
    struct epoll_event events[1];
    if (epoll_wait(ep, events, 1, -1) <= 0) continue;
    for (;;) {
      struct sockaddr_storage from;
      socklen_t len = sizeof from;
      ssize_t n = recvfrom(fd, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &len);
      if (n < 0) break;
      sendto(fd, buffer, (size_t)n, 0, (struct sockaddr *)&from, len);
    }
  }
}

static void serve_tcp(int listener) {
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = listener};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  struct epoll_event events[256];
  for (;;) {
    int ready = epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < ready; ++i) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        int c;
        while ((c = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          struct epoll_event cev = {.events = EPOLLIN | EPOLLET, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n > 0) {
          ssize_t done = 0;
          while (done < n) {
            ssize_t w = send(fd, buffer + done, (size_t)(n - done), MSG_NOSIGNAL);
            if (w > 0) {
              done += w;
            } else if (w < 0 && errno == EAGAIN) {
              struct pollfd wait_out = {.fd = fd, .events = POLLOUT};
              poll(&wait_out, 1, -1);
            } else {
              break;
            }
          }
          continue;
        }
        if (n == 0 || errno != EAGAIN) close(fd);
        break;
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: c_epoll_echo PORT [udp]\n"); return 2; }
  int port = atoi(argv[1]);
  if (argc > 2 && strcmp(argv[2], "udp") == 0) serve_udp(open_socket(SOCK_DGRAM, port));
  serve_tcp(open_socket(SOCK_STREAM, port));
  return 0;
}
