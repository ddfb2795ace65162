#include "decnet/services/udp/tftp.h"
#include "decnet/core/text.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <vector>

#include "decnet/core/loop.h"
#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/persona.h"

namespace decnet::services::udp {
namespace {

using decoy::Datagrams;
using decoy::Endpoint;

enum : uint16_t { kRrq = 1, kWrq = 2, kData = 3, kAck = 4, kError = 5, kOack = 6 };
constexpr size_t kDefaultBlock = 512;
constexpr int kMaxRetries = 5;
constexpr size_t kMaxTransfersPerIp = 8;
constexpr std::string_view kService = "tftp";

uint16_t Be16(std::string_view p, size_t at) {
  return static_cast<uint16_t>((static_cast<unsigned char>(p[at]) << 8) | static_cast<unsigned char>(p[at + 1]));
}
void PutBe16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}
std::string ErrorPacket(uint16_t code, std::string_view msg) {
  std::string p;
  PutBe16(&p, kError);
  PutBe16(&p, code);
  p.append(msg);
  p.push_back('\0');
  return p;
}
bool ParseNumber(std::string_view s, uint64_t* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// Files a TFTP server on a LAN plausibly holds: PXE boot config and a switch config backup.
std::string FakeFile(const decoy::Persona& p, std::string_view name) {
  std::string n = AsciiLower(name);
  while (!n.empty() && n.front() == '/') n.erase(0, 1);
  if (n == "pxelinux.cfg/default") {
    return "DEFAULT install\nPROMPT 0\nTIMEOUT 50\nLABEL install\n  KERNEL debian-installer/amd64/linux\n"
           "  APPEND vga=788 initrd=debian-installer/amd64/initrd.gz auto=true priority=critical "
           "url=http://" + p.hostname() + "/preseed.cfg --- quiet\n";
  }
  if (n == "startup-config" || n == "running-config") {
    return "!\nversion 15.2\nservice timestamps debug datetime msec\nhostname " + p.hostname() +
           "\n!\nenable secret 5 $1$" + std::to_string(p.Hash("tftp", "enable") % 100000) +
           "$mERr9nGHr8QgDzDc9s1pA/\n!\ninterface Vlan1\n ip address dhcp\n!\nline vty 0 4\n login\n!\nend\n";
  }
  return {};
}

class Tftp;

// One transfer on its own port. Owned by Tftp; reaped (destroyed) outside its own callbacks.
struct Transfer {
  Tftp* svc = nullptr;
  Endpoint peer;
  uint16_t dst_port = 0;
  bool write = false;
  std::string filename, mode;
  size_t block_size = kDefaultBlock;
  std::unique_ptr<decoy::ExtraSocket> sock;
  std::unique_ptr<Timer> timer;
  // RRQ
  std::string content;
  uint16_t block = 0;       // last block sent (RRQ) or acknowledged (WRQ)
  std::string last_packet;  // for retransmits
  int retries = 0;
  bool oack_pending = false;
  // WRQ
  std::unique_ptr<decoy::ArtifactStore::Upload> upload;
  uint64_t received = 0;
  bool done = false;
};

class Tftp final : public decoy::Service {
 public:
  explicit Tftp(decoy::Host& host) : host_(host), reaper_(host.loop()) {}
  std::string_view name() const override { return kService; }

  void OnDatagram(Datagrams& sock, const Endpoint& from, std::string_view bytes) override {
    TftpRequest req;
    if (!ParseTftpRequest(bytes, &req)) {
      ++host_.counters().malformed;
      host_.log().New(kService, "malformed").From(from, sock.local().port)
          .Add("bytes", static_cast<int64_t>(bytes.size())).Emit();
      // tftp-hpa answers an unknown opcode on the server port with error 4.
      if (bytes.size() >= 2) sock.SendTo(from, ErrorPacket(4, "Illegal TFTP operation"));
      return;
    }
    auto ev = host_.log().New(kService, req.opcode == kRrq ? "read_request" : "write_request");
    ev.From(from, sock.local().port).Add("filename", req.filename).Add("mode", req.mode);
    std::string opts;
    for (const auto& [k, v] : req.options) opts += (opts.empty() ? "" : ",") + k + "=" + v;
    if (!opts.empty()) ev.Add("options", opts);
    ev.Emit();
    if (per_ip_[from.ip] >= kMaxTransfersPerIp) {
      ++host_.counters().datagrams_refused;
      return;
    }
    Begin(sock, from, req);
  }

  void AddHealth(std::string* j) const override {
    *j += ",\"tftp_transfers\":" + std::to_string(transfers_.size()) +
          ",\"tftp_uploads\":" + std::to_string(uploads_);
  }

  void Finish(Transfer* t) {
    if (t->done) return;
    t->done = true;
    if (t->upload) {
      auto d = t->upload->Finish();
      if (d) {
        ++uploads_;
        host_.log().New(kService, "upload").From(t->peer, t->dst_port)
            .Add("filename", t->filename).Add("sha256", d->sha256)
            .Add("size", static_cast<int64_t>(d->size)).Add("stored", static_cast<int64_t>(d->stored))
            .Emit();
      }
      t->upload.reset();
    }
    reaper_.Start(0, 0, [this] { Reap(); });
  }

  decoy::Host& host() { return host_; }

 private:
  void Begin(Datagrams& server, const Endpoint& from, const TftpRequest& req) {
    auto t = std::make_unique<Transfer>();
    t->svc = this;
    t->peer = from;
    t->dst_port = server.local().port;
    t->write = req.opcode == kWrq;
    t->filename = req.filename;
    t->mode = AsciiLower(req.mode);
    if (t->mode != "octet" && t->mode != "netascii") {
      server.SendTo(from, ErrorPacket(0, "Unknown mode"));
      return;
    }
    if (!t->write) {
      t->content = FakeFile(host_.persona(), req.filename);
      if (t->content.empty()) {
        server.SendTo(from, ErrorPacket(1, "File not found"));
        return;
      }
    }
    std::string oack;
    for (const auto& [k, v] : req.options) {
      uint64_t n = 0;
      if (k == "blksize" && ParseNumber(v, &n) && n >= 8) {
        t->block_size = std::min<uint64_t>(n, 1468);  // what fits an Ethernet frame, as tftp-hpa caps
        oack += k + '\0' + std::to_string(t->block_size) + '\0';
      } else if (k == "tsize" && ParseNumber(v, &n)) {
        oack += k + '\0' + std::to_string(t->write ? n : t->content.size()) + '\0';
      } else if (k == "timeout" && ParseNumber(v, &n) && n >= 1 && n <= 255) {
        oack += k + '\0' + v + '\0';
      }
    }
    Transfer* raw = t.get();
    auto sock = host_.OpenUdp(server.local().ip, 0, [raw](Datagrams& s, const Endpoint& f, std::string_view b) {
      raw->svc->OnTransferPacket(*raw, s, f, b);
    });
    if (!sock) return;  // max_udp_peers: counted by the host
    t->sock = std::move(*sock);
    t->timer = std::make_unique<Timer>(host_.loop());
    if (t->write) t->upload = host_.artifacts().Begin();
    ++per_ip_[from.ip];
    transfers_.push_back(std::move(t));
    if (!oack.empty()) {
      std::string p;
      PutBe16(&p, kOack);
      p += oack;
      raw->oack_pending = !raw->write;  // an RRQ waits for ACK 0 before block 1
      Send(*raw, std::move(p));
    } else if (raw->write) {
      std::string p;
      PutBe16(&p, kAck);
      PutBe16(&p, 0);
      Send(*raw, std::move(p));
    } else {
      SendBlock(*raw, 1);
    }
  }

  void OnTransferPacket(Transfer& t, Datagrams&, const Endpoint& from, std::string_view b) {
    if (t.done) return;
    if (from.ip != t.peer.ip || from.port != t.peer.port) {
      // RFC 1350: a packet from another TID gets error 5 and does not disturb the transfer.
      if (Datagrams* d = t.sock->datagrams()) d->SendTo(from, ErrorPacket(5, "Unknown transfer ID"));
      return;
    }
    if (b.size() < 4) return Abort(t, 4, "Illegal TFTP operation");
    const uint16_t op = Be16(b, 0), num = Be16(b, 2);
    if (op == kError) return Finish(&t);
    if (!t.write && op == kAck) {
      if (t.oack_pending && num == 0) {
        t.oack_pending = false;
        return SendBlock(t, 1);
      }
      if (num != t.block) return;  // a duplicate ACK: ignore (Sorcerer's Apprentice)
      // The last block is the first one shorter than block_size (empty when the size divides).
      if (t.block == t.content.size() / t.block_size + 1) return Finish(&t);
      return SendBlock(t, static_cast<uint16_t>(t.block + 1));
    }
    if (t.write && op == kData) {
      const std::string_view data = b.substr(4);
      if (data.size() > t.block_size) return Abort(t, 4, "Illegal TFTP operation");
      if (num == static_cast<uint16_t>(t.block + 1)) {
        t.upload->Append(data);
        t.received += data.size();
        t.block = num;
      }
      std::string ack;
      PutBe16(&ack, kAck);
      PutBe16(&ack, num);
      Send(t, std::move(ack));
      if (num == t.block && data.size() < t.block_size) Finish(&t);
      return;
    }
    Abort(t, 4, "Illegal TFTP operation");
  }

  void SendBlock(Transfer& t, uint16_t n) {
    t.block = n;
    const size_t off = static_cast<size_t>(n - 1) * t.block_size;
    std::string p;
    PutBe16(&p, kData);
    PutBe16(&p, n);
    if (off < t.content.size()) p.append(t.content, off, t.block_size);
    Send(t, std::move(p));
  }

  void Send(Transfer& t, std::string packet) {
    t.last_packet = std::move(packet);
    t.retries = 0;
    if (Datagrams* d = t.sock->datagrams()) d->SendTo(t.peer, t.last_packet);
    Arm(t);
  }

  void Arm(Transfer& t) {
    Transfer* raw = &t;
    t.timer->Start(1000, 0, [this, raw] {
      if (raw->done) return;
      if (++raw->retries > kMaxRetries) return Finish(raw);  // the peer went away
      Datagrams* d = raw->sock->datagrams();
      if (d == nullptr) return Finish(raw);  // the decky is stopping
      d->SendTo(raw->peer, raw->last_packet);
      Arm(*raw);
    });
  }

  void Abort(Transfer& t, uint16_t code, std::string_view msg) {
    ++host_.counters().malformed;
    if (Datagrams* d = t.sock->datagrams()) d->SendTo(t.peer, ErrorPacket(code, msg));
    Finish(&t);
  }

  void Reap() {
    auto it = std::remove_if(transfers_.begin(), transfers_.end(), [this](const auto& t) {
      if (!t->done) return false;
      auto p = per_ip_.find(t->peer.ip);
      if (p != per_ip_.end() && --p->second == 0) per_ip_.erase(p);
      return true;
    });
    transfers_.erase(it, transfers_.end());
  }

  decoy::Host& host_;
  Timer reaper_;
  std::vector<std::unique_ptr<Transfer>> transfers_;
  std::map<std::string, size_t, std::less<>> per_ip_;
  uint64_t uploads_ = 0;
};

}  // namespace

bool ParseTftpRequest(std::string_view p, TftpRequest* out) {
  if (p.size() < 4 || p.size() > 1024) return false;
  out->opcode = Be16(p, 0);
  if (out->opcode != kRrq && out->opcode != kWrq) return false;
  std::vector<std::string_view> strings;
  size_t at = 2;
  while (at < p.size()) {
    const size_t nul = p.find('\0', at);
    if (nul == std::string_view::npos) return false;  // every string is NUL-terminated
    strings.push_back(p.substr(at, nul - at));
    at = nul + 1;
  }
  if (strings.size() < 2 || strings[0].empty() || strings[1].empty() || strings.size() % 2 != 0)
    return false;
  out->filename = std::string(strings[0]);
  out->mode = std::string(strings[1]);
  out->options.clear();
  for (size_t i = 2; i + 1 < strings.size() && out->options.size() < 16; i += 2)
    out->options.emplace_back(AsciiLower(strings[i]), std::string(strings[i + 1]));
  return true;
}

std::unique_ptr<decoy::Service> MakeTftp(decoy::Host& host) { return std::make_unique<Tftp>(host); }

}  // namespace decnet::services::udp
