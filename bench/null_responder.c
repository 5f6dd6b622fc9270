// The reference row of bench/run.sh: a UDP "server" that only echoes each query with QR set.
// What it costs per query is the kernel's loopback UDP path plus one recvmmsg/sendmmsg batch:
// the floor under any real DNS server on this machine.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

enum { kBatch = 32, kMaxMessage = 4096 };

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PORT  (listens on 127.0.0.1:PORT/udp)\n", argv[0]);
    return 2;
  }
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in self = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
  self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr*)&self, sizeof self) != 0) {
    perror("null_responder: bind");
    return 1;
  }
  static unsigned char buffers[kBatch][kMaxMessage];
  static struct mmsghdr messages[kBatch];
  static struct iovec vectors[kBatch];
  static struct sockaddr_in peers[kBatch];
  for (;;) {
    for (int i = 0; i < kBatch; ++i) {
      vectors[i] = (struct iovec){buffers[i], kMaxMessage};
      messages[i].msg_hdr = (struct msghdr){.msg_name = &peers[i],
                                            .msg_namelen = sizeof peers[i],
                                            .msg_iov = &vectors[i],
                                            .msg_iovlen = 1};
    }
    // Blocks for the first datagram, then takes whatever else is queued.
    const int received = recvmmsg(fd, messages, kBatch, MSG_WAITFORONE, NULL);
    if (received <= 0) {
      continue;
    }
    for (int i = 0; i < received; ++i) {
      if (messages[i].msg_len >= 12) {
        buffers[i][2] |= 0x80;  // QR: a response
      }
      vectors[i].iov_len = messages[i].msg_len;
    }
    sendmmsg(fd, messages, (unsigned)received, 0);
  }
}
