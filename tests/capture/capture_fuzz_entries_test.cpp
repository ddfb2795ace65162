// Runs every capture fuzz entry on hostile inputs in the normal (and sanitizer) build.
#include <gtest/gtest.h>

#include <random>

#include "fuzz_entries.h"
#include "packet_builder.h"

namespace decnet::capture {
namespace {
using namespace testing;

std::vector<Buf> HostileInputs() {
  std::vector<Buf> v = {{}, {0}, {0xff}, Buf(4, 0xff), Buf(64, 0), Buf(300, 0xff)};
  Buf hello = ClientHelloRecord({0x1301}, {{0, SniExt("f.test")}});
  v.push_back(hello);
  v.push_back(Buf(hello.begin(), hello.begin() + hello.size() / 2));
  Buf ssh = {'S', 'S', 'H', '-', '2', '.', '0', '-', 'x', '\r', '\n', 0, 0, 0, 12, 4, 20};
  v.push_back(ssh);
  Buf http;
  Append(http, std::string("GET / HTTP/1.1\r\nCookie: a=1;;=;b\r\nAccept-Language: -\r\n\r\n"));
  v.push_back(http);
  Buf quic = {0xC3, 0, 0, 0, 1, 20};
  quic.resize(1200, 0xAA);
  v.push_back(quic);
  TcpSpec t;
  t.flags = 0x02;
  t.options = {2, 4, 5, 0xb4, 3, 3, 14, 8, 10, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0xff, 0xff};
  v.push_back(Ether(Ipv4(Tcp(t))));
  t.payload = hello;
  t.flags = 0x18;
  Buf ip = Ipv4(Tcp(t));
  Buf stream;
  for (int i = 0; i < 3; ++i) {
    Put16(stream, uint16_t(ip.size()));
    Append(stream, ip);
  }
  v.push_back(stream);
  std::mt19937 rng(42);
  for (int i = 0; i < 200; ++i) {
    Buf r(rng() % 600);
    for (auto& b : r) b = uint8_t(rng());
    v.push_back(r);
    Buf m = hello;  // mutate a real hello
    for (int k = 0; k < 4; ++k) m[rng() % m.size()] = uint8_t(rng());
    v.push_back(m);
  }
  return v;
}

TEST(CaptureFuzzEntries, HostileInputsDoNotCrash) {
  for (const Buf& in : HostileInputs()) {
    fuzz::Decoder(in.data(), in.size());
    fuzz::Tls(in.data(), in.size());
    fuzz::Ssh(in.data(), in.size());
    fuzz::Http(in.data(), in.size());
    fuzz::Quic(in.data(), in.size());
    fuzz::Analyzer_(in.data(), in.size());
    fuzz::Ja4Plus(in.data(), in.size());
  }
  SUCCEED();
}

}  // namespace
}  // namespace decnet::capture
