#include "decnet/bus/protocol.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/random.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "decnet/core/json.h"

namespace decnet::bus {
namespace {

constexpr std::string_view kVerbs[] = {"HELLO", "PUB", "SUB", "UNSUB", "EVT", "BYE"};

bool ParseVerb(std::string_view s, Verb* out) {
  for (size_t i = 0; i < std::size(kVerbs); ++i) {
    if (s == kVerbs[i]) {
      *out = static_cast<Verb>(i);
      return true;
    }
  }
  return false;
}

uint32_t ReadBe32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool ValidToken(std::string_view t) {
  if (t.empty()) return false;
  for (char c : t) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

}  // namespace

std::string_view VerbName(Verb v) { return kVerbs[static_cast<size_t>(v)]; }

std::string EncodeFrame(Verb verb, std::string_view args, std::string_view body) {
  std::string out;
  out.reserve(args.size() + body.size() + 16);
  out.append(VerbName(verb));
  if (!args.empty()) {
    out.push_back(' ');
    out.append(args);
  }
  out.push_back('\n');
  const uint32_t n = static_cast<uint32_t>(body.size());
  const char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)};
  out.append(len, 4);
  out.append(body);
  return out;
}

Status FrameReader::Feed(std::string_view bytes) {
  if (failed_) return MakeError(Errc::kInvalidArgument, "reader already failed");
  // Compact consumed bytes so the buffer stays bounded by one frame.
  if (pos_ > 0 && (pos_ == buf_.size() || pos_ > 65536)) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
  return Check();
}

// Validates the frame at pos_ as far as it has arrived.
Status FrameReader::Check() {
  std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
  size_t lf = rest.find('\n');
  if (lf == std::string_view::npos) {
    if (rest.size() >= kMaxHeaderBytes) {
      failed_ = true;
      return MakeError(Errc::kLimit, "header longer than 4096 bytes");
    }
    return Ok();
  }
  if (lf + 1 > kMaxHeaderBytes) {
    failed_ = true;
    return MakeError(Errc::kLimit, "header longer than 4096 bytes");
  }
  std::string_view line = Trim(rest.substr(0, lf));
  std::string_view verb = line.substr(0, line.find(' '));
  Verb v;
  if (!ParseVerb(verb, &v)) {
    failed_ = true;
    return MakeError(Errc::kInvalidArgument,
                     "unknown verb '" + std::string(verb.substr(0, 32)) + "'");
  }
  if (rest.size() >= lf + 5) {
    uint32_t n = ReadBe32(rest.data() + lf + 1);
    if (n > kMaxBodyBytes) {
      failed_ = true;
      return MakeError(Errc::kLimit, "body of " + std::to_string(n) + " bytes exceeds 1 MiB");
    }
  }
  return Ok();
}

bool FrameReader::Next(Frame* out, Error* err) {
  if (failed_) return false;
  if (Status st = Check(); !st) {
    *err = st.error();
    return false;
  }
  std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
  size_t lf = rest.find('\n');
  if (lf == std::string_view::npos || rest.size() < lf + 5) return false;
  const uint32_t n = ReadBe32(rest.data() + lf + 1);
  if (rest.size() < lf + 5 + n) return false;
  std::string_view line = Trim(rest.substr(0, lf));
  size_t sp = line.find(' ');
  Verb v = Verb::kBye;
  ParseVerb(line.substr(0, sp), &v);  // validated by Check()
  out->verb = v;
  out->args = sp == std::string_view::npos ? std::string() : std::string(Trim(line.substr(sp + 1)));
  out->body.assign(rest.data() + lf + 5, n);
  pos_ += lf + 5 + n;
  return true;
}

bool ValidTopic(std::string_view topic) {
  if (topic.empty() || topic.size() > 1024) return false;
  size_t start = 0;
  while (true) {
    size_t dot = topic.find('.', start);
    std::string_view tok = topic.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!ValidToken(tok) || tok == "*" || tok == ">") return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool ValidPattern(std::string_view pattern) {
  if (pattern.empty() || pattern.size() > 1024) return false;
  size_t start = 0;
  while (true) {
    size_t dot = pattern.find('.', start);
    std::string_view tok =
        pattern.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!ValidToken(tok)) return false;
    if (tok == ">" && dot != std::string_view::npos) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool PatternMatches(std::string_view pattern, std::string_view topic) {
  while (true) {
    size_t pd = pattern.find('.');
    size_t td = topic.find('.');
    std::string_view p = pattern.substr(0, pd);
    std::string_view t = topic.substr(0, td);
    if (p == ">") return !topic.empty();
    if (topic.empty()) return false;
    if (p != "*" && p != t) return false;
    if (p == "*" && t.empty()) return false;
    const bool p_end = pd == std::string_view::npos, t_end = td == std::string_view::npos;
    if (p_end || t_end) return p_end && t_end;
    pattern.remove_prefix(pd + 1);
    topic.remove_prefix(td + 1);
  }
}

namespace {
// splitmix64: a fast generator for event ids, seeded once per process from getrandom(2). Ids need to be
// unique, not secret, and a getrandom() call per event was a tenth of the broker's CPU.
uint64_t NextRandom() {
  static uint64_t state = 0;
  static bool seeded = false;
  if (!seeded) {
    // A forked child seeds again so its ids do not replay its parent's (getpid() per id would be a
    // syscall on the hot path; the fork hook costs nothing until a fork).
    static const bool hooked = pthread_atfork(nullptr, nullptr, [] { seeded = false; }) == 0;
    (void)hooked;
    seeded = true;
    if (getrandom(&state, sizeof state, GRND_NONBLOCK) != sizeof state) {
      // Entropy not ready (early boot): time, pid and an address, still unique enough for de-dupe.
      state = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
              (static_cast<uint64_t>(getpid()) << 32) ^ reinterpret_cast<uintptr_t>(&state);
    }
  }
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
}  // namespace

std::string NewEventId() {
  unsigned char b[16];
  const uint64_t hi = NextRandom(), lo = NextRandom();
  std::memcpy(b, &hi, 8);
  std::memcpy(b + 8, &lo, 8);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // the shape of a UUID version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  static const char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[2 * i] = kHex[b[i] >> 4];
    out[2 * i + 1] = kHex[b[i] & 15];
  }
  return out;
}

std::string MakeEventBody(std::string_view topic, std::string_view type, std::string_view payload_json,
                          double ts, std::string_view sender_json) {
  std::string out;
  out.reserve(payload_json.size() + topic.size() + type.size() + 96);
  out += "{\"v\":1,\"id\":\"";
  out += NewEventId();
  out += "\",\"topic\":";
  json::AppendQuoted(out, topic);
  out += ",\"type\":";
  json::AppendQuoted(out, type);
  out += ",\"ts\":";
  json::AppendDouble(out, ts);
  if (!sender_json.empty()) {
    out += ",\"sender\":";
    out += sender_json;
  }
  out += ",\"payload\":";
  out += payload_json.empty() ? std::string_view("{}") : payload_json;
  out += '}';
  return out;
}

}  // namespace decnet::bus
