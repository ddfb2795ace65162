#include "decnet/services/telnet/codec.h"

namespace decnet::services::telnet {

TelnetCodec::TelnetCodec(Handler& handler, size_t max_subneg_bytes)
    : handler_(handler), max_subneg_(max_subneg_bytes) {}

void TelnetCodec::Feed(std::string_view bytes) {
  for (const char ch : bytes) {
    if (stopped_) return;
    const auto c = static_cast<uint8_t>(ch);
    switch (state_) {
      case State::kData:
        DataByte(c);
        break;
      case State::kIac:
        IacByte(c);
        break;
      case State::kVerb:
        state_ = State::kData;
        Received(verb_ == cmd::kWill || verb_ == cmd::kWont ? Side::kHim : Side::kUs, c,
                 verb_ == cmd::kWill || verb_ == cmd::kDo);
        break;
      case State::kSbOption:
        sb_option_ = c;
        sb_.clear();
        sb_overflow_ = false;
        state_ = State::kSb;
        break;
      case State::kSb:
        if (c == cmd::kIac) {
          state_ = State::kSbIac;
        } else if (sb_.size() < max_subneg_) {
          sb_.push_back(static_cast<char>(c));
        } else {
          sb_overflow_ = true;
        }
        break;
      case State::kSbIac:
        SbIacByte(c);
        break;
    }
  }
  if (!stopped_) FlushPlain();
}

void TelnetCodec::DataByte(uint8_t c) {
  if (c == cmd::kIac) {
    state_ = State::kIac;
    return;
  }
  // CR NUL and CR LF are one CR to the login and the shell, as telnetd hands them to the pty.
  const bool binary = Enabled(Side::kHim, opt::kBinary);
  if (after_cr_ && !binary && (c == 0 || c == '\n')) {
    after_cr_ = false;
    return;
  }
  after_cr_ = c == '\r';
  plain_.push_back(static_cast<char>(c));
}

void TelnetCodec::IacByte(uint8_t c) {
  state_ = State::kData;
  ++stats_.commands;
  switch (c) {
    case cmd::kIac:
      after_cr_ = false;
      plain_.push_back(static_cast<char>(c));
      return;
    case cmd::kWill:
    case cmd::kWont:
    case cmd::kDo:
    case cmd::kDont:
      verb_ = c;
      state_ = State::kVerb;
      return;
    case cmd::kSb:
      state_ = State::kSbOption;
      return;
    case cmd::kSe:
      ++stats_.malformed;  // an SE with no SB open
      return;
    default:
      FlushPlain();
      handler_.OnCommand(c);
  }
}

void TelnetCodec::SbIacByte(uint8_t c) {
  if (c == cmd::kIac) {
    state_ = State::kSb;
    if (sb_.size() < max_subneg_) {
      sb_.push_back(static_cast<char>(c));
    } else {
      sb_overflow_ = true;
    }
    return;
  }
  if (c == cmd::kSe) {
    state_ = State::kData;
    EndSubnegotiation();
    return;
  }
  // IAC <other> inside an SB: the peer forgot IAC SE (or to double an IAC). As BSD telnetd does,
  // end the SB here and take the byte as the command it looks like, so a lost SE cannot swallow the
  // stream.
  ++stats_.malformed;
  EndSubnegotiation();
  IacByte(c);
}

void TelnetCodec::EndSubnegotiation() {
  if (sb_overflow_) {
    ++stats_.subneg_overflows;
  } else {
    ++stats_.subnegotiations;
    FlushPlain();
    handler_.OnSubnegotiation(sb_option_, sb_);
  }
  sb_.clear();
  sb_overflow_ = false;
}

void TelnetCodec::FlushPlain() {
  if (plain_.empty()) return;
  std::string out;
  out.swap(plain_);
  handler_.OnPlain(out);
}

// RFC 1143 section 7, receiving side: WILL/DO is "positive", WONT/DONT "negative".
void TelnetCodec::Received(Side side, uint8_t option, bool enable) {
  FlushPlain();
  OptionSlot& s = Slot(side, option);
  if (enable) {
    Positive(side, option, s);
  } else {
    Negative(side, option, s);
  }
}

void TelnetCodec::Positive(Side side, uint8_t option, OptionSlot& s) {
  switch (s.q) {
    case Q::kNo:
      if (s.accept) {
        SendVerb(side, option, true);
        SetQ(side, option, s, Q::kYes);
      } else {
        ++stats_.refused;
        SendVerb(side, option, false);
      }
      return;
    case Q::kYes:
      ++stats_.ignored;  // already enabled: answering again is what makes two peers loop
      return;
    case Q::kWantNo:
      if (s.queued_opposite) {
        s.queued_opposite = false;
        SetQ(side, option, s, Q::kYes);
      } else {
        ++stats_.malformed;  // our "disable" was answered with "enable"
        SetQ(side, option, s, Q::kNo);
      }
      return;
    case Q::kWantYes:
      if (s.queued_opposite) {
        s.queued_opposite = false;
        SetQ(side, option, s, Q::kWantNo);
        SendVerb(side, option, false);
      } else {
        SetQ(side, option, s, Q::kYes);
      }
      return;
  }
}

void TelnetCodec::Negative(Side side, uint8_t option, OptionSlot& s) {
  switch (s.q) {
    case Q::kNo:
      ++stats_.ignored;
      return;
    case Q::kYes:
      SetQ(side, option, s, Q::kNo);
      SendVerb(side, option, false);
      return;
    case Q::kWantNo:
      if (s.queued_opposite) {
        s.queued_opposite = false;
        SetQ(side, option, s, Q::kWantYes);
        SendVerb(side, option, true);
      } else {
        SetQ(side, option, s, Q::kNo);
      }
      return;
    case Q::kWantYes:
      s.queued_opposite = false;
      SetQ(side, option, s, Q::kNo);
      return;
  }
}

// RFC 1143 section 7, asking side.
void TelnetCodec::Request(Side side, uint8_t option, bool enable) {
  OptionSlot& s = Slot(side, option);
  const Q settled = enable ? Q::kYes : Q::kNo, opposite = enable ? Q::kNo : Q::kYes;
  const Q want_same = enable ? Q::kWantYes : Q::kWantNo;
  if (s.q == settled) return;
  if (s.q == opposite) {
    SetQ(side, option, s, want_same);
    SendVerb(side, option, enable);
    return;
  }
  // A request of the other direction is in flight: queue ours behind it (or cancel a queued one).
  // Same direction in flight: drop a queued reversal.
  s.queued_opposite = s.q != want_same;
}

bool TelnetCodec::Pending(Side side, uint8_t option) const {
  const Q q = Slot(side, option).q;
  return q == Q::kWantNo || q == Q::kWantYes;
}

void TelnetCodec::SendVerb(Side side, uint8_t option, bool enable) {
  const uint8_t verb =
      side == Side::kHim ? (enable ? cmd::kDo : cmd::kDont) : (enable ? cmd::kWill : cmd::kWont);
  const char wire[3] = {static_cast<char>(cmd::kIac), static_cast<char>(verb),
                        static_cast<char>(option)};
  handler_.Send(std::string_view(wire, 3));
}

void TelnetCodec::SetQ(Side side, uint8_t option, OptionSlot& s, Q q) {
  const bool was = s.q == Q::kYes;
  s.q = q;
  const bool now = q == Q::kYes;
  if (was != now) handler_.OnOptionChange(option, side, now);
}

std::string TelnetCodec::Escape(std::string_view data) {
  std::string out;
  out.reserve(data.size());
  for (const char c : data) {
    out.push_back(c);
    if (static_cast<uint8_t>(c) == cmd::kIac) out.push_back(c);
  }
  return out;
}

std::string TelnetCodec::Subnegotiation(uint8_t option, std::string_view payload) {
  std::string out = {static_cast<char>(cmd::kIac), static_cast<char>(cmd::kSb),
                     static_cast<char>(option)};
  out += Escape(payload);
  out.push_back(static_cast<char>(cmd::kIac));
  out.push_back(static_cast<char>(cmd::kSe));
  return out;
}

bool ParseNaws(std::string_view p, uint16_t* cols, uint16_t* rows) {
  if (p.size() != 4) return false;
  const auto b = [&](size_t i) { return static_cast<uint16_t>(static_cast<uint8_t>(p[i])); };
  *cols = static_cast<uint16_t>(b(0) << 8 | b(1));
  *rows = static_cast<uint16_t>(b(2) << 8 | b(3));
  return true;
}

bool ParseTtypeIs(std::string_view p, std::string* name) {
  constexpr size_t kMaxName = 40;  // RFC 1091: a terminal type is at most 40 characters
  if (p.empty() || p[0] != 0) return false;
  *name = std::string(p.substr(1, kMaxName));
  return true;
}

bool ParseEnviron(std::string_view p, std::vector<std::pair<std::string, std::string>>* vars,
                  size_t max_vars) {
  constexpr uint8_t kIs = 0, kInfo = 2, kVar = 0, kValue = 1, kEsc = 2, kUserVar = 3;
  constexpr size_t kMaxItem = 256;
  vars->clear();
  if (p.empty() || (p[0] != kIs && p[0] != kInfo)) return false;
  std::string* into = nullptr;  // the name or value being read
  for (size_t i = 1; i < p.size(); ++i) {
    auto c = static_cast<uint8_t>(p[i]);
    if (c == kVar || c == kUserVar) {
      if (vars->size() >= max_vars) return true;
      vars->emplace_back();
      into = &vars->back().first;
      continue;
    }
    if (c == kValue) {
      if (vars->empty()) return false;
      into = &vars->back().second;
      continue;
    }
    if (c == kEsc) {
      if (++i == p.size()) return false;
      c = static_cast<uint8_t>(p[i]);
    }
    if (!into) return false;  // data before any VAR
    if (into->size() < kMaxItem) into->push_back(static_cast<char>(c));
  }
  return true;
}

}  // namespace decnet::services::telnet
