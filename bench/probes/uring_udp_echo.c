#define _GNU_SOURCE
/* A probe, not a peer: the best case of a UDP echo on io_uring, to decide whether soket's
 * datagrams should move there (issue 14). One thread, one socket; a multishot recvmsg fills
 * buffers from a provided-buffer ring, and each datagram goes back with a sendmsg from the
 * very buffer it arrived in (no copy), every send of a completion batch in one submission;
 * the buffer returns to the ring when its send completes. It skips what a server must do
 * (limits, errors beyond the basics), so it is a floor for io_uring, not a rival design.
 * Usage: uring_udp_echo PORT */
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kBuffers = 1024, kBufferSize = 2048, kGroup = 1, kSendFlag = 1u << 31 };

static char *pool;
static struct io_uring_buf_ring *ring_of_buffers;
static struct slot { struct msghdr msg; struct iovec iov; struct sockaddr_storage to; } slots[kBuffers];

static void give_back(unsigned id) {
  io_uring_buf_ring_add(ring_of_buffers, pool + (size_t)id * kBufferSize, kBufferSize, (unsigned short)id,
                        io_uring_buf_ring_mask(kBuffers), 0);
  io_uring_buf_ring_advance(ring_of_buffers, 1);
}

static void arm_receive(struct io_uring *ring, int fd, struct msghdr *shape) {
  struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
  io_uring_prep_recvmsg_multishot(sqe, fd, shape, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = kGroup;
  io_uring_sqe_set_data64(sqe, 0);
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: uring_udp_echo PORT\n"); return 2; }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("bind"); return 1; }
  struct io_uring ring;
  struct io_uring_params params = {.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN};
  if (io_uring_queue_init_params(4096, &ring, &params) != 0) { perror("io_uring"); return 1; }
  ring_of_buffers = mmap(NULL, kBuffers * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
                         MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  io_uring_buf_ring_init(ring_of_buffers);
  struct io_uring_buf_reg registration = {.ring_addr = (unsigned long)ring_of_buffers, .ring_entries = kBuffers, .bgid = kGroup};
  int error = io_uring_register_buf_ring(&ring, &registration, 0);
  if (error != 0) { fprintf(stderr, "buffer ring: %s\n", strerror(-error)); return 1; }
  pool = malloc((size_t)kBuffers * kBufferSize);
  for (unsigned i = 0; i < kBuffers; ++i) give_back(i);
  struct msghdr shape = {.msg_namelen = sizeof(struct sockaddr_storage)};
  arm_receive(&ring, fd, &shape);
  for (;;) {
    io_uring_submit_and_wait(&ring, 1);
    struct io_uring_cqe *cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      ++seen;
      const __u64 data = io_uring_cqe_get_data64(cqe);
      if (data & kSendFlag) { give_back((unsigned)(data & ~(__u64)kSendFlag)); continue; }
      if (!(cqe->flags & IORING_CQE_F_MORE)) arm_receive(&ring, fd, &shape);
      if (cqe->res < 0 || !(cqe->flags & IORING_CQE_F_BUFFER)) continue;
      const unsigned id = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
      char *buffer = pool + (size_t)id * kBufferSize;
      struct io_uring_recvmsg_out *out = io_uring_recvmsg_validate(buffer, cqe->res, &shape);
      if (!out) { give_back(id); continue; }
      struct slot *s = &slots[id];
      memcpy(&s->to, io_uring_recvmsg_name(out), out->namelen);
      s->iov.iov_base = io_uring_recvmsg_payload(out, &shape);
      s->iov.iov_len = io_uring_recvmsg_payload_length(out, cqe->res, &shape);
      s->msg = (struct msghdr){.msg_name = &s->to, .msg_namelen = out->namelen, .msg_iov = &s->iov, .msg_iovlen = 1};
      struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
      if (!sqe) { io_uring_submit(&ring); sqe = io_uring_get_sqe(&ring); }
      io_uring_prep_sendmsg(sqe, fd, &s->msg, 0);
      io_uring_sqe_set_data64(sqe, kSendFlag | id);
    }
    io_uring_cq_advance(&ring, seen);
  }
}
