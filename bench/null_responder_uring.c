// bench/null_responder.c with io_uring instead of recvmmsg/sendmmsg (issue #7: would io_uring
// lower the per-query floor?). Same behaviour: one UDP socket on 127.0.0.1:PORT, one thread,
// each query echoed with QR set.
//
// One multishot RECVMSG stays armed and fills buffers from a provided-buffer ring (one datagram
// per buffer, source address in the buffer's header). Each received query becomes a SENDMSG SQE
// that sends from that same buffer; the buffer goes back to the ring when the send completes.
// Every loop is one io_uring_enter: it submits the loop's answers and waits for their completions
// plus at least one more query.
//
//   gcc -O2 -Wall -o null_responder_uring bench/null_responder_uring.c -luring
//   null_responder_uring PORT [plain|coop|defer|fixed]  (liburing >= 2.3, kernel >= 6.0; 6.1 for defer)
//     plain: no setup flags
//     coop:  IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN
//     defer: IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN (default): completions are
//            produced only inside io_uring_enter, so the thread is woken only when the wait can end
//     fixed: defer, and the socket a registered file (no file lookup and reference per request)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

enum {
  kBuffers = 256,    // provided buffers (power of two); also the most answers in flight
  kBufferSize = 4096 + 64,  // io_uring_recvmsg_out + sockaddr_in + a 4096-octet datagram
  kGroup = 1,        // buffer group id
  kSendTag = 1u << 16,  // user_data: a send's buffer id | kSendTag; the receive is 0
};

static struct io_uring ring;
static struct io_uring_buf_ring* buf_ring;
static unsigned char buffers[kBuffers][kBufferSize];
static struct msghdr recv_msg = {.msg_namelen = sizeof(struct sockaddr_in)};  // shape only
static struct msghdr send_msgs[kBuffers];  // live until the send completes
static struct iovec send_iovs[kBuffers];
static int fd;
static int sqe_fd;      // what SQEs name: fd, or 0 (the registered-file index) in mode fixed
static __u8 sqe_flags;  // 0, or IOSQE_FIXED_FILE in mode fixed

static struct io_uring_sqe* sqe_or_flush(void) {
  struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
  if (sqe == NULL) {  // SQ full: submit what is there without waiting
    io_uring_submit(&ring);
    sqe = io_uring_get_sqe(&ring);
  }
  return sqe;
}

static void arm_receive(void) {
  struct io_uring_sqe* sqe = sqe_or_flush();
  io_uring_prep_recvmsg_multishot(sqe, sqe_fd, &recv_msg, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT | sqe_flags;
  sqe->buf_group = kGroup;
  io_uring_sqe_set_data64(sqe, 0);
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s PORT [plain|coop|defer|fixed]  (listens on 127.0.0.1:PORT/udp)\n",
            argv[0]);
    return 2;
  }
  const char* mode = argc == 3 ? argv[2] : "defer";
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in self = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
  self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr*)&self, sizeof self) != 0) {
    perror("null_responder_uring: bind");
    return 1;
  }

  struct io_uring_params params = {.flags = IORING_SETUP_CQSIZE, .cq_entries = 4 * kBuffers};
  if (strcmp(mode, "coop") == 0) {
    params.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN;
  } else if (strcmp(mode, "defer") == 0 || strcmp(mode, "fixed") == 0) {
    params.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  } else if (strcmp(mode, "plain") != 0) {
    fprintf(stderr, "null_responder_uring: unknown mode %s\n", mode);
    return 2;
  }
  int err = io_uring_queue_init_params(kBuffers, &ring, &params);
  if (err < 0) {
    fprintf(stderr, "null_responder_uring: io_uring_queue_init: %s\n", strerror(-err));
    return 1;
  }
  io_uring_register_ring_fd(&ring);  // io_uring_enter without an fd lookup; optional
  sqe_fd = fd;
  if (strcmp(mode, "fixed") == 0) {
    if ((err = io_uring_register_files(&ring, &fd, 1)) != 0) {
      fprintf(stderr, "null_responder_uring: register_files: %s\n", strerror(-err));
      return 1;
    }
    sqe_fd = 0;
    sqe_flags = IOSQE_FIXED_FILE;
  }

  // Provided-buffer ring (liburing 2.3 has no io_uring_setup_buf_ring: map and register it).
  buf_ring = mmap(NULL, kBuffers * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
                  MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  struct io_uring_buf_reg reg = {
      .ring_addr = (unsigned long)buf_ring, .ring_entries = kBuffers, .bgid = kGroup};
  if (buf_ring == MAP_FAILED || (err = io_uring_register_buf_ring(&ring, &reg, 0)) != 0) {
    fprintf(stderr, "null_responder_uring: buffer ring: %s\n", strerror(-err));
    return 1;
  }
  const int mask = io_uring_buf_ring_mask(kBuffers);
  io_uring_buf_ring_init(buf_ring);
  for (int i = 0; i < kBuffers; ++i) {
    io_uring_buf_ring_add(buf_ring, buffers[i], kBufferSize, (unsigned short)i, mask, i);
  }
  io_uring_buf_ring_advance(buf_ring, kBuffers);

  arm_receive();
  unsigned pending_sends = 0;  // submitted sends whose completion has not been seen yet
  for (;;) {
    // Submit this loop's answers and wait until they have completed and one more thing happened
    // (in practice a query): without the +pending_sends, the sends' own completions would end
    // the wait at once and cost a second io_uring_enter per batch.
    io_uring_submit_and_wait(&ring, pending_sends + 1);
    struct io_uring_cqe* cqe;
    unsigned head, seen = 0, returned = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      ++seen;
      const unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
      if (cqe->user_data & kSendTag) {  // an answer went out: its buffer can take a query again
        --pending_sends;
        const unsigned b = (unsigned)(cqe->user_data & ~kSendTag);
        io_uring_buf_ring_add(buf_ring, buffers[b], kBufferSize, (unsigned short)b, mask,
                              (int)returned++);
        continue;
      }
      // A query (or the end of the multishot receive: no IORING_CQE_F_MORE, e.g. -ENOBUFS).
      if (!(cqe->flags & IORING_CQE_F_MORE)) {
        arm_receive();
      }
      if (cqe->res < 0 || !(cqe->flags & IORING_CQE_F_BUFFER)) {
        continue;
      }
      struct io_uring_recvmsg_out* out = io_uring_recvmsg_validate(buffers[bid], cqe->res,
                                                                   &recv_msg);
      unsigned char* query = out ? io_uring_recvmsg_payload(out, &recv_msg) : NULL;
      const unsigned length = out ? io_uring_recvmsg_payload_length(out, cqe->res, &recv_msg) : 0;
      if (out == NULL || length < 12) {  // nothing to answer: give the buffer back
        io_uring_buf_ring_add(buf_ring, buffers[bid], kBufferSize, (unsigned short)bid, mask,
                              (int)returned++);
        continue;
      }
      query[2] |= 0x80;  // QR: a response
      send_iovs[bid] = (struct iovec){query, length};
      send_msgs[bid] = (struct msghdr){.msg_name = io_uring_recvmsg_name(out),
                                       .msg_namelen = out->namelen,
                                       .msg_iov = &send_iovs[bid],
                                       .msg_iovlen = 1};
      struct io_uring_sqe* sqe = sqe_or_flush();
      io_uring_prep_sendmsg(sqe, sqe_fd, &send_msgs[bid], 0);
      sqe->flags |= sqe_flags;
      io_uring_sqe_set_data64(sqe, kSendTag | bid);
      ++pending_sends;
    }
    io_uring_cq_advance(&ring, seen);
    if (returned) {
      io_uring_buf_ring_advance(buf_ring, (int)returned);
    }
  }
}
