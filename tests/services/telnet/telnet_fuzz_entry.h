// The entry of the Telnet fuzz target (tests/fuzz/svc_telnet.cpp), shared with the gtest that feeds
// it hostile inputs in every normal build: any bytes, in any split, through the option state
// machine alone and through a whole session of each product (negotiation, login, a stand-in shell),
// must neither crash nor answer without bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/testing.h"
#include "decnet/services/telnet/codec.h"
#include "decnet/services/telnet/telnet.h"

namespace decnet::services::telnet::fuzz {

// A shell that swallows input: the fuzz target stays inside this component.
class NullShell final : public shell::Shell {
 public:
  explicit NullShell(shell::Terminal& t) : terminal_(t) {}
  void Start() override { terminal_.Output("$ "); }
  void Feed(std::string_view bytes) override {
    stats_.bytes_in += bytes.size();
    if (bytes.find('\x04') != std::string_view::npos) terminal_.Exit(0);
  }
  void Exec(std::string_view) override { terminal_.Exit(0); }
  void Eof() override {}
  void Resize(uint16_t, uint16_t) override {}
  void Close() override {}
  const shell::ShellStats& stats() const override { return stats_; }

 private:
  shell::Terminal& terminal_;
  shell::ShellStats stats_;
};

struct CountingHandler final : TelnetCodec::Handler {
  void Send(std::string_view w) override { sent += w.size(); }
  void OnPlain(std::string_view b) override { plain += b.size(); }
  void OnSubnegotiation(uint8_t, std::string_view p) override { sub += p.size(); }
  size_t sent = 0, plain = 0, sub = 0;
};

inline void TelnetSessionBytes(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  uint16_t cols = 0, rows = 0;
  std::string name;
  std::vector<std::pair<std::string, std::string>> vars;
  ParseNaws(in, &cols, &rows);
  ParseTtypeIs(in, &name);
  ParseEnviron(in, &vars, 16);
  {
    CountingHandler h;
    TelnetCodec codec(h, 64);
    for (int o = 0; o < 256; o += 3) codec.Accept(Side::kHim, static_cast<uint8_t>(o), true);
    codec.Request(Side::kUs, opt::kEcho, true);
    codec.Feed(in);
    // Every answer is 3 bytes and answers at most one 3-byte request: output never outgrows input.
    if (h.sent > 3 + size) __builtin_trap();
  }
  for (const char* product : {"linux", "busybox"}) {
    decoy::PersonaInputs pi;
    pi.settings["telnet"]["product"] = product;
    pi.settings["telnet"]["accept"] = "any";
    pi.settings["telnet"]["max_prelogin_bytes"] = "4096";
    auto decky = std::make_unique<decoy::testing::TestDecky>(pi);
    auto svc = MakeTelnetWithShell(*decky->decky,
                                   [](decoy::Connection&, shell::Terminal& t, shell::ShellOptions) {
                                     return std::make_unique<NullShell>(t);
                                   });
    decoy::testing::FakeConnection c(*decky->decky, 23);
    auto s = svc->NewSession(c);
    s->OnOpen();
    const size_t chunk = size ? 1 + static_cast<unsigned char>(data[0]) % 13 : 1;
    for (size_t at = 0; at < size && !c.closed; at += chunk) {
      s->OnData(in.substr(at, chunk));
      if (at % 7 == 0) c.FireTimer();
      c.Take();
    }
    if (!c.closed) c.FireTimer();
    s->OnClose(decoy::CloseReason::kPeer);
  }
}

}  // namespace decnet::services::telnet::fuzz
