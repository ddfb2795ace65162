#include "decnet/capture/ssh.h"

#include <cstdint>
#include <cstring>

#include "decnet/capture/hash.h"

namespace decnet::capture {
namespace {
constexpr size_t kMaxBannerLine = 255;
constexpr uint32_t kMaxKexPacket = 64 * 1024;
}  // namespace

size_t ParseSshBanner(Bytes stream, std::string* banner) {
  if (stream.empty()) return 0;  // memcmp/memchr must not see a null pointer, even for 0 bytes
  size_t have = std::min<size_t>(stream.size(), 4);
  if (std::memcmp(stream.data(), "SSH-", have) != 0) return SIZE_MAX;
  size_t n = std::min(stream.size(), kMaxBannerLine);
  const void* nl = std::memchr(stream.data(), '\n', n);
  if (!nl) return stream.size() >= kMaxBannerLine ? SIZE_MAX : 0;
  size_t len = static_cast<const uint8_t*>(nl) - stream.data();
  size_t end = len;
  if (end > 0 && stream[end - 1] == '\r') --end;
  if (end < 5) return SIZE_MAX;
  banner->assign(AsChars(stream.first(end)));
  return len + 1;
}

bool ParseSshKexInit(Bytes stream, SshKexInit& out, bool* incomplete) {
  *incomplete = false;
  ByteReader r(stream);
  uint32_t packet_len = r.U32();
  if (!r.ok()) return *incomplete = true, false;
  if (packet_len < 2 || packet_len > kMaxKexPacket) return false;
  Bytes packet = r.Take(packet_len);
  if (!r.ok()) return *incomplete = true, false;
  ByteReader p(packet);
  uint8_t padding = p.U8();
  if (padding >= packet_len) return false;
  ByteReader payload(p.Take(packet_len - 1 - padding));
  if (!p.ok() || payload.U8() != 20) return false;
  payload.Skip(16);  // cookie
  std::string* lists[] = {&out.kex,     &out.host_key, &out.enc_c2s,  &out.enc_s2c,
                          &out.mac_c2s, &out.mac_s2c,  &out.comp_c2s, &out.comp_s2c};
  for (std::string* l : lists) {
    Bytes s = payload.Take(payload.U32());
    if (!payload.ok()) return false;
    l->assign(AsChars(s));
  }
  return true;
}

std::string HasshAlgorithms(const SshKexInit& k, bool server) {
  return server ? k.kex + ';' + k.enc_s2c + ';' + k.mac_s2c + ';' + k.comp_s2c
                : k.kex + ';' + k.enc_c2s + ';' + k.mac_c2s + ';' + k.comp_c2s;
}

std::string Hassh(const SshKexInit& k, bool server) { return Md5Hex(HasshAlgorithms(k, server)); }

}  // namespace decnet::capture
