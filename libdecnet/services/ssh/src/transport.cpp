#include "decnet/services/ssh/transport.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <zlib.h>

#include "decnet/decoy/limits.h"
#include "decnet/services/ssh/wire.h"

namespace decnet::services::ssh {
namespace {

constexpr uint8_t kDisconnect = 1, kIgnore = 2, kUnimplemented = 3, kDebug = 4, kExtInfo = 7;
constexpr uint8_t kKexInit = 20, kNewKeys = 21;
constexpr uint32_t kProtocolError = 2, kKeyExchangeFailed = 3, kMacError = 5;

bool IsKexMessage(uint8_t t) { return t >= 30 && t <= 49; }

// A KEXINIT name-list without the pseudo-algorithms that only signal extensions.
bool IsSignal(std::string_view n) {
  return n.starts_with("ext-info-") || n.starts_with("kex-strict-");
}

std::string NegotiateReal(std::string_view client, std::string_view server) {
  for (std::string_view c : SplitNames(client)) {
    if (!c.empty() && !IsSignal(c) && HasName(server, c)) return std::string(c);
  }
  return {};
}

}  // namespace

std::string Md5Hex(std::string_view s) {
  uint8_t d[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(s.data(), s.size(), d, &n, EVP_md5(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(kHex[d[i] >> 4]);
    out.push_back(kHex[d[i] & 15]);
  }
  return out;
}

bool ParseKexInit(std::string_view payload, KexInit* k) {
  // type (1) and the 16-byte cookie, then ten name-lists, the guess flag and a reserved word.
  if (payload.size() < 17 || static_cast<uint8_t>(payload[0]) != kKexInit) return false;
  Reader r(payload.substr(17));
  std::string_view lang_c, lang_s;
  uint32_t reserved = 0;
  for (std::string_view* f : {&k->kex, &k->host_key, &k->enc_c2s, &k->enc_s2c, &k->mac_c2s,
                              &k->mac_s2c, &k->comp_c2s, &k->comp_s2c, &lang_c, &lang_s}) {
    r.Str(f);
  }
  r.Bool(&k->first_follows);
  r.U32(&reserved);
  return r.ok();
}

// The two zlib streams of a compressed session. Small windows keep a compressed connection at
// ~40 KiB (zlib's defaults would take ~300 KiB); any window is valid for the client's inflater.
struct Transport::Zlib {
  Zlib() {
    deflateInit2(&out, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 12, 5, Z_DEFAULT_STRATEGY);
    inflateInit(&in);
  }
  ~Zlib() {
    deflateEnd(&out);
    inflateEnd(&in);
  }
  std::string Deflate(std::string_view payload) {
    std::string r;
    out.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
    out.avail_in = static_cast<uInt>(payload.size());
    do {
      uint8_t buf[4096];
      out.next_out = buf;
      out.avail_out = sizeof buf;
      deflate(&out, Z_PARTIAL_FLUSH);
      r.append(reinterpret_cast<char*>(buf), sizeof buf - out.avail_out);
    } while (out.avail_out == 0);
    return r;
  }
  // False on a corrupt stream or more than `limit` bytes out.
  bool Inflate(std::string_view payload, size_t limit, std::string* r) {
    r->clear();
    in.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
    in.avail_in = static_cast<uInt>(payload.size());
    for (;;) {
      uint8_t buf[4096];
      in.next_out = buf;
      in.avail_out = sizeof buf;
      const int rc = inflate(&in, Z_SYNC_FLUSH);
      r->append(reinterpret_cast<char*>(buf), sizeof buf - in.avail_out);
      if (r->size() > limit) return false;
      if (rc == Z_BUF_ERROR || (rc == Z_OK && in.avail_in == 0 && in.avail_out != 0)) return true;
      if (rc != Z_OK) return false;
    }
  }
  z_stream out{}, in{};
  bool rx = false, tx = false;
};

Transport::~Transport() = default;

void Transport::StartDelayedCompression() {
  const bool rx = neg_.comp_c2s == "zlib@openssh.com", tx = neg_.comp_s2c == "zlib@openssh.com";
  if (zlib_ || (!rx && !tx)) return;
  ++stats_.compressed_sessions;
  zlib_ = std::make_unique<Zlib>();
  zlib_->rx = rx;
  zlib_->tx = tx;
}

Transport::Transport(decoy::Connection& conn, const Profile& profile, const HostKeys& keys,
                     TransportStats& stats, Upper& upper)
    : conn_(conn),
      profile_(profile),
      keys_(keys),
      stats_(stats),
      upper_(upper),
      rx_(NewPlainCipher()),
      tx_(NewPlainCipher()) {
  ctx_.v_s = profile.version;
}

void Transport::Start() { conn_.Write(profile_.version + "\r\n"); }

void Transport::Fail(uint64_t TransportStats::*counter, uint32_t reason, std::string_view text) {
  ++(stats_.*counter);
  ++conn_.host().counters().malformed;
  Disconnect(reason, text);
}

void Transport::Disconnect(uint32_t reason, std::string_view text) {
  if (closed_) return;
  if (have_version_) SendPacket(Writer().U8(kDisconnect).U32(reason).Str(text).Str("").Take());
  closed_ = true;
  in_.clear();
  conn_.Close();
}

void Transport::OnData(std::string_view bytes) {
  if (closed_) return;
  in_.append(bytes);
  if (!have_version_) OnIdentification();
  if (have_version_ && !closed_) ReadPackets();
}

// RFC 4253 §4.2; sshd refuses any line that is not an identification (unlike a client, which skips
// pre-banner lines), and says so in clear text, as OpenSSH does.
void Transport::OnIdentification() {
  const size_t nl = in_.find('\n');
  if (nl == std::string::npos) {
    if (in_.size() > kMaxIdentification) {
      ++stats_.bad_identification;
      ++conn_.host().counters().lines_too_long;
      conn_.Write("Invalid SSH identification string.\r\n");
      closed_ = true;
      conn_.Close();
    }
    return;
  }
  std::string line = in_.substr(0, nl);
  in_.erase(0, nl + 1);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const bool too_long = line.size() > kMaxIdentification;
  if (too_long || !line.starts_with("SSH-")) {
    ++stats_.bad_identification;
    ++conn_.host().counters().malformed;
    conn_.Write("Invalid SSH identification string.\r\n");
    closed_ = true;
    conn_.Close();
    return;
  }
  if (!line.starts_with("SSH-2.0-") && !line.starts_with("SSH-1.99-")) {
    ++stats_.bad_identification;
    ++conn_.host().counters().malformed;
    conn_.Write("Protocol major versions differ.\r\n");
    closed_ = true;
    conn_.Close();
    return;
  }
  ctx_.v_c = std::move(line);
  have_version_ = true;
  SendKexInit();
}

void Transport::SendKexInit() {
  uint8_t cookie[16];
  randombytes_buf(cookie, sizeof cookie);
  Writer w;
  w.U8(kKexInit).Raw({reinterpret_cast<char*>(cookie), 16});
  w.Str(profile_.kex).Str(profile_.host_keys);
  w.Str(profile_.ciphers).Str(profile_.ciphers).Str(profile_.macs).Str(profile_.macs);
  w.Str(profile_.compression).Str(profile_.compression).Str("").Str("").Bool(false).U32(0);
  ctx_.i_s = w.Take();
  SendPacket(ctx_.i_s);
  sent_kexinit_ = true;
  in_kex_ = true;
}

void Transport::SendPacket(std::string_view raw) {
  std::string compressed;
  std::string_view payload = raw;
  if (zlib_ && zlib_->tx) {
    compressed = zlib_->Deflate(raw);
    payload = compressed;
  }
  const size_t block = tx_->block();
  const size_t counted = (tx_->LengthInAad() ? 0 : 4) + 1 + payload.size();
  size_t pad = block - counted % block;
  if (pad < 4) pad += block;
  std::string pkt = Writer().U32(static_cast<uint32_t>(1 + payload.size() + pad)).U8(pad).Take();
  pkt.append(payload);
  std::string padding(pad, '\0');
  randombytes_buf(padding.data(), padding.size());
  pkt.append(padding);
  conn_.Write(tx_->Seal(seq_out_++, pkt));
}

void Transport::Send(std::string_view payload) {
  if (closed_) return;
  if (in_kex_ && sent_kexinit_ && !sent_newkeys_ && first_kex_done_) {
    deferred_bytes_ += payload.size();
    if (deferred_bytes_ > kMaxDeferred) {
      Fail(&TransportStats::protocol_errors, kProtocolError, "re-exchange stalled");
      return;
    }
    deferred_.emplace_back(payload);
    return;
  }
  SendPacket(payload);
}

void Transport::ReadPackets() {
  while (!closed_) {
    if (pending_len_ == 0) {
      const size_t first = rx_->first_len();
      if (in_.size() < first) return;
      const uint32_t len = rx_->PeekLength(seq_in_, reinterpret_cast<const uint8_t*>(in_.data()));
      const size_t counted = rx_->LengthInAad() ? len : size_t{len} + 4;
      if (len < 5 || len > kMaxPacket || counted % rx_->block() != 0 || size_t{len} + 4 < first) {
        Fail(&TransportStats::bad_packet_length, kProtocolError, "Packet corrupt");
        return;
      }
      pending_len_ = len;
    }
    const size_t total = 4 + size_t{pending_len_} + rx_->tag_len();
    if (in_.size() < total) return;
    std::string plain;
    if (!rx_->Open(seq_in_, std::string_view(in_).substr(0, total), &plain)) {
      Fail(&TransportStats::bad_mac, kMacError, "Corrupted MAC on input.");
      return;
    }
    in_.erase(0, total);
    pending_len_ = 0;
    ++seq_in_;
    const size_t padlen = plain.empty() ? 0 : static_cast<uint8_t>(plain[0]);
    if (plain.size() < 2 || padlen < 4 || padlen >= plain.size() - 1) {
      Fail(&TransportStats::bad_packet_length, kProtocolError, "Packet corrupt");
      return;
    }
    std::string_view payload = std::string_view(plain).substr(1, plain.size() - 1 - padlen);
    std::string inflated;
    if (zlib_ && zlib_->rx) {
      if (!zlib_->Inflate(payload, kMaxInflated, &inflated)) {
        Fail(&TransportStats::inflate_limit, kProtocolError, "Packet corrupt");
        return;
      }
      payload = inflated;
    }
    if (payload.empty()) continue;
    Dispatch(static_cast<uint8_t>(payload[0]), payload);
  }
}

void Transport::Dispatch(uint8_t type, std::string_view payload) {
  // Strict KEX: during the first exchange nothing but the exchange itself is allowed, so an
  // injected IGNORE cannot shift the sequence numbers (Terrapin).
  const bool strict_initial = strict_ && !first_kex_done_;
  if (type == kDisconnect) {
    closed_ = true;
    conn_.Close();
    return;
  }
  if (type == kKexInit) return OnKexInit(payload);
  if (IsKexMessage(type)) return OnKexMessage(type, payload);
  if (type == kNewKeys) return OnNewKeys();
  if (strict_initial) {
    Fail(&TransportStats::protocol_errors, kProtocolError, "strict KEX violation");
    return;
  }
  if (type == kIgnore || type == kDebug || type == kUnimplemented) return;
  if (!first_kex_done_) {
    Fail(&TransportStats::protocol_errors, kProtocolError, "protocol error");
    return;
  }
  upper_.OnMessage(type, payload);
}

bool Transport::Choose(std::string_view payload) {
  KexInit k;
  if (!ParseKexInit(payload, &k)) return false;
  if (!first_kex_done_) {
    hassh_algorithms_ = std::string(k.kex) + ";" + std::string(k.enc_c2s) + ";" +
                        std::string(k.mac_c2s) + ";" + std::string(k.comp_c2s);
    hassh_ = Md5Hex(hassh_algorithms_);
    client_ext_info_ = HasName(k.kex, "ext-info-c");
    strict_ = HasName(profile_.kex, "kex-strict-s-v00@openssh.com") &&
              HasName(k.kex, "kex-strict-c-v00@openssh.com");
  }
  neg_.strict = strict_;
  neg_.kex = NegotiateReal(k.kex, profile_.kex);
  neg_.host_key = NegotiateReal(k.host_key, profile_.host_keys);
  neg_.cipher_c2s = Negotiate(k.enc_c2s, profile_.ciphers);
  neg_.cipher_s2c = Negotiate(k.enc_s2c, profile_.ciphers);
  neg_.mac_c2s = CipherSpecOf(neg_.cipher_c2s).aead ? "" : Negotiate(k.mac_c2s, profile_.macs);
  neg_.mac_s2c = CipherSpecOf(neg_.cipher_s2c).aead ? "" : Negotiate(k.mac_s2c, profile_.macs);
  neg_.comp_c2s = Negotiate(k.comp_c2s, profile_.compression);
  neg_.comp_s2c = Negotiate(k.comp_s2c, profile_.compression);
  // A wrong guess: the client's guessed first exchange packet is discarded (RFC 4253 §7).
  const std::vector<std::string_view> ck = SplitNames(k.kex), ch = SplitNames(k.host_key);
  skip_guess_ =
      k.first_follows && (ck.empty() || ck[0] != neg_.kex || ch.empty() || ch[0] != neg_.host_key);
  return true;
}

void Transport::OnKexInit(std::string_view payload) {
  if (got_kexinit_) {
    Fail(&TransportStats::protocol_errors, kProtocolError, "kex already in progress");
    return;
  }
  if (++kex_count_ > kMaxKex) {
    Fail(&TransportStats::kex_limit, kProtocolError, "too many key exchanges");
    return;
  }
  if (!Choose(payload)) {
    Fail(&TransportStats::protocol_errors, kProtocolError, "bad KEXINIT");
    return;
  }
  // Strict KEX also requires KEXINIT to be the client's very first packet.
  if (strict_ && !first_kex_done_ && seq_in_ != 1) {
    Fail(&TransportStats::protocol_errors, kProtocolError, "strict KEX violation");
    return;
  }
  got_kexinit_ = true;
  ctx_.i_c = std::string(payload);
  if (!sent_kexinit_) SendKexInit();
  const auto comp_known = [](const std::string& c) {
    return c == "none" || c == "zlib@openssh.com";
  };
  const bool comp_ok = comp_known(neg_.comp_c2s) && comp_known(neg_.comp_s2c);
  method_ = NewKexMethod(neg_.kex);
  ctx_.host_key = keys_.For(neg_.host_key);
  ctx_.host_key_alg = neg_.host_key;
  const bool macs_ok = (CipherSpecOf(neg_.cipher_c2s).aead || MacImplemented(neg_.mac_c2s)) &&
                       (CipherSpecOf(neg_.cipher_s2c).aead || MacImplemented(neg_.mac_s2c));
  if (neg_.kex.empty() || neg_.host_key.empty() || neg_.cipher_c2s.empty() ||
      neg_.cipher_s2c.empty() || neg_.comp_c2s.empty()) {
    Fail(&TransportStats::protocol_errors, kKeyExchangeFailed, "no matching algorithm");
    return;
  }
  if (!method_ || !ctx_.host_key || !CipherImplemented(neg_.cipher_c2s) ||
      !CipherImplemented(neg_.cipher_s2c) || !macs_ok || !comp_ok) {
    // Advertised as the real sshd does, but not (yet) implemented here: fail like a broken
    // exchange.
    Fail(&TransportStats::unimplemented_algorithms, kKeyExchangeFailed, "kex failed");
    return;
  }
}

void Transport::OnKexMessage(uint8_t type, std::string_view payload) {
  if (!got_kexinit_ || !method_ || method_->done()) {
    Fail(&TransportStats::protocol_errors, kProtocolError, "unexpected kex message");
    return;
  }
  if (skip_guess_) {
    skip_guess_ = false;
    return;
  }
  std::vector<std::string> replies;
  if (!method_->OnMessage(type, payload.substr(1), ctx_, &replies)) {
    Fail(&TransportStats::protocol_errors, kKeyExchangeFailed, "bad key exchange message");
    return;
  }
  for (const std::string& r : replies) SendPacket(r);
  if (!method_->done()) return;
  if (session_id_.empty()) session_id_ = method_->h();
  const HashAlg alg = method_->hash();
  const auto key = [&](char letter, size_t len) {
    return DeriveKey(alg, method_->k(), method_->h(), letter, session_id_, len);
  };
  const CipherSpec c2s = CipherSpecOf(neg_.cipher_c2s), s2c = CipherSpecOf(neg_.cipher_s2c);
  next_rx_ = NewPacketCipher(neg_.cipher_c2s, neg_.mac_c2s, key('C', c2s.key_len),
                             key('A', c2s.iv_len), key('E', MacKeyLen(neg_.mac_c2s)));
  std::unique_ptr<PacketCipher> next_tx =
      NewPacketCipher(neg_.cipher_s2c, neg_.mac_s2c, key('D', s2c.key_len), key('B', s2c.iv_len),
                      key('F', MacKeyLen(neg_.mac_s2c)));
  SendPacket(Writer().U8(kNewKeys).Take());
  tx_ = std::move(next_tx);
  if (strict_) seq_out_ = 0;
  sent_newkeys_ = true;
  if (!first_kex_done_ && client_ext_info_ && profile_.ext_info) {
    SendPacket(
        Writer().U8(kExtInfo).U32(1).Str("server-sig-algs").Str(profile_.server_sig_algs).Take());
  }
  for (const std::string& d : deferred_) SendPacket(d);
  deferred_.clear();
  deferred_bytes_ = 0;
}

void Transport::OnNewKeys() {
  if (!method_ || !method_->done() || !next_rx_) {
    Fail(&TransportStats::protocol_errors, kProtocolError, "unexpected NEWKEYS");
    return;
  }
  rx_ = std::move(next_rx_);
  if (strict_) seq_in_ = 0;
  ++stats_.kex_completed;
  in_kex_ = got_kexinit_ = sent_kexinit_ = sent_newkeys_ = false;
  method_.reset();
  if (!first_kex_done_) {
    first_kex_done_ = true;
    upper_.OnKexDone();
  }
}

}  // namespace decnet::services::ssh
