#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decnet/storage/ingest.h"

namespace decnet::storage {
namespace {

IngestLimits kLimits;

TEST(StorageIngestLine, DecodesCollectorRecord) {
  IngestRecord rec;
  std::string line =
      R"({"timestamp":"2026-11-24T10:00:00.250000+00:00","decky":"web1","service":"ssh",)"
      R"("event_type":"login_attempt","attacker_ip":"203.0.113.9","fields":{"username":"root",)"
      R"("password":"toor","src_ip":"203.0.113.9"},"msg":"failed","raw_line":"<38>1 ..."})";
  ASSERT_EQ(DecodeIngestLine(line, kLimits, &rec), RejectReason::kNone);
  EXPECT_EQ(rec.log.decky, "web1");
  EXPECT_EQ(rec.log.ts_us, 1795514400250000);
  EXPECT_EQ(rec.log.msg, "failed");
  ASSERT_EQ(rec.credentials.size(), 1u);
  EXPECT_EQ(rec.credentials[0].username, "root");
  EXPECT_EQ(rec.credentials[0].secret, "toor");
  EXPECT_TRUE(rec.bounties.empty());
}

TEST(StorageIngestLine, NativeCredentialShape) {
  IngestRecord rec;
  std::string line =
      R"({"timestamp":"2026-11-24T10:00:00Z","decky":"d","service":"redis","event_type":"auth",)"
      R"("attacker_ip":"1.2.3.4","fields":{"secret_b64":"c2VjcmV0","secret_printable":"secret"}})";
  ASSERT_EQ(DecodeIngestLine(line, kLimits, &rec), RejectReason::kNone);
  ASSERT_EQ(rec.credentials.size(), 1u);
  EXPECT_EQ(rec.credentials[0].secret, "secret");
  EXPECT_EQ(rec.credentials[0].secret_printable, "secret");
  EXPECT_EQ(rec.credentials[0].secret_kind, "plaintext");
  line = R"({"timestamp":"2026-11-24T10:00:00Z","decky":"d","service":"redis","event_type":"auth",)"
         R"("fields":{"secret_b64":"not base64!"}})";
  ASSERT_EQ(DecodeIngestLine(line, kLimits, &rec), RejectReason::kNone);  // log kept
  EXPECT_TRUE(rec.credentials.empty());                                 // credential dropped
}

// Issue 13: the exact secret, decoded from secret_b64, beside the printable form. The records are
// what the collector writes for the original's auth-helper line (PAM's password, SD-escaped to
// printable ASCII with '?' per other byte, plus base64 of the exact bytes):
//   <134>1 2026-11-24T10:00:00.000000+00:00 decky-01 auth-helper - auth_attempt
//     [relay@55555 username="root" principal="root" secret_printable="t??st" secret_b64="dMOrc3Q="
//      src_ip="10.0.0.5"]
// in today's shape, and with password="t??st" password_b64="dMOrc3Q=" in its first shape.
std::string AuthHelperRecord(const std::string& sd_fields) {
  return R"({"timestamp":"2026-11-24 10:00:00","decky":"decky-01","service":"auth-helper",)"
         R"("event_type":"auth_attempt","attacker_ip":"10.0.0.5","fields":{"username":"root",)" +
         sd_fields + R"(,"src_ip":"10.0.0.5"},"msg":"","raw_line":"<134>1 ..."})";
}

TEST(StorageIngestLine, ExactSecretFromTheAuthHelperShape) {
  IngestRecord rec;
  // tëst = 74 c3 ab 73 74: valid UTF-8, stored as the text itself.
  ASSERT_EQ(DecodeIngestLine(AuthHelperRecord(R"("principal":"root","secret_printable":"t??st",)"
                                              R"("secret_b64":"dMOrc3Q=")"),
                             kLimits, &rec),
            RejectReason::kNone);
  ASSERT_EQ(rec.credentials.size(), 1u);
  EXPECT_EQ(rec.credentials[0].username, "root");
  EXPECT_EQ(rec.credentials[0].secret, "t\xc3\xabst");
  EXPECT_EQ(rec.credentials[0].secret_encoding, "utf8");
  EXPECT_EQ(rec.credentials[0].secret_printable, "t??st");
  // The first auth-helper shape: password (printable) + password_b64 (exact).
  ASSERT_EQ(DecodeIngestLine(AuthHelperRecord(R"("password":"t??st","password_b64":"dMOrc3Q=")"),
                             kLimits, &rec),
            RejectReason::kNone);
  ASSERT_EQ(rec.credentials.size(), 1u);
  EXPECT_EQ(rec.credentials[0].secret, "t\xc3\xabst");
  EXPECT_EQ(rec.credentials[0].secret_printable, "t??st");
  // Invalid UTF-8 (t ff s t) and a NUL (a 00 b): lowercase hex, with the encoding stated.
  ASSERT_EQ(DecodeIngestLine(AuthHelperRecord(R"("principal":"root","secret_printable":"t?st",)"
                                              R"("secret_b64":"dP9zdA==")"),
                             kLimits, &rec),
            RejectReason::kNone);
  ASSERT_EQ(rec.credentials.size(), 1u);
  EXPECT_EQ(rec.credentials[0].secret, "74ff7374");
  EXPECT_EQ(rec.credentials[0].secret_encoding, "hex");
  EXPECT_EQ(rec.credentials[0].secret_printable, "t?st");
  ASSERT_EQ(DecodeIngestLine(AuthHelperRecord(R"("principal":"root","secret_b64":"YQBi")"), kLimits,
                             &rec),
            RejectReason::kNone);
  ASSERT_EQ(rec.credentials.size(), 1u);
  EXPECT_EQ(rec.credentials[0].secret, "610062");
  EXPECT_EQ(rec.credentials[0].secret_encoding, "hex");
  EXPECT_EQ(rec.credentials[0].secret_printable, "a?b") << "derived when the decky sent none";
}

TEST(StorageIngestLine, SnifferAndProberFingerprints) {
  IngestRecord rec;
  std::string line =
      R"({"timestamp":1795514400.5,"decky":"web1","service":"sniffer","event_type":"tls_client_hello",)"
      R"("attacker_ip":"5.6.7.8","fields":{"ja3":"abc","ja4":"t13d","sni":"","dst_port":"443"}})";
  ASSERT_EQ(DecodeIngestLine(line, kLimits, &rec), RejectReason::kNone);
  ASSERT_EQ(rec.bounties.size(), 1u);
  EXPECT_EQ(rec.bounties[0].bounty_type, "fingerprint");
  EXPECT_NE(rec.bounties[0].payload.find(R"("fingerprint_type":"ja3")"), std::string::npos);
  EXPECT_NE(rec.bounties[0].payload.find(R"("sni":null)"), std::string::npos);
  EXPECT_EQ(rec.log.ts_us, 1795514400500000);

  line = R"({"timestamp":"2026-11-24T10:00:00Z","decky":"web1","service":"sniffer",)"
         R"("event_type":"tcp_syn_fingerprint","attacker_ip":"5.6.7.8","fields":{"os_guess":"linux","ttl":"64"}})";
  ASSERT_EQ(DecodeIngestLine(line, kLimits, &rec), RejectReason::kNone);
  ASSERT_EQ(rec.bounties.size(), 1u);
  EXPECT_NE(rec.bounties[0].payload.find(R"("fingerprint_type":"tcp_syn")"), std::string::npos);

  line = R"({"timestamp":"2026-11-24T10:00:00Z","decky":"web1","service":"prober","event_type":"jarm",)"
         R"("attacker_ip":"","fields":{"jarm_hash":"2ad","target_ip":"9.9.9.9","target_port":"443"}})";
  ASSERT_EQ(DecodeIngestLine(line, kLimits, &rec), RejectReason::kNone);
  ASSERT_EQ(rec.bounties.size(), 1u);
  EXPECT_EQ(rec.bounties[0].attacker_ip, "9.9.9.9");
  EXPECT_EQ(rec.bounties[0].service, "prober");
}

TEST(StorageIngestLine, HttpUserAgent) {
  IngestRecord rec;
  std::string line =
      R"({"timestamp":"2026-11-24T10:00:00Z","decky":"w","service":"http","event_type":"request",)"
      R"("attacker_ip":"1.1.1.1","fields":{"headers":"{\"User-Agent\":\"sqlmap/1.7\"}"}})";
  ASSERT_EQ(DecodeIngestLine(line, kLimits, &rec), RejectReason::kNone);
  ASSERT_EQ(rec.bounties.size(), 1u);
  EXPECT_NE(rec.bounties[0].payload.find(R"("category":"scanner")"), std::string::npos);
}

TEST(StorageIngestLine, RejectsHostileLines) {
  IngestRecord rec;
  EXPECT_EQ(DecodeIngestLine("not json", kLimits, &rec), RejectReason::kInvalidJson);
  EXPECT_EQ(DecodeIngestLine("", kLimits, &rec), RejectReason::kInvalidJson);
  EXPECT_EQ(DecodeIngestLine("[1,2]", kLimits, &rec), RejectReason::kNotObject);
  EXPECT_EQ(DecodeIngestLine(R"({"decky":"d"})", kLimits, &rec), RejectReason::kMissingField);
  EXPECT_EQ(DecodeIngestLine(std::string(kLimits.max_line_bytes + 1, 'x'), kLimits, &rec),
            RejectReason::kTooLong);
  EXPECT_EQ(DecodeIngestLine("{\"decky\":\"\xff\xfe\"}", kLimits, &rec), RejectReason::kInvalidUtf8);
  EXPECT_EQ(DecodeIngestLine("{\"decky\":\"\xed\xa0\x80\"}", kLimits, &rec), RejectReason::kInvalidUtf8);
  std::string bomb = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(DecodeIngestLine(bomb, kLimits, &rec), RejectReason::kInvalidJson);
  std::string deep = R"({"timestamp":"2026-11-24T10:00:00Z","decky":"d","service":"s","event_type":"e","fields":)" +
                     std::string(40, '[') + std::string(40, ']') + "}";
  EXPECT_EQ(DecodeIngestLine(deep, kLimits, &rec), RejectReason::kInvalidJson);
  EXPECT_EQ(DecodeIngestLine(R"({"timestamp":"yesterday","decky":"d","service":"s","event_type":"e"})",
                             kLimits, &rec),
            RejectReason::kBadTimestamp);
  EXPECT_EQ(DecodeIngestLine(R"({"timestamp":"2026-11-24T10:00:00Z","decky":"d","service":"s","event_type":"e","fields":{"secret_b64":{"a":1},"headers":[1]}})",
                             kLimits, &rec),
            RejectReason::kNone);
}

TEST(StorageIngestLine, IsoTimestamps) {
  int64_t us = 0;
  ASSERT_TRUE(ParseIsoTimestamp("1970-01-01T00:00:01Z", &us));
  EXPECT_EQ(us, 1000000);
  ASSERT_TRUE(ParseIsoTimestamp("1970-01-01 01:00:00+01:00", &us));
  EXPECT_EQ(us, 0);
  ASSERT_TRUE(ParseIsoTimestamp("2000-02-29T12:00:00.5-0030", &us));
  EXPECT_EQ(us, (951825600LL + 1800) * 1000000 + 500000);
  EXPECT_FALSE(ParseIsoTimestamp("2000-13-01T00:00:00", &us));
  EXPECT_FALSE(ParseIsoTimestamp("2000-01-01T00:00:00junk", &us));
  EXPECT_FALSE(ParseIsoTimestamp("2000", &us));
}

}  // namespace
}  // namespace decnet::storage

// The fuzz target's entry point, fed hostile inputs in the normal test run (tests/fuzz/storage_*.cpp).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

TEST(StorageIngestLineFuzz, HostileInputs) {
  std::vector<std::string> inputs = {
      "", "{", "}", "\"", "{\"timestamp\":", std::string(200000, '{'), std::string(70000, 'a'),
      "{\"a\":\"\\ud800\"}", "\xc0\x80", "\xf4\x90\x80\x80", "{\"timestamp\":1e400,\"decky\":\"d\",\"service\":\"s\",\"event_type\":\"e\"}",
      "{\"timestamp\":-1,\"decky\":\"d\",\"service\":\"s\",\"event_type\":\"e\"}",
      "{\"timestamp\":\"9999-12-31T23:59:60.9999999999+23:59\",\"decky\":\"d\",\"service\":\"sniffer\",\"event_type\":\"tcp_syn_fingerprint\",\"fields\":{\"ja3\":1,\"hassh\":true,\"headers\":\"[[[[[[[[[[[[[\"}}",
      std::string("{\"decky\":\"\0\"}", 13),
      "{\"timestamp\":\"2026-11-24T10:00:00Z\",\"decky\":\"d\",\"service\":\"prober\",\"event_type\":\"e\",\"fields\":{\"jarm_hash\":\"x\",\"tcpfp_hash\":{},\"hassh_server_hash\":[]}}",
  };
  for (const std::string& in : inputs)
    EXPECT_EQ(LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(in.data()), in.size()), 0);
}
