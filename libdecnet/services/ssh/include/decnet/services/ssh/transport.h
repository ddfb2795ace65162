// The SSH transport layer of the server (RFC 4253): identification exchange, binary packets,
// KEXINIT negotiation, key exchange and re-exchange, strict KEX (kex-strict-s-v00@openssh.com, the
// Terrapin countermeasure) and the transport's bounds. Messages of the layers above (service
// request, userauth, connection) go up through Upper::OnMessage; the transport never blocks and
// never trusts a length.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/decoy/service.h"
#include "decnet/services/ssh/crypto.h"
#include "decnet/services/ssh/kex.h"

namespace decnet::services::ssh {

// What one persona's sshd shows: its identification and KEXINIT name-lists, in order.
struct Profile {
  std::string version;  // "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10"
  std::string kex, host_keys, ciphers, macs, compression;
  std::string auth_methods;  // sent in USERAUTH_FAILURE: "publickey,password"
  bool keyboard_interactive = false;
  bool ext_info = true;  // answers a client's ext-info-c with EXT_INFO (server-sig-algs)
  std::string server_sig_algs;
};

// The sshd a persona's distro runs. Setting `version` (ssh) replaces the identification.
Profile ProfileFor(const decoy::Persona& persona);

// Counters of the transport, kept per service and reported in health.
struct TransportStats {
  uint64_t bad_identification = 0, bad_packet_length = 0, bad_mac = 0, kex_completed = 0,
           kex_limit = 0, protocol_errors = 0, unimplemented_algorithms = 0,
           compressed_sessions = 0, inflate_limit = 0;
};

struct Negotiated {
  std::string kex, host_key, cipher_c2s, cipher_s2c, mac_c2s, mac_s2c, comp_c2s, comp_s2c;
  bool strict = false;
};

class Transport {
 public:
  class Upper {
   public:
    virtual ~Upper() = default;
    // The first key exchange finished (the session logs ssh_kex).
    virtual void OnKexDone() = 0;
    // A message of the layers above, after the first key exchange.
    virtual void OnMessage(uint8_t type, std::string_view payload) = 0;
  };

  static constexpr size_t kMaxIdentification = 8192;  // OpenSSH's line bound
  static constexpr uint32_t kMaxPacket = 256 * 1024;  // OpenSSH's PACKET_MAX_SIZE
  static constexpr uint32_t kMaxKex = 16;             // key exchanges per connection
  static constexpr size_t kMaxDeferred = 1 << 20;     // output held during a re-exchange

  Transport(decoy::Connection& conn, const Profile& profile, const HostKeys& keys,
            TransportStats& stats, Upper& upper);
  ~Transport();
  void Start();  // sends the identification
  void OnData(std::string_view bytes);
  // Sends a message of the layers above (held while a re-exchange is in progress).
  void Send(std::string_view payload);
  // DISCONNECT(reason, text), then close. Nothing is read or sent after it.
  void Disconnect(uint32_t reason, std::string_view text);
  bool closed() const { return closed_; }
  // zlib@openssh.com: compression starts once the login succeeded (the server calls this right
  // after sending USERAUTH_SUCCESS), so nothing an unauthenticated client sends is inflated.
  void StartDelayedCompression();
  static constexpr size_t kMaxInflated = kMaxPacket;  // one decompressed payload (zlib bombs)

  const std::string& client_version() const { return ctx_.v_c; }
  const std::string& client_kexinit() const { return ctx_.i_c; }
  // hassh and its input string (kex;enc;mac;cmp of the client's KEXINIT), empty before it.
  const std::string& hassh() const { return hassh_; }
  const std::string& hassh_algorithms() const { return hassh_algorithms_; }
  const Negotiated& negotiated() const { return neg_; }
  const std::string& session_id() const { return session_id_; }
  bool client_ext_info() const { return client_ext_info_; }

 private:
  void OnIdentification();
  void ReadPackets();
  void Dispatch(uint8_t type, std::string_view payload);
  void OnKexInit(std::string_view payload);
  bool Choose(std::string_view payload);
  void OnKexMessage(uint8_t type, std::string_view payload);
  void OnNewKeys();
  void SendKexInit();
  void SendPacket(std::string_view payload);
  void Fail(uint64_t TransportStats::*counter, uint32_t reason, std::string_view text);

  decoy::Connection& conn_;
  const Profile& profile_;
  const HostKeys& keys_;
  TransportStats& stats_;
  Upper& upper_;
  std::string in_;
  bool have_version_ = false, closed_ = false;
  std::unique_ptr<PacketCipher> rx_, tx_, next_rx_;
  uint32_t seq_in_ = 0, seq_out_ = 0;
  uint32_t pending_len_ = 0;  // packet_length of the packet being read (0: none yet)
  KexContext ctx_;
  Negotiated neg_;
  std::unique_ptr<KexMethod> method_;
  bool in_kex_ = false, sent_kexinit_ = false, got_kexinit_ = false, sent_newkeys_ = false;
  bool skip_guess_ = false, first_kex_done_ = false, client_ext_info_ = false, strict_ = false;
  uint32_t kex_count_ = 0;
  struct Zlib;
  std::unique_ptr<Zlib> zlib_;
  std::vector<std::string> deferred_;
  size_t deferred_bytes_ = 0;
  std::string session_id_, hassh_, hassh_algorithms_;
};

// The parts of a KEXINIT payload (RFC 4253 §7.1); false when malformed.
struct KexInit {
  std::string_view kex, host_key, enc_c2s, enc_s2c, mac_c2s, mac_s2c, comp_c2s, comp_s2c;
  bool first_follows = false;
};
bool ParseKexInit(std::string_view payload, KexInit* out);

// md5 hex of `s` (the hassh spec's digest).
std::string Md5Hex(std::string_view s);

}  // namespace decnet::services::ssh
