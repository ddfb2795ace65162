// UMAC: the RFC 4418 appendix vectors (key "abcdefghijklmnop", nonce "bcdefghi") for all four tag
// sizes, with erratum 3507's corrected 2^25 row; the 128-bit column (the RFC prints 96 bits) and
// the odd-length 16 MiB row are the values Nettle's test suite publishes. Lengths cover an empty
// message, one partial chunk, exactly one chunk (no L2), many chunks (POLY64) and both endings of
// the POLY128 phase (an even and an odd number of words past 2^17 bytes).
#include "decnet/services/ssh_crypto/umac.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace decnet::services::ssh_crypto {
namespace {

const uint8_t kKey[16] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
                          'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p'};
const uint8_t kNonce[8] = {'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'};

std::string Hex(const uint8_t* b, size_t n) {
  std::string s;
  char buf[3];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", b[i]);
    s += buf;
  }
  return s;
}

std::string TagHex(size_t tag_bytes, const std::vector<uint8_t>& msg,
                   const uint8_t* nonce = kNonce) {
  Umac mac(kKey, tag_bytes);
  EXPECT_TRUE(mac.ok());
  uint8_t out[16];
  mac.Tag(nonce, msg.data(), msg.size(), out);
  return Hex(out, tag_bytes);
}

std::vector<uint8_t> Repeat(const std::string& unit, size_t total_bytes) {
  std::vector<uint8_t> v(total_bytes);
  for (size_t i = 0; i < total_bytes; ++i) v[i] = static_cast<uint8_t>(unit[i % unit.size()]);
  return v;
}

struct Vector {
  const char* name;
  std::vector<uint8_t> msg;
  const char* tag32;
  const char* tag64;
  const char* tag128;  // "" where no published value exists; the first 12 bytes are the 96-bit tag
  const char* tag96;
};

std::vector<Vector> Vectors() {
  return {
      {"empty",
       {},
       "113145fb",
       "6e155fad26900be1",
       "32fedb100c79ad58f07ff7643cc60465",
       "32fedb100c79ad58f07ff764"},
      {"a*3", Repeat("a", 3), "3b91d102", "44b5cb542f220104", "185e4fe905cba7bd85e4c2dc3d117d8d",
       "185e4fe905cba7bd85e4c2dc"},
      {"a*2^10", Repeat("a", 1 << 10), "599b350b", "26bf2f5d60118bd9",
       "7a54abe04af82d60fb298c3cbd195bcb", "7a54abe04af82d60fb298c3c"},
      {"a*2^15", Repeat("a", 1 << 15), "58dcf532", "27f8ef643b0d118d",
       "7b136bd911e4b734286ef2be501f2c3c", "7b136bd911e4b734286ef2be"},
      {"a*2^20", Repeat("a", 1 << 20), "db6364d1", "a4477e87e9f55853",
       "f8acfa3ac31cfeea047f7b115b03bef5", "f8acfa3ac31cfeea047f7b11"},
      {"a*2^25 (erratum 3507)", Repeat("a", 1 << 25), "85ee5cae", "faca46f856e9b45f",
       "a621c2457c0012e64f3fdae9e7e1870c", "a621c2457c0012e64f3fdae9"},
      {"abc*1", Repeat("abc", 3), "abf3a3a0", "d4d7b9f6bd4fbfcf", "", "883c3d4b97a61976ffcf2323"},
      {"abc*500", Repeat("abc", 1500), "abeb3c8b", "d4cf26ddefd5c01a",
       "8824a260c53c66a36c9260a62cb83aa1", "8824a260c53c66a36c9260a6"},
      {"def.. 1022 bytes", Repeat("def", 1022), "53ca8dd2", "2cee9784556387b3",
       "700513397f8a210a98938d3e7ac3bd88", "700513397f8a210a98938d3e"},
      {"def.. 2^24+1 bytes", Repeat("def", (1 << 24) + 1), "486b138d", "374f09dbb0b84b88",
       "6ba48d669a51ed3195ebc2aa562ee71b", "6ba48d669a51ed3195ebc2aa"},
  };
}

TEST(Umac, Rfc4418Vectors) {
  for (const auto& v : Vectors()) {
    EXPECT_EQ(v.tag32, TagHex(4, v.msg)) << v.name;
    EXPECT_EQ(v.tag64, TagHex(8, v.msg)) << v.name;
    EXPECT_EQ(v.tag96, TagHex(12, v.msg)) << v.name;
    if (*v.tag128) {
      EXPECT_EQ(v.tag128, TagHex(16, v.msg)) << v.name;
    }
  }
}

// OpenSSH's nonce: the sequence number, 8 bytes big-endian. UMAC-64 serves sequence numbers 2k and
// 2k+1 from one AES block; the cache must give the same tags as a fresh object, in any order.
TEST(Umac, SequenceNumberNoncesMatchFreshObjects) {
  std::vector<uint8_t> packet = Repeat("packet", 100);
  for (size_t tag_bytes : {size_t{8}, size_t{16}}) {
    Umac shared(kKey, tag_bytes);
    std::vector<std::string> tags;
    for (uint64_t seq : std::vector<uint64_t>{5, 4, 5, 6, 7, 0, 0xffffffff, 0x100000000}) {
      uint8_t nonce[8];
      for (int i = 0; i < 8; ++i) nonce[i] = static_cast<uint8_t>(seq >> (56 - 8 * i));
      uint8_t out[16];
      shared.Tag(nonce, packet.data(), packet.size(), out);
      EXPECT_EQ(TagHex(tag_bytes, packet, nonce), Hex(out, tag_bytes)) << "seq " << seq;
      tags.push_back(Hex(out, tag_bytes));
    }
    EXPECT_NE(tags[0], tags[1]);  // 5 and 4 share an AES block but not a pad slice
    EXPECT_EQ(tags[0], tags[2]);
  }
}

TEST(Umac, VerifyRejectsTamperedDataAndTag) {
  Umac mac(kKey, 8);
  std::vector<uint8_t> packet = Repeat("sshpacket", 2000);  // several chunks: L2 runs
  uint8_t tag[8];
  mac.Tag(kNonce, packet.data(), packet.size(), tag);
  EXPECT_TRUE(mac.Verify(kNonce, packet.data(), packet.size(), tag));
  packet[1500] ^= 0x80;
  EXPECT_FALSE(mac.Verify(kNonce, packet.data(), packet.size(), tag));
  packet[1500] ^= 0x80;
  tag[7] ^= 1;
  EXPECT_FALSE(mac.Verify(kNonce, packet.data(), packet.size(), tag));
  uint8_t other_nonce[8] = {0, 0, 0, 0, 0, 0, 0, 9};
  tag[7] ^= 1;
  EXPECT_FALSE(mac.Verify(other_nonce, packet.data(), packet.size(), tag));
}

// A rekey (SSH's NEWKEYS) assigns a new Umac over the old one: it must tag as the new key does.
TEST(Umac, MoveAssignmentTakesTheNewKey) {
  std::vector<uint8_t> packet = Repeat("rekey", 40);
  uint8_t other_key[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
  Umac mac(kKey, 8);
  uint8_t before[8], after[8], fresh[8];
  mac.Tag(kNonce, packet.data(), packet.size(), before);
  mac = Umac(other_key, 8);
  mac.Tag(kNonce, packet.data(), packet.size(), after);
  Umac(other_key, 8).Tag(kNonce, packet.data(), packet.size(), fresh);
  EXPECT_EQ(Hex(fresh, 8), Hex(after, 8));
  EXPECT_NE(Hex(before, 8), Hex(after, 8));
  Umac taken = std::move(mac);  // the moved-from object answers zeros and verifies nothing
  uint8_t zeros[8];
  mac.Tag(kNonce, packet.data(), packet.size(), zeros);
  EXPECT_EQ("0000000000000000", Hex(zeros, 8));
  EXPECT_FALSE(mac.Verify(kNonce, packet.data(), packet.size(), after));
  EXPECT_TRUE(taken.Verify(kNonce, packet.data(), packet.size(), after));
}

TEST(Umac, BadTagSizeIsNotOk) {
  for (size_t n : {size_t{0}, size_t{7}, size_t{20}}) {
    Umac mac(kKey, n);
    EXPECT_FALSE(mac.ok()) << n;
    EXPECT_FALSE(mac.Verify(kNonce, nullptr, 0, nullptr));
  }
}

}  // namespace
}  // namespace decnet::services::ssh_crypto
