// The ingest-line decoder and the bounty/credential extraction rules (compatible with the Python
// original's ingester: the same bounty_type / fingerprint_type names and payload keys).
#include <cstring>
#include <string>

#include "decnet/core/json.h"
#include "decnet/core/text.h"
#include "decnet/storage/ingest.h"

namespace decnet::storage {
namespace {

using rapidjson::Value;

// A field as text: strings as-is, numbers/bools in their JSON form, absent/null/objects empty.
std::string FieldText(const Value& fields, const char* key) {
  auto it = fields.FindMember(key);
  if (it == fields.MemberEnd()) return {};
  const Value& v = it->value;
  if (v.IsString()) return {v.GetString(), v.GetStringLength()};
  if (v.IsBool() || v.IsNumber()) return json::Serialize(v);
  return {};
}

bool Has(const Value& fields, const char* key) { return !FieldText(fields, key).empty(); }

// Adds "key": <the field as the original had it> or null (the Python payloads carry None for
// absent).
void CopyField(json::JsonWriter& w, const Value& fields, const char* key,
               const char* out_key = nullptr) {
  const char* name = out_key ? out_key : key;
  auto it = fields.FindMember(key);
  if (it == fields.MemberEnd() || it->value.IsNull()) {
    w.Null(name);
    return;
  }
  const Value& v = it->value;
  if (v.IsString()) {
    w.Str(name, {v.GetString(), v.GetStringLength()});
  } else {
    w.Raw(name, json::Serialize(v));
  }
}
void CopyOrNull(json::JsonWriter& w, const Value& fields, const char* key) {
  // `x or None`: an empty string becomes null.
  std::string t = FieldText(fields, key);
  if (t.empty())
    w.Null(key);
  else
    CopyField(w, fields, key);
}

bool IsBase64(std::string_view s) {
  size_t pad = 0;
  for (char c : s) {
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad) return false;  // '=' only at the end
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
          c == '/'))
      return false;
  }
  return pad <= 2 && s.size() % 4 == 0;
}

// Classifies a User-Agent: (category, tool). Deterministic, so repeated requests dedup.
std::pair<const char*, const char*> ClassifyUa(std::string_view ua) {
  if (ua.empty()) return {"empty", nullptr};
  std::string low(ua.substr(0, 512));
  for (char& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  struct Sig {
    const char* needle;
    const char* category;
    const char* tool;
  };
  static const Sig kSigs[] = {
      {"nmap", "scanner", "nmap"},
      {"masscan", "scanner", "masscan"},
      {"zgrab", "scanner", "zgrab"},
      {"nikto", "scanner", "nikto"},
      {"sqlmap", "scanner", "sqlmap"},
      {"nuclei", "scanner", "nuclei"},
      {"gobuster", "scanner", "gobuster"},
      {"dirbuster", "scanner", "dirbuster"},
      {"curl/", "cli", "curl"},
      {"wget/", "cli", "wget"},
      {"python-requests", "library", "python-requests"},
      {"python-urllib", "library", "python-urllib"},
      {"aiohttp", "library", "aiohttp"},
      {"go-http-client", "library", "go-http-client"},
      {"okhttp", "library", "okhttp"},
      {"java/", "library", "java"},
      {"libwww-perl", "library", "libwww-perl"},
      {"bot", "bot", nullptr},
      {"spider", "bot", nullptr},
      {"crawl", "bot", nullptr},
      {"mozilla/", "browser", nullptr},
  };
  for (const Sig& s : kSigs)
    if (low.find(s.needle) != std::string::npos) return {s.category, s.tool};
  return {"nonstandard", nullptr};
}

BountyRow Fingerprint(const LogRow& log, std::string service, std::string ip, std::string payload) {
  BountyRow b;
  b.ts_us = log.ts_us;
  b.decky = log.decky;
  b.service = std::move(service);
  b.attacker_ip = std::move(ip);
  b.bounty_type = "fingerprint";
  b.payload = std::move(payload);
  return b;
}

constexpr size_t kMaxSecretBytes = 2048;

// The printable form of `bytes` as the deckies write it: printable ASCII kept, every other byte
// '?'.
std::string PrintableForm(std::string_view bytes) {
  std::string out(bytes.substr(0, kMaxSecretBytes));
  for (char& ch : out) {
    if (ch < 0x20 || ch > 0x7E) ch = '?';
  }
  return out;
}

// Stores the exact `bytes` (issue 13): as themselves when they are valid UTF-8 without NUL (the
// columns are text, and a NUL would end a C string or a LIKE early), else as lowercase hex with
// secret_encoding "hex". Either way two different secrets never share a (secret_encoding, secret).
void SetExactSecret(std::string_view bytes, CredentialRow* c) {
  bytes = bytes.substr(0, kMaxSecretBytes);
  if (IsValidUtf8(bytes) && bytes.find('\0') == std::string_view::npos) {
    c->secret.assign(bytes);
    c->secret_encoding = "utf8";
    return;
  }
  static const char kHex[] = "0123456789abcdef";
  c->secret.clear();
  c->secret.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    c->secret.push_back(kHex[b >> 4]);
    c->secret.push_back(kHex[b & 15]);
  }
  c->secret_encoding = "hex";
}

// Decodes a base64 secret field into its exact bytes; false when it is not valid base64.
bool DecodeSecret(const std::string& b64, std::string* bytes) {
  return IsBase64(b64) && Base64Decode(b64, bytes);
}

void ExtractCredentials(const Value& f, IngestRecord* out) {
  const LogRow& log = out->log;
  CredentialRow c;
  c.ts_us = log.ts_us;
  c.attacker_ip = log.attacker_ip;
  c.decky = log.decky;
  c.service = log.service;
  std::string bytes;
  if (f.HasMember("secret_b64")) {
    // Native shape: the exact secret travels base64 (secret_printable is lossy: every non-ASCII
    // byte is '?', so 'tëst' and 'tâst' would both be 't??st'). An invalid one drops the
    // credential, not the log.
    if (!DecodeSecret(FieldText(f, "secret_b64"), &bytes)) return;
    c.username = FieldText(f, "principal");
    if (c.username.empty()) c.username = FieldText(f, "username");
    SetExactSecret(bytes, &c);
    c.secret_printable = FieldText(f, "secret_printable");
    if (c.secret_printable.empty()) c.secret_printable = PrintableForm(bytes);
    c.secret_kind = FieldText(f, "secret_kind");
    if (c.secret_kind.empty()) c.secret_kind = "plaintext";
  } else if (Has(f, "username") && Has(f, "password")) {
    c.username = FieldText(f, "username");
    const std::string password = FieldText(f, "password");
    // The original's first auth-helper shape: password (printable) + password_b64 (exact).
    if (!Has(f, "password_b64") || !DecodeSecret(FieldText(f, "password_b64"), &bytes)) {
      bytes = password;
    }
    SetExactSecret(bytes, &c);
    c.secret_printable = PrintableForm(password);
    c.secret_kind = "plaintext";
  } else if (Has(f, "username") && (Has(f, "key_fingerprint") || Has(f, "public_key"))) {
    c.username = FieldText(f, "username");
    SetExactSecret(
        Has(f, "key_fingerprint") ? FieldText(f, "key_fingerprint") : FieldText(f, "public_key"),
        &c);
    c.secret_printable = PrintableForm(c.secret);
    c.secret_kind = "key";
  } else {
    return;
  }
  if (c.username.size() > 256) c.username.resize(256);
  if (c.secret_printable.size() > kMaxSecretBytes) c.secret_printable.resize(kMaxSecretBytes);
  out->credentials.push_back(std::move(c));
}

void ExtractHttpUa(const Value& f, IngestRecord* out) {
  auto it = f.FindMember("headers");
  if (it == f.MemberEnd()) return;
  rapidjson::Document parsed;
  const Value* headers = &it->value;
  if (it->value.IsString()) {
    // Some services log headers as a JSON string; bounded like the line itself.
    json::ParseLimits lim{64 * 1024, 4};
    if (!json::Parse({it->value.GetString(), it->value.GetStringLength()}, parsed, lim)) return;
    headers = &parsed;
  }
  if (!headers->IsObject()) return;
  auto ua = headers->FindMember("User-Agent");
  if (ua == headers->MemberEnd()) ua = headers->FindMember("user-agent");
  if (ua == headers->MemberEnd() || !ua->value.IsString()) return;
  std::string_view v(ua->value.GetString(), ua->value.GetStringLength());
  auto [category, tool] = ClassifyUa(v);
  json::JsonWriter w;
  w.Str("fingerprint_type", "http_useragent").Str("value", v).Str("category", category);
  if (tool)
    w.Str("tool", tool);
  else
    w.Null("tool");
  w.Null("signals");
  out->bounties.push_back(
      Fingerprint(out->log, out->log.service, out->log.attacker_ip, w.Finish()));
}

void ExtractSniffer(const Value& f, IngestRecord* out) {
  const LogRow& log = out->log;
  if (Has(f, "ja3")) {
    json::JsonWriter w;
    w.Str("fingerprint_type", "ja3");
    for (const char* k : {"ja3", "ja3s", "ja4", "ja4s", "tls_version"}) CopyField(w, f, k);
    CopyOrNull(w, f, "sni");
    CopyOrNull(w, f, "alpn");
    for (const char* k : {"dst_port", "raw_ciphers", "raw_extensions"}) CopyField(w, f, k);
    out->bounties.push_back(Fingerprint(log, "sniffer", log.attacker_ip, w.Finish()));
  } else if (Has(f, "ja4") && log.event_type == "quic_client_hello") {
    json::JsonWriter w;
    w.Str("fingerprint_type", "ja4_quic");
    for (const char* k : {"ja4", "sni", "alpn", "dst_port"}) CopyField(w, f, k);
    out->bounties.push_back(Fingerprint(log, "sniffer", log.attacker_ip, w.Finish()));
  }
  if (Has(f, "ja4l_rtt_ms")) {
    json::JsonWriter w;
    w.Str("fingerprint_type", "ja4l");
    CopyField(w, f, "ja4l_rtt_ms", "rtt_ms");
    CopyField(w, f, "ja4l_client_ttl", "client_ttl");
    out->bounties.push_back(Fingerprint(log, "sniffer", log.attacker_ip, w.Finish()));
  }
  if (Has(f, "resumption")) {
    json::JsonWriter w;
    w.Str("fingerprint_type", "tls_resumption");
    CopyField(w, f, "resumption", "mechanisms");
    out->bounties.push_back(Fingerprint(log, "sniffer", log.attacker_ip, w.Finish()));
  }
  if (Has(f, "subject_cn")) {
    json::JsonWriter w;
    w.Str("fingerprint_type", "tls_certificate");
    for (const char* k : {"subject_cn", "issuer", "self_signed", "not_before", "not_after", "sans"})
      CopyField(w, f, k);
    CopyOrNull(w, f, "sni");
    out->bounties.push_back(Fingerprint(log, "sniffer", log.attacker_ip, w.Finish()));
  }
  if (log.event_type == "tcp_syn_fingerprint") {
    json::JsonWriter w;
    w.Str("fingerprint_type", "tcp_syn");
    for (const char* k : {"os_guess", "ttl", "initial_ttl", "hop_distance", "window", "wscale",
                          "mss", "options_order", "has_sack", "has_timestamps", "dst_port"})
      CopyField(w, f, k);
    out->bounties.push_back(Fingerprint(log, "sniffer", log.attacker_ip, w.Finish()));
  }
  if (Has(f, "hassh") &&
      (log.event_type == "ssh_client_kex" || log.event_type == "ssh_client_hello")) {
    json::JsonWriter w;
    w.Str("fingerprint_type", "hassh");
    for (const char* k : {"hassh", "hassh_algorithms", "client_banner", "dst_port"})
      CopyField(w, f, k);
    out->bounties.push_back(Fingerprint(log, "sniffer", log.attacker_ip, w.Finish()));
  }
  if (log.event_type == "ssh_client_banner" && Has(f, "client_banner")) {
    json::JsonWriter w;
    w.Str("fingerprint_type", "ssh_client_banner");
    CopyField(w, f, "client_banner", "value");
    out->bounties.push_back(Fingerprint(log, "sniffer", log.attacker_ip, w.Finish()));
  }
}

void ExtractProber(const Value& f, IngestRecord* out) {
  const LogRow& log = out->log;
  // Prober events describe the probed attacker: the row belongs to target_ip.
  std::string target = FieldText(f, "target_ip");
  std::string ip = target.empty() ? "Unknown" : target;
  if (Has(f, "jarm_hash")) {
    json::JsonWriter w;
    w.Str("fingerprint_type", "jarm");
    CopyField(w, f, "jarm_hash", "hash");
    CopyField(w, f, "target_ip");
    CopyField(w, f, "target_port");
    out->bounties.push_back(Fingerprint(log, "prober", ip, w.Finish()));
  }
  if (Has(f, "hassh_server_hash")) {
    json::JsonWriter w;
    w.Str("fingerprint_type", "hassh_server");
    CopyField(w, f, "hassh_server_hash", "hash");
    for (const char* k : {"target_ip", "target_port", "ssh_banner", "kex_algorithms",
                          "encryption_s2c", "mac_s2c", "compression_s2c"})
      CopyField(w, f, k);
    out->bounties.push_back(Fingerprint(log, "prober", ip, w.Finish()));
  }
  if (Has(f, "tcpfp_hash")) {
    json::JsonWriter w;
    w.Str("fingerprint_type", "tcpfp");
    CopyField(w, f, "tcpfp_hash", "hash");
    CopyField(w, f, "tcpfp_raw", "raw");
    for (const char* k : {"target_ip", "target_port", "ttl", "window_size", "df_bit", "mss",
                          "window_scale", "sack_ok", "timestamp", "options_order"})
      CopyField(w, f, k);
    out->bounties.push_back(Fingerprint(log, "prober", ip, w.Finish()));
  }
}

void ExtractFinds(const Value& f, IngestRecord* out) {
  ExtractCredentials(f, out);
  ExtractHttpUa(f, out);
  if (Has(f, "client_version") && out->log.event_type == "version") {
    json::JsonWriter w;
    w.Str("fingerprint_type", "vnc_client_version");
    CopyField(w, f, "client_version", "value");
    out->bounties.push_back(
        Fingerprint(out->log, out->log.service, out->log.attacker_ip, w.Finish()));
  }
  if (out->log.service == "sniffer") ExtractSniffer(f, out);
  if (out->log.service == "prober") ExtractProber(f, out);
}

}  // namespace

const char* RejectReasonName(RejectReason r) {
  switch (r) {
    case RejectReason::kNone:
      return "none";
    case RejectReason::kTooLong:
      return "too_long";
    case RejectReason::kInvalidUtf8:
      return "invalid_utf8";
    case RejectReason::kInvalidJson:
      return "invalid_json";
    case RejectReason::kNotObject:
      return "not_object";
    case RejectReason::kMissingField:
      return "missing_field";
    case RejectReason::kBadTimestamp:
      return "bad_timestamp";
  }
  return "unknown";
}

bool ParseIsoTimestamp(std::string_view s, int64_t* us) {
  // A fixed-width field's value, or -1 when it is missing or not all digits.
  auto digits = [](std::string_view text, size_t at, size_t n) {
    int v;
    return ParseDigits(text, at, n, &v) ? v : -1;
  };
  int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  int h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      se < 0 || se > 60)
    return false;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':')
    return false;
  size_t i = 19;
  int64_t frac_us = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int64_t scale = 100000;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (scale > 0) frac_us += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start || i - start > 12) return false;
  }
  int64_t offset_s = 0;
  if (i < s.size()) {
    if (s[i] == 'Z' || s[i] == 'z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      int sign = s[i] == '-' ? -1 : 1;
      int oh = digits(s, i + 1, 2);
      size_t j = i + 3;
      if (j < s.size() && s[j] == ':') ++j;
      int om = digits(s, j, 2);
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return false;
      offset_s = sign * (oh * 3600 + om * 60);
      i = j + 2;
    } else {
      return false;
    }
  }
  if (i != s.size()) return false;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_s;
  *us = secs * 1000000 + frac_us;
  return true;
}

RejectReason DecodeIngestLine(std::string_view line, const IngestLimits& limits,
                              IngestRecord* out) {
  out->Clear();
  if (line.size() > limits.max_line_bytes) return RejectReason::kTooLong;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!IsValidUtf8(line)) return RejectReason::kInvalidUtf8;
  rapidjson::Document doc;
  json::ParseLimits pl{limits.max_line_bytes, limits.max_depth};
  if (!json::Parse(line, doc, pl)) return RejectReason::kInvalidJson;
  if (!doc.IsObject()) return RejectReason::kNotObject;
  const rapidjson::Value& root = doc;  // const iterators (C++20 reversed operator== ambiguity)

  auto req = [&](const char* key, std::string* dst) {
    auto it = root.FindMember(key);
    if (it == root.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0)
      return false;
    dst->assign(it->value.GetString(), it->value.GetStringLength());
    return true;
  };
  LogRow& log = out->log;
  log = LogRow{};
  if (!req("decky", &log.decky) || !req("service", &log.service) ||
      !req("event_type", &log.event_type))
    return RejectReason::kMissingField;
  auto ts = root.FindMember("timestamp");
  if (ts == root.MemberEnd()) return RejectReason::kMissingField;
  if (ts->value.IsString()) {
    if (!ParseIsoTimestamp({ts->value.GetString(), ts->value.GetStringLength()}, &log.ts_us))
      return RejectReason::kBadTimestamp;
  } else if (ts->value.IsNumber()) {
    double sec = ts->value.GetDouble();
    if (!(sec >= 0 && sec < 32503680000.0)) return RejectReason::kBadTimestamp;  // year 3000
    log.ts_us = static_cast<int64_t>(sec * 1e6);
  } else {
    return RejectReason::kMissingField;
  }
  log.attacker_ip = std::string(json::GetString(doc, "attacker_ip"));
  log.msg = std::string(json::GetString(doc, "msg"));
  log.raw_line = std::string(json::GetString(doc, "raw_line"));
  auto f = root.FindMember("fields");
  if (f != root.MemberEnd() && f->value.IsObject()) {
    log.fields = json::Serialize(f->value);
    ExtractFinds(f->value, out);
  } else {
    log.fields = "{}";
  }
  return RejectReason::kNone;
}

}  // namespace decnet::storage
