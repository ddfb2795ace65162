// syslog_blast: sends COUNT corpus lines to a syslog receiver as fast as it can.
//   syslog_blast udp|tcp HOST PORT COUNT
// UDP: one line per datagram, sendmmsg batches of 64. TCP: one connection, LF framing, 64 KiB
// writes. Prints "sent N lines in S s".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "corpus.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: syslog_blast udp|tcp HOST PORT COUNT\n");
    return 2;
  }
  const bool udp = std::strcmp(argv[1], "udp") == 0;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[3])));
  inet_pton(AF_INET, argv[2], &sa.sin_addr);
  const long count = std::atol(argv[4]);
  const auto corpus = decnet::syslog::bench::Corpus();
  int fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    std::perror("connect");
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  long sent = 0;
  if (udp) {
    int sndbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    mmsghdr msgs[64];
    iovec iov[64];
    while (sent < count) {
      int n = 0;
      for (; n < 64 && sent + n < count; ++n) {
        const std::string& l = corpus[(sent + n) % corpus.size()];
        iov[n].iov_base = const_cast<char*>(l.data());
        iov[n].iov_len = l.size();
        std::memset(&msgs[n].msg_hdr, 0, sizeof(msgs[n].msg_hdr));
        msgs[n].msg_hdr.msg_iov = &iov[n];
        msgs[n].msg_hdr.msg_iovlen = 1;
      }
      int r = sendmmsg(fd, msgs, static_cast<unsigned>(n), 0);
      if (r > 0) sent += r;
    }
  } else {
    std::string buf;
    while (sent < count) {
      buf.clear();
      while (buf.size() < 60000 && sent < count) {
        buf += corpus[sent % corpus.size()];
        buf.push_back('\n');
        ++sent;
      }
      size_t off = 0;
      while (off < buf.size()) {
        ssize_t w = write(fd, buf.data() + off, buf.size() - off);
        if (w <= 0) {
          std::perror("write");
          return 1;
        }
        off += static_cast<size_t>(w);
      }
    }
    shutdown(fd, SHUT_WR);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("sent %ld lines in %.3f s\n", sent, s);
  close(fd);
  return 0;
}
