// IngestTail against a real SQLite file and a real ingest file: batches, offsets, truncation, rotation,
// hostile lines, and a locked database.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "decnet/storage/ingester.h"
#include "repo_fixture.h"

namespace decnet::storage {
namespace {

std::string Line(int i, const std::string& extra_fields = "") {
  return R"({"timestamp":"2026-11-24T10:00:00Z","decky":"d1","service":"ssh","event_type":"login",)"
         R"("attacker_ip":"10.0.0.)" + std::to_string(i % 250) + R"(","msg":"n)" + std::to_string(i) +
         R"(","fields":{"n":")" + std::to_string(i) + "\"" + extra_fields + "}}\n";
}

class StorageIngestTail : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir();
    cfg_.path = dir_ + "/decnet.db";
    json_ = dir_ + "/decnet.json";
    auto r = Open(cfg_);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    repo_ = std::move(*r);
  }
  void Append(const std::string& s) {
    std::ofstream f(json_, std::ios::app | std::ios::binary);
    f << s;
  }
  IngestTailOptions Opts() {
    IngestTailOptions o;
    o.path = json_;
    o.reject_path = dir_ + "/decnet-ingest.rejects";
    o.batch_size = 100;
    return o;
  }
  int64_t Count() { return *repo_->CountLogs(LogQuery{}); }
  void Drain(IngestTail& t) {
    for (int i = 0; i < 1000; ++i) {
      auto r = t.RunBatch();
      ASSERT_TRUE(r.has_value()) << r.error().message;
      if (!r->more) return;
    }
    FAIL() << "did not drain";
  }
  std::string dir_, json_;
  DbConfig cfg_;
  std::unique_ptr<Repository> repo_;
};

TEST_F(StorageIngestTail, MissingFileIsNotAnError) {
  IngestTail t(*repo_, Opts());
  ASSERT_TRUE(t.Start());
  auto r = t.RunBatch();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->lines, 0u);
}

TEST_F(StorageIngestTail, BatchesAndResumesFromSavedOffset) {
  std::string all;
  for (int i = 0; i < 250; ++i) all += Line(i);
  Append(all);
  Append(R"({"timestamp":"2026-11-24T10:00:00Z","decky":"partial")");  // no newline yet
  {
    IngestTail t(*repo_, Opts());
    ASSERT_TRUE(t.Start());
    auto r = t.RunBatch();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->lines, 100u);
    EXPECT_TRUE(r->more);
    EXPECT_EQ(Count(), 100);
  }
  IngestTail t2(*repo_, Opts());  // a restart: resumes at the saved offset
  ASSERT_TRUE(t2.Start());
  Drain(t2);
  EXPECT_EQ(Count(), 250);
  EXPECT_EQ(t2.position(), static_cast<int64_t>(all.size()));
  Append(R"(,"service":"s","event_type":"e"})" "\n");
  Drain(t2);
  EXPECT_EQ(Count(), 251);
  auto st = repo_->GetState("ingest_worker_position");
  ASSERT_TRUE(st.has_value() && st->has_value());
  EXPECT_NE((*st)->find("\"position\":"), std::string::npos);
}

TEST_F(StorageIngestTail, ExtractsCredentialsAndBounty) {
  Append(Line(1, R"(,"username":"root","password":"toor")"));
  Append(R"({"timestamp":"2026-11-24T10:00:00Z","decky":"d1","service":"sniffer","event_type":"tls_client_hello","attacker_ip":"1.2.3.4","fields":{"ja3":"x"}})" "\n");
  IngestTail t(*repo_, Opts());
  ASSERT_TRUE(t.Start());
  auto r = t.RunBatch();
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->credentials.size(), 1u);
  EXPECT_GT(r->credentials[0].id, 0);
  EXPECT_EQ(*repo_->CountCredentials(""), 1);
  EXPECT_EQ(*repo_->CountBounty("1.2.3.4"), 1);
}

TEST_F(StorageIngestTail, CopyTruncateStartsOver) {
  for (int i = 0; i < 10; ++i) Append(Line(i));
  IngestTail t(*repo_, Opts());
  ASSERT_TRUE(t.Start());
  Drain(t);
  ASSERT_EQ(Count(), 10);
  ASSERT_EQ(truncate(json_.c_str(), 0), 0);
  Append(Line(100));
  Append(Line(101));
  Drain(t);
  EXPECT_EQ(Count(), 12);
  EXPECT_EQ(t.stats().truncations, 1u);
}

TEST_F(StorageIngestTail, RenameRotationDrainsOldThenFollowsNew) {
  for (int i = 0; i < 5; ++i) Append(Line(i));
  IngestTail t(*repo_, Opts());
  ASSERT_TRUE(t.Start());
  Drain(t);
  ASSERT_EQ(Count(), 5);
  Append(Line(5));  // written to the old file just before rotation
  ASSERT_EQ(rename(json_.c_str(), (json_ + ".1").c_str()), 0);
  {
    std::ofstream old(json_ + ".1", std::ios::app);
    old << Line(6);  // a late writer still holding the old file
  }
  Append(Line(7));  // the new file
  Append(Line(8));
  Drain(t);
  EXPECT_EQ(Count(), 9);
  EXPECT_EQ(t.stats().rotations, 1u);
  IngestTail t2(*repo_, Opts());  // restart after rotation: same inode, saved offset
  ASSERT_TRUE(t2.Start());
  Drain(t2);
  EXPECT_EQ(Count(), 9);
}

TEST_F(StorageIngestTail, FileReplacedWhileStoppedIsReadFromStart) {
  for (int i = 0; i < 5; ++i) Append(Line(i));
  {
    IngestTail t(*repo_, Opts());
    ASSERT_TRUE(t.Start());
    Drain(t);
  }
  ASSERT_EQ(Count(), 5);
  // While stopped: rotated away; the ingester starts with no file, then a new, longer one appears.
  ASSERT_EQ(rename(json_.c_str(), (json_ + ".1").c_str()), 0);
  IngestTail t(*repo_, Opts());
  ASSERT_TRUE(t.Start());
  Drain(t);
  for (int i = 10; i < 20; ++i) Append(Line(i));
  Drain(t);
  EXPECT_EQ(Count(), 15);
}

TEST_F(StorageIngestTail, HostileLinesRejectedGoodOnesKept) {
  IngestTailOptions o = Opts();
  o.limits.max_line_bytes = 4096;
  Append(Line(1));
  Append("not json at all\n");
  Append(std::string(20000, 'A') + "\n");  // over-long
  Append(Line(2));
  Append("{\"decky\":\"\xff\xfe\"}\n");  // invalid UTF-8
  Append(std::string(1500, '[') + std::string(1500, ']') + "\n");  // nesting bomb
  Append("{\"decky\":\"d\"}\n");  // missing fields
  Append(Line(3));
  IngestTail t(*repo_, o);
  ASSERT_TRUE(t.Start());
  Drain(t);
  EXPECT_EQ(Count(), 3);
  EXPECT_EQ(t.stats().rejects_total, 5u);
  EXPECT_EQ(t.stats().rejects[static_cast<int>(RejectReason::kTooLong)], 1u);
  EXPECT_EQ(t.stats().rejects[static_cast<int>(RejectReason::kInvalidUtf8)], 1u);
  std::ifstream rej(o.reject_path);
  std::string l;
  int n = 0;
  while (std::getline(rej, l)) {
    EXPECT_NE(l.find("\"offset\":"), std::string::npos);
    ++n;
  }
  EXPECT_EQ(n, 5);
}

TEST_F(StorageIngestTail, OverLongLineAcrossReadsIsSkippedToItsNewline) {
  IngestTailOptions o = Opts();
  o.limits.max_line_bytes = 4096;
  o.read_chunk = 1000;
  Append(Line(1));
  Append(std::string(50000, 'B') + "\n");
  Append(Line(2));
  IngestTail t(*repo_, o);
  ASSERT_TRUE(t.Start());
  Drain(t);
  EXPECT_EQ(Count(), 2);
  EXPECT_EQ(t.stats().rejects[static_cast<int>(RejectReason::kTooLong)], 1u);
  EXPECT_EQ(t.stats().rejects_total, 1u);
}

TEST_F(StorageIngestTail, LockedDatabaseRetriesWithoutMovingOffset) {
  for (int i = 0; i < 20; ++i) Append(Line(i));
  DbConfig c = cfg_;
  c.busy_timeout_ms = 50;
  auto r = Open(c);
  ASSERT_TRUE(r.has_value());
  auto repo = std::move(*r);
  IngestTail t(*repo, Opts());
  ASSERT_TRUE(t.Start());
  // Another process holds the write lock.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(cfg_.path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto failed = t.RunBatch();
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, Errc::kUnavailable);
  EXPECT_EQ(t.position(), 0);
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  Drain(t);
  EXPECT_EQ(*repo->CountLogs(LogQuery{}), 20);
  EXPECT_EQ(t.stats().db_errors, 1u);
}

}  // namespace
}  // namespace decnet::storage
