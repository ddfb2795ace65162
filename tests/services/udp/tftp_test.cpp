// TFTP against the real runtime: a TestDecky on loopback and a hand-written client socket, so every
// packet of the exchange is checked byte for byte (tftp-hpa's own client runs in tftp_clients_test.sh).
#include "decnet/services/udp/tftp.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/testing.h"

namespace decnet::services::udp {
namespace {

using decoy::testing::ParamOf;

std::string Pkt(uint16_t op, std::string_view rest) {
  std::string p;
  p.push_back(static_cast<char>(op >> 8));
  p.push_back(static_cast<char>(op));
  p.append(rest);
  return p;
}
std::string Req(uint16_t op, std::string_view file, std::string_view mode, std::string_view opts = {}) {
  std::string r(file);
  r.push_back('\0');
  r.append(mode);
  r.push_back('\0');
  r.append(opts);
  return Pkt(op, r);
}
std::string Block(uint16_t op, uint16_t n, std::string_view data = {}) {
  std::string b;
  b.push_back(static_cast<char>(n >> 8));
  b.push_back(static_cast<char>(n));
  b.append(data);
  return Pkt(op, b);
}

std::string Err(uint16_t code, std::string_view msg) {
  std::string m(msg);
  m.push_back('\0');
  return Block(5, code, m);
}

struct TftpTest : ::testing::Test {
  decoy::testing::TestDecky t;
  int fd = -1;
  uint16_t port = 0;
  sockaddr_in last_from{};

  void SetUp() override {
    ASSERT_TRUE(t.decky->AddService(MakeTftp(*t.decky), {{0, decoy::Transport::kUdp}}));
    port = t.decky->bound()[0].second.port;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  }
  void TearDown() override { close(fd); }
  void SendTo(uint16_t p, const std::string& bytes) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(p);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa),
              static_cast<ssize_t>(bytes.size()));
  }
  // Runs the decky until a datagram arrives; "" after 2 s.
  std::string Recv() {
    std::string got;
    t.RunUntil([&] {
      char buf[2048];
      socklen_t len = sizeof last_from;
      ssize_t n = recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&last_from), &len);
      if (n > 0) got.assign(buf, static_cast<size_t>(n));
      return n > 0;
    }, 2000);
    return got;
  }
  uint16_t FromPort() const { return ntohs(last_from.sin_port); }
};

TEST_F(TftpTest, MissingFileIsFileNotFoundAsTftpHpaSaysIt) {
  SendTo(port, Req(1, "etc/shadow", "octet"));
  EXPECT_EQ(Recv(), Err(1, "File not found"));
  auto ev = t.Events("read_request");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ParamOf(ev[0], "filename"), "etc/shadow");
  EXPECT_EQ(ParamOf(ev[0], "mode"), "octet");
  EXPECT_EQ(ParamOf(ev[0], "src_ip"), "127.0.0.1");
}

TEST_F(TftpTest, ServesAPersonaFileFromItsOwnTransferPort) {
  SendTo(port, Req(1, "pxelinux.cfg/default", "octet"));
  std::string content;
  uint16_t tid = 0;
  for (uint16_t n = 1;; ++n) {
    const std::string d = Recv();
    ASSERT_GE(d.size(), 4u);
    ASSERT_EQ(d.substr(0, 4), Block(3, n));
    if (n == 1) tid = FromPort();
    EXPECT_EQ(FromPort(), tid);
    content += d.substr(4);
    SendTo(tid, Block(4, n));
    if (d.size() < 516) break;
  }
  EXPECT_NE(tid, port);  // RFC 1350: the server answers from a new TID
  EXPECT_NE(content.find(t.persona.hostname()), std::string::npos);  // the persona's own host
}

TEST_F(TftpTest, UploadIsAcknowledgedBlockByBlockAndKeptWithItsHash) {
  std::mt19937 rng(7);
  std::string data(1300, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  SendTo(port, Req(2, "backdoor.sh", "octet"));
  std::string ack = Recv();
  ASSERT_EQ(ack, Block(4, 0));
  const uint16_t tid = FromPort();
  for (uint16_t n = 1; (n - 1) * 512 <= data.size(); ++n) {
    SendTo(tid, Block(3, n, std::string_view(data).substr((n - 1) * 512, 512)));
    ASSERT_EQ(Recv(), Block(4, n));
  }
  t.RunUntil([&] { return !t.Events("upload").empty(); });
  auto up = t.Events("upload");
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(ParamOf(up[0], "sha256"), decoy::Sha256Hex(data));
  EXPECT_EQ(ParamOf(up[0], "size"), "1300");
  std::ifstream f(t.artifact_dir + "/" + decoy::Sha256Hex(data), std::ios::binary);
  std::stringstream kept;
  kept << f.rdbuf();
  EXPECT_EQ(kept.str(), data);
}

TEST_F(TftpTest, BlksizeAndTsizeOptionsGetAnOack) {
  SendTo(port, Req(2, "fw.bin", "octet", std::string("blksize\0" "1024\0" "tsize\0" "2000\0", 24)));
  EXPECT_EQ(Recv(), Pkt(6, std::string("blksize\0" "1024\0" "tsize\0" "2000\0", 24)));
}

TEST_F(TftpTest, GarbageIsCountedAnsweredAndTheServerKeepsServing) {
  for (const std::string& junk : {std::string("\x00\x09zz", 4), std::string("\x00\x01nonul", 7),
                                  std::string("\x00\x01\x00octet\x00", 9), std::string(2000, 'A')}) {
    SendTo(port, junk);
    EXPECT_EQ(Recv(), Err(4, "Illegal TFTP operation"));
  }
  EXPECT_GE(t.counters.malformed, 3u);
  SendTo(port, Req(1, "nothere", "netascii"));
  EXPECT_EQ(Recv().substr(0, 4), std::string("\0\5\0\1", 4));
}

TEST_F(TftpTest, AStrangerOnTheTransferPortGetsUnknownTransferId) {
  SendTo(port, Req(2, "x", "octet"));
  ASSERT_EQ(Recv(), Block(4, 0));
  const uint16_t tid = FromPort();
  int other = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  std::swap(fd, other);
  SendTo(tid, Block(3, 1, "evil"));
  EXPECT_EQ(Recv(), Err(5, "Unknown transfer ID"));
  std::swap(fd, other);
  close(other);
}

TEST(TftpParse, Bounds) {
  TftpRequest r;
  EXPECT_TRUE(ParseTftpRequest(Req(1, "a", "octet"), &r));
  EXPECT_EQ(r.filename, "a");
  EXPECT_FALSE(ParseTftpRequest(Req(3, "a", "octet"), &r));
  EXPECT_FALSE(ParseTftpRequest(std::string("\0\1a\0octet", 9), &r));   // mode not terminated
  EXPECT_FALSE(ParseTftpRequest(Req(1, "a", "octet", std::string("blksize\0", 8)), &r));  // option without value
  EXPECT_FALSE(ParseTftpRequest(Req(1, std::string(2000, 'a'), "octet"), &r));
}

}  // namespace
}  // namespace decnet::services::udp
