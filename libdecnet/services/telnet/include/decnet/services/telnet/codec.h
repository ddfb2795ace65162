// The Telnet wire protocol (RFC 854) below the login and the shell: IAC commands, option
// negotiation with the RFC 1143 "Q method" (per option and side: NO, YES, WANTNO, WANTYES and a
// one-deep queue), so no request is ever answered twice and no two peers can loop, and
// subnegotiation (SB ... IAC SE) collected into a bounded buffer. Plain data comes out with IAC IAC
// undone and the NUL or LF after a CR dropped, as telnetd does outside binary mode.
//
// No I/O: the codec hands its answers to Handler::Send and everything it decoded to the other
// Handler calls, so it is tested and fuzzed alone.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace decnet::services::telnet {

namespace cmd {
constexpr uint8_t kSe = 240, kNop = 241, kDm = 242, kBrk = 243, kIp = 244, kAo = 245, kAyt = 246,
                  kEc = 247, kEl = 248, kGa = 249, kSb = 250, kWill = 251, kWont = 252, kDo = 253,
                  kDont = 254, kIac = 255;
}  // namespace cmd

namespace opt {
constexpr uint8_t kBinary = 0, kEcho = 1, kSga = 3, kStatus = 5, kTimingMark = 6, kTtype = 24,
                  kNaws = 31, kTspeed = 32, kLflow = 33, kLinemode = 34, kXdisploc = 35,
                  kOldEnviron = 36, kNewEnviron = 39;
}  // namespace opt

// "Him" is the peer's side of an option (WILL/WONT from it, DO/DONT from us); "us" is ours.
enum class Side : uint8_t { kHim, kUs };

class TelnetCodec {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    // Bytes for the peer: our negotiation answers and requests.
    virtual void Send(std::string_view wire) = 0;
    // Decoded data bytes.
    virtual void OnPlain(std::string_view bytes) = 0;
    // IAC <command> other than negotiation and SB (NOP, AYT, IP, EC, EL, ...).
    virtual void OnCommand(uint8_t /*command*/) {}
    // A complete subnegotiation within the bound (IAC IAC undone).
    virtual void OnSubnegotiation(uint8_t /*option*/, std::string_view /*payload*/) {}
    // An option became enabled or disabled on one side.
    virtual void OnOptionChange(uint8_t /*option*/, Side /*side*/, bool /*enabled*/) {}
  };

  struct Stats {
    uint64_t commands = 0;          // IAC commands of any kind
    uint64_t refused = 0;           // requests from the peer we declined (WONT/DONT sent)
    uint64_t ignored = 0;           // requests that changed nothing (already in that state)
    uint64_t subnegotiations = 0;   // complete SBs delivered
    uint64_t subneg_overflows = 0;  // SBs longer than the bound (dropped whole)
    uint64_t malformed = 0;         // stray SE, IAC <other> inside SB, answers to nothing asked
  };

  TelnetCodec(Handler& handler, size_t max_subneg_bytes);

  // Which options we let the peer enable on its side / we enable on ours when it asks.
  void Accept(Side side, uint8_t option, bool yes) { Slot(side, option).accept = yes; }
  // Decodes `bytes` (any split). Returns early once Stop() was called (from a handler).
  void Feed(std::string_view bytes);
  void Stop() { stopped_ = true; }

  // Asks for the option on `side` to become enabled / disabled (Q method: sends DO/DONT or
  // WILL/WONT only when that changes something, else queues or drops the request).
  void Request(Side side, uint8_t option, bool enable);
  bool Enabled(Side side, uint8_t option) const { return Slot(side, option).q == Q::kYes; }
  // A request of ours is still unanswered.
  bool Pending(Side side, uint8_t option) const;

  const Stats& stats() const { return stats_; }

  // Data for the wire: 0xFF doubled.
  static std::string Escape(std::string_view data);
  // IAC SB <option> <payload, IAC doubled> IAC SE.
  static std::string Subnegotiation(uint8_t option, std::string_view payload);

 private:
  enum class Q : uint8_t { kNo, kYes, kWantNo, kWantYes };
  struct OptionSlot {
    Q q = Q::kNo;
    bool queued_opposite = false;
    bool accept = false;
  };
  enum class State : uint8_t { kData, kIac, kVerb, kSbOption, kSb, kSbIac };

  OptionSlot& Slot(Side side, uint8_t option) { return (side == Side::kHim ? him_ : us_)[option]; }
  const OptionSlot& Slot(Side side, uint8_t option) const {
    return (side == Side::kHim ? him_ : us_)[option];
  }
  void DataByte(uint8_t c);
  void IacByte(uint8_t c);
  void SbIacByte(uint8_t c);
  void FlushPlain();
  void EndSubnegotiation();
  // WILL/WONT (peer's side) or DO/DONT (our side) received.
  void Received(Side side, uint8_t option, bool enable);
  void Positive(Side side, uint8_t option, OptionSlot& s);
  void Negative(Side side, uint8_t option, OptionSlot& s);
  void SendVerb(Side side, uint8_t option, bool enable);
  void SetQ(Side side, uint8_t option, OptionSlot& s, Q q);

  Handler& handler_;
  size_t max_subneg_;
  State state_ = State::kData;
  uint8_t verb_ = 0, sb_option_ = 0;
  bool after_cr_ = false, sb_overflow_ = false, stopped_ = false;
  std::string plain_, sb_;
  std::array<OptionSlot, 256> him_{}, us_{};
  Stats stats_;
};

// Subnegotiation payloads (after the option byte). Each is bounded and false on malformed input.
// NAWS (RFC 1073): width, height, 16 bits each.
bool ParseNaws(std::string_view payload, uint16_t* cols, uint16_t* rows);
// TTYPE IS <name> (RFC 1091); the name is cut to 40 bytes, the RFC's maximum.
bool ParseTtypeIs(std::string_view payload, std::string* name);
// NEW-ENVIRON IS|INFO (VAR|USERVAR name [VALUE value])* (RFC 1572, ESC undone); at most
// `max_vars` pairs, each name and value cut to 256 bytes.
bool ParseEnviron(std::string_view payload, std::vector<std::pair<std::string, std::string>>* vars,
                  size_t max_vars);

}  // namespace decnet::services::telnet
