#include "decnet/capture/tcpfp.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace decnet::capture {
namespace {

void Append(std::string& s, const std::string& item) {
  if (!s.empty()) s.push_back(',');
  s += item;
}

}  // namespace

TcpOptionsInfo ParseTcpOptions(Bytes options) {
  TcpOptionsInfo info;
  size_t i = 0;
  while (i < options.size()) {
    uint8_t kind = options[i];
    if (kind == 0) {  // EOL: p0f records how many padding bytes follow
      size_t rest = options.size() - i - 1;
      Append(info.layout, "eol+" + std::to_string(rest));
      Append(info.with_values, "eol+" + std::to_string(rest));
      for (size_t j = i + 1; j < options.size(); ++j)
        if (options[j] != 0) info.trailing_data = true;
      break;
    }
    if (kind == 1) {
      Append(info.layout, "nop");
      Append(info.with_values, "nop");
      ++i;
      continue;
    }
    if (i + 1 >= options.size() || options[i + 1] < 2 || i + options[i + 1] > options.size()) {
      info.bad = true;
      break;
    }
    uint8_t len = options[i + 1];
    const uint8_t* v = &options[i + 2];
    switch (kind) {
      case 2:
        if (len == 4) info.mss = Load16(v);
        Append(info.layout, "mss");
        Append(info.with_values, "mss=" + std::to_string(info.mss));
        break;
      case 3:
        if (len == 3) info.wscale = v[0];
        Append(info.layout, "ws");
        Append(info.with_values, "ws=" + std::to_string(info.wscale));
        break;
      case 4:
        info.sack_ok = true;
        Append(info.layout, "sok");
        Append(info.with_values, "sok");
        break;
      case 5:
        Append(info.layout, "sack");
        Append(info.with_values, "sack");
        break;
      case 8:
        if (len == 10) {
          info.timestamps = true;
          info.ts_val = Load32(v);
          info.ts_ecr = Load32(v + 4);
        }
        Append(info.layout, "ts");
        Append(info.with_values,
               "ts=" + std::to_string(info.ts_val) + "/" + std::to_string(info.ts_ecr));
        break;
      default:
        Append(info.layout, "?" + std::to_string(kind));
        Append(info.with_values, "?" + std::to_string(kind) + "/" + std::to_string(len));
        break;
    }
    i += len;
  }
  return info;
}

int InitialTtl(int ttl) {
  for (int t : {32, 64, 128, 255})
    if (ttl <= t) return t;
  return 255;
}

TcpFingerprint FingerprintSyn(const DecodedPacket& p) {
  TcpFingerprint fp;
  fp.ttl = p.ttl;
  fp.initial_ttl = InitialTtl(p.ttl);
  fp.hops = fp.initial_ttl - p.ttl;
  fp.window = p.window;
  fp.tos = p.tos;
  fp.olen = p.ip_options_len;
  fp.payload = !p.payload.empty();
  fp.opts = ParseTcpOptions(p.tcp_options);
  bool syn_ack = p.tcp_flags & kAck;
  std::string q;
  if (p.ip_version == 4) {
    if (p.df) Append(q, "df");
    if (p.df && p.ip_id != 0) Append(q, "id+");
    if (!p.df && p.ip_id == 0) Append(q, "id-");
  }
  if (p.tos & 0x03) Append(q, "ecn");
  if (p.tcp_reserved & 0x0E) Append(q, "0+");
  if (p.ip_version == 6 && p.flow_label != 0) Append(q, "flow");
  if (p.seq == 0) Append(q, "seq-");
  if (!syn_ack && p.ack != 0) Append(q, "ack+");
  if (syn_ack && p.ack == 0) Append(q, "ack-");
  if (!(p.tcp_flags & kUrg) && p.urgent != 0) Append(q, "uptr+");
  if (p.tcp_flags & kUrg) Append(q, "urgf+");
  if (p.tcp_flags & kPsh) Append(q, "pushf+");
  if (fp.opts.timestamps && fp.opts.ts_val == 0) Append(q, "ts1-");
  if (!syn_ack && fp.opts.timestamps && fp.opts.ts_ecr != 0) Append(q, "ts2+");
  if (fp.opts.trailing_data) Append(q, "opt+");
  if (fp.opts.wscale > 14) Append(q, "exws");
  if (fp.opts.bad) Append(q, "bad");
  fp.quirks = q;

  std::string wsize = std::to_string(p.window);
  if (fp.opts.mss > 0 && p.window % fp.opts.mss == 0 && p.window != 0) {
    wsize = "mss*" + std::to_string(p.window / fp.opts.mss);
  }
  char head[64];
  std::snprintf(head, sizeof head, "%d:%d+%d:%d:", p.ip_version, fp.initial_ttl, fp.hops,
                p.ip_options_len);
  fp.p0f = std::string(head) + (fp.opts.mss < 0 ? "*" : std::to_string(fp.opts.mss)) + ':' +
           wsize + ',' + std::to_string(fp.opts.wscale < 0 ? 0 : fp.opts.wscale) + ':' +
           fp.opts.layout + ':' + q + ':' + (p.payload.empty() ? "0" : "+");
  return fp;
}

std::string ClassifySequence(const std::vector<uint32_t>& s, uint32_t modulus_bits) {
  if (s.size() < 3) return "unknown";
  uint64_t mod = modulus_bits >= 32 ? (uint64_t(1) << 32) : (uint64_t(1) << modulus_bits);
  bool all_zero = true, constant = true, small_steps = true, steps_256 = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != 0) all_zero = false;
    if (i == 0) continue;
    if (s[i] != s[0]) constant = false;
    uint64_t d = (uint64_t(s[i]) + mod - s[i - 1]) % mod;  // wrap-aware forward distance
    if (d == 0 || d > 1024) small_steps = false;
    if (d == 0 || d % 256 != 0 || d > 256 * 1024) steps_256 = false;
  }
  if (all_zero) return "zero";
  if (constant) return "constant";
  // Multiples of 256 first: a little-endian counter (old Windows) read big-endian steps by 256.
  if (steps_256) return "incremental_by_256";
  if (small_steps) return "incremental";
  return "random";
}

bool P0fDatabase::Load(const std::string& path, std::string* error) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  char line[1024];
  bool in_tcp = false, response = false;
  std::string label;
  while (std::fgets(line, sizeof line, f)) {
    std::string l(line);
    while (!l.empty() && (l.back() == '\n' || l.back() == '\r' || l.back() == ' ')) l.pop_back();
    if (l.empty() || l[0] == ';') continue;
    if (l[0] == '[') {
      in_tcp = l == "[tcp:request]" || l == "[tcp:response]";
      response = l == "[tcp:response]";
      continue;
    }
    if (!in_tcp) continue;
    auto eq = l.find('=');
    if (eq == std::string::npos) continue;
    std::string key = l.substr(0, eq), val = l.substr(eq + 1);
    auto trim = [](std::string& s) {
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
    };
    trim(key);
    trim(val);
    if (key == "label") {
      label = val;
      continue;
    }
    if (key != "sig") continue;
    // ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass
    std::vector<std::string> f9;
    size_t start = 0;
    for (size_t i = 0; i <= val.size(); ++i) {
      if (i == val.size() || val[i] == ':') {
        f9.push_back(val.substr(start, i - start));
        start = i + 1;
      }
    }
    if (f9.size() != 8) {
      ++skipped_;
      continue;
    }
    Sig s;
    s.response = response;
    s.label = label;
    s.ver = f9[0] == "*" ? -1 : std::atoi(f9[0].c_str());
    s.ittl = std::atoi(f9[1].c_str());  // "64-" (bad ttl) reads as 64
    s.olen = std::atoi(f9[2].c_str());
    s.mss = f9[3] == "*" ? -1 : std::atoi(f9[3].c_str());
    auto comma = f9[4].find(',');
    if (comma == std::string::npos) {
      ++skipped_;
      continue;
    }
    std::string ws = f9[4].substr(0, comma), sc = f9[4].substr(comma + 1);
    if (ws == "*") {
      s.wsize_kind = '*';
    } else if (ws.rfind("mss*", 0) == 0) {
      s.wsize_kind = 'm', s.wsize = std::atoi(ws.c_str() + 4);
    } else if (ws.rfind("mtu*", 0) == 0) {
      s.wsize_kind = 't', s.wsize = std::atoi(ws.c_str() + 4);
    } else if (ws[0] == '%') {
      s.wsize_kind = '%', s.wsize = std::atoi(ws.c_str() + 1);
    } else {
      s.wsize_kind = '=', s.wsize = std::atoi(ws.c_str());
    }
    s.scale = sc == "*" ? -1 : std::atoi(sc.c_str());
    s.olayout = f9[5];
    s.quirks = f9[6];
    s.pclass = f9[7] == "*" ? -1 : (f9[7] == "0" ? 0 : 1);
    sigs_.push_back(std::move(s));
  }
  std::fclose(f);
  return true;
}

std::string P0fDatabase::Match(const TcpFingerprint& fp, int ip_version, bool response) const {
  // Quirks compare as sets in p0f, but both sides list them in p0f's fixed order, so text compares.
  // Signatures are tried in file order; the first match wins, as in p0f (fuzzy matches are not done).
  int mss = fp.opts.mss;
  int scale = fp.opts.wscale < 0 ? 0 : fp.opts.wscale;
  for (const Sig& s : sigs_) {
    if (s.response != response) continue;
    if (s.ver != -1 && s.ver != ip_version) continue;
    if (s.ittl < fp.ttl || s.ittl - fp.ttl > 35) continue;
    if (s.olayout != fp.opts.layout || s.quirks != fp.quirks) continue;
    if (s.olen != fp.olen) continue;
    if (s.pclass != -1 && s.pclass != (fp.payload ? 1 : 0)) continue;
    if (s.mss != -1 && s.mss != mss) continue;
    if (s.scale != -1 && s.scale != scale) continue;
    bool win_ok = false;
    switch (s.wsize_kind) {
      case '*': win_ok = true; break;
      case '=': win_ok = s.wsize == fp.window; break;
      case 'm': win_ok = mss > 0 && fp.window == s.wsize * mss; break;
      case 't': {
        int mtu = mss > 0 ? mss + (ip_version == 4 ? 40 : 60) : 0;
        win_ok = mtu > 0 && fp.window == s.wsize * mtu;
        break;
      }
      case '%': win_ok = s.wsize > 0 && fp.window % s.wsize == 0; break;
    }
    if (!win_ok) continue;
    return s.label;
  }
  return {};
}

}  // namespace decnet::capture
