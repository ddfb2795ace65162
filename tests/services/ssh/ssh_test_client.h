// A minimal SSH client for the unit and fuzz tests: it drives an SshSession through FakeConnection
// (curve25519-sha256, an ed25519 host key whose signature it verifies with libsodium, any cipher
// and MAC the packet layer implements), so the transport and the layers above are tested byte for
// byte without sockets. The real-client tests (ssh_clients.sh) check interoperability
// independently.
#pragma once

#include <sodium.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "decnet/decoy/service.h"
#include "decnet/decoy/testing.h"
#include "decnet/services/ssh/crypto.h"
#include "decnet/services/ssh/kex.h"
#include "decnet/services/ssh/wire.h"

namespace decnet::services::ssh::testing {

struct TestClient {
  TestClient(decoy::testing::FakeConnection& c, decoy::Session& s) : conn(c), session(s) {
    rx = NewPlainCipher();
    tx = NewPlainCipher();
  }

  void Pump() { in += conn.Take(); }

  // The server's identification line, without CRLF ("" until complete).
  std::string ReadIdent() {
    Pump();
    const size_t nl = in.find("\r\n");
    if (nl == std::string::npos) return {};
    std::string line = in.substr(0, nl);
    in.erase(0, nl + 2);
    return line;
  }

  // The next whole packet's payload from the server, decrypted.
  std::optional<std::string> Next() {
    Pump();
    if (in.size() < rx->first_len()) return std::nullopt;
    if (pending == 0) pending = rx->PeekLength(seq_in, reinterpret_cast<const uint8_t*>(in.data()));
    const size_t total = 4 + size_t{pending} + rx->tag_len();
    if (in.size() < total) return std::nullopt;
    std::string plain;
    if (!rx->Open(seq_in, std::string_view(in).substr(0, total), &plain)) return std::nullopt;
    in.erase(0, total);
    pending = 0;
    ++seq_in;
    const size_t pad = static_cast<uint8_t>(plain[0]);
    return plain.substr(1, plain.size() - 1 - pad);
  }

  // The next packet that is not IGNORE/EXT_INFO/DEBUG.
  std::optional<std::string> NextReal() {
    for (;;) {
      auto p = Next();
      if (!p || p->empty()) return p;
      const uint8_t t = static_cast<uint8_t>((*p)[0]);
      if (t != 2 && t != 4 && t != 7) return p;
    }
  }

  std::string Frame(std::string_view payload) {
    const size_t block = tx->block();
    const size_t counted = (tx->LengthInAad() ? 0 : 4) + 1 + payload.size();
    size_t pad = block - counted % block;
    if (pad < 4) pad += block;
    std::string pkt = Writer().U32(static_cast<uint32_t>(1 + payload.size() + pad)).U8(pad).Take();
    pkt.append(payload);
    pkt.append(pad, '\0');
    return tx->Seal(seq_out++, pkt);
  }
  void Send(std::string_view payload) { session.OnData(Frame(payload)); }

  static std::string KexInit(std::string_view kex, std::string_view cipher, std::string_view mac,
                             std::string_view host_key = "ssh-ed25519",
                             std::string_view comp = "none") {
    return Writer()
        .U8(20)
        .Raw(std::string(16, 'c'))
        .Str(kex)
        .Str(host_key)
        .Str(cipher)
        .Str(cipher)
        .Str(mac)
        .Str(mac)
        .Str(comp)
        .Str(comp)
        .Str("")
        .Str("")
        .Bool(false)
        .U32(0)
        .Take();
  }

  // Identification, KEXINIT, curve25519, NEWKEYS; true when keys are in use both ways and the
  // server's signature over H verified.
  bool Handshake(std::string cipher = "chacha20-poly1305@openssh.com",
                 std::string mac = "hmac-sha2-256", bool strict = true,
                 std::string kex = "curve25519-sha256") {
    session.OnData(v_c + "\r\n");
    v_s = ReadIdent();
    auto s_kexinit = Next();
    if (v_s.empty() || !s_kexinit) return false;
    i_s = *s_kexinit;
    i_c = KexInit(kex + ",ext-info-c" + (strict ? ",kex-strict-c-v00@openssh.com" : ""), cipher,
                  mac, "ssh-ed25519", compression);
    Send(i_c);
    return Exchange(cipher, mac, strict);
  }

  // The ECDH half of an exchange (also a re-exchange after a new KEXINIT pair).
  bool Exchange(const std::string& cipher, const std::string& mac, bool strict) {
    uint8_t sk[32], pk[32];
    randombytes_buf(sk, 32);
    crypto_scalarmult_base(pk, sk);
    const std::string q_c(reinterpret_cast<char*>(pk), 32);
    Send(Writer().U8(30).Str(q_c).Take());
    auto reply = Next();
    if (!reply || (*reply)[0] != 31) return false;
    Reader r(std::string_view(*reply).substr(1));
    std::string_view k_s, q_s, sig;
    r.Str(&k_s);
    r.Str(&q_s);
    r.Str(&sig);
    if (!r.ok() || q_s.size() != 32) return false;
    uint8_t shared[32];
    if (crypto_scalarmult(shared, sk, reinterpret_cast<const uint8_t*>(q_s.data())) != 0)
      return false;
    const std::string k = Writer().Mpint({reinterpret_cast<char*>(shared), 32}).Take();
    Writer hin;
    hin.Str(v_c).Str(v_s).Str(i_c).Str(i_s).Str(k_s).Str(q_c).Str(q_s).Raw(k);
    const std::string h = Hash(HashAlg::kSha256, hin.data());
    if (session_id.empty()) session_id = h;
    // K_S = string "ssh-ed25519" || string pk; sig = string "ssh-ed25519" || string sig64.
    Reader kr(k_s), sr(sig);
    std::string_view kt, kpk, st, sbytes;
    kr.Str(&kt);
    kr.Str(&kpk);
    sr.Str(&st);
    sr.Str(&sbytes);
    if (kt != "ssh-ed25519" || kpk.size() != 32 || sbytes.size() != 64) return false;
    host_key_blob = std::string(k_s);
    signature_ok = crypto_sign_verify_detached(reinterpret_cast<const uint8_t*>(sbytes.data()),
                                               reinterpret_cast<const uint8_t*>(h.data()), h.size(),
                                               reinterpret_cast<const uint8_t*>(kpk.data())) == 0;
    auto nk = Next();
    if (!nk || *nk != std::string(1, '\x15')) return false;
    Send(std::string(1, '\x15'));
    const CipherSpec spec = CipherSpecOf(cipher);
    const size_t mk = spec.aead ? 0 : MacKeyLen(mac);
    const auto key = [&](char letter, size_t len) {
      return DeriveKey(HashAlg::kSha256, k, h, letter, session_id, len);
    };
    tx = NewPacketCipher(cipher, mac, key('C', spec.key_len), key('A', spec.iv_len), key('E', mk));
    rx = NewPacketCipher(cipher, mac, key('D', spec.key_len), key('B', spec.iv_len), key('F', mk));
    if (strict) seq_in = seq_out = 0;
    return tx && rx && signature_ok;
  }

  // ssh-userauth, then one password attempt; returns the server's answer (type byte first).
  std::optional<std::string> Password(std::string_view user, std::string_view password) {
    if (!service_ok) {
      Send(Writer().U8(5).Str("ssh-userauth").Take());
      auto a = NextReal();
      if (!a || (*a)[0] != 6) return a;
      service_ok = true;
    }
    Send(Writer()
             .U8(50)
             .Str(user)
             .Str("ssh-connection")
             .Str("password")
             .Bool(false)
             .Str(password)
             .Take());
    return NextReal();
  }

  decoy::testing::FakeConnection& conn;
  decoy::Session& session;
  std::string compression = "none";  // what the client offers (zlib@openssh.com: after login)
  std::string in, v_c = "SSH-2.0-DecnetTest_1.0", v_s, i_c, i_s, session_id, host_key_blob;
  std::unique_ptr<PacketCipher> rx, tx;
  uint32_t seq_in = 0, seq_out = 0, pending = 0;
  bool signature_ok = false, service_ok = false;
};

}  // namespace decnet::services::ssh::testing
