// Schema migrations: from empty, from each older version, idempotent re-open, refusal of a newer schema;
// and several writer processes on one SQLite file (none starves, nothing is lost).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "decnet/storage/repository.h"
#include "repo_fixture.h"

namespace decnet::storage {
namespace {

int SqliteInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  int v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

TEST(StorageMigrations, FromEmptyRecordsEveryVersion) {
  DbConfig c = testing::FreshConfig("sqlite");
  auto r = Open(c);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(SqliteInt(c.path, "SELECT COUNT(*) FROM schema_version"), LatestSchemaVersion());
  EXPECT_EQ(SqliteInt(c.path, "SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
}

TEST(StorageMigrations, FromEachOlderVersionKeepsData) {
  for (int from = 1; from < LatestSchemaVersion(); ++from) {
    DbConfig c = testing::FreshConfig("sqlite");
    c.migrate_to = from;
    {
      auto old = Open(c);
      ASSERT_TRUE(old.has_value()) << old.error().message;
      EXPECT_EQ(*(*old)->SchemaVersion(), from);
      LogRow l;
      l.decky = "d";
      l.service = "s";
      l.event_type = "e";
      ASSERT_TRUE((*old)->InsertLog(l));
      ASSERT_TRUE((*old)->PutState("k", "{}"));
    }
    c.migrate_to = 0;
    auto now = Open(c);
    ASSERT_TRUE(now.has_value()) << "from " << from << ": " << now.error().message;
    EXPECT_EQ(*(*now)->SchemaVersion(), LatestSchemaVersion());
    EXPECT_EQ(*(*now)->CountLogs(LogQuery{}), 1);
    EXPECT_TRUE((*now)->GetState("k")->has_value());
    ASSERT_TRUE((*now)->UpsertTopology(TopologyRow{"t", "n", "h", "{}", 1, "x"}));
  }
}

TEST(StorageMigrations, NewerSchemaIsRefusedClearly) {
  DbConfig c = testing::FreshConfig("sqlite");
  { ASSERT_TRUE(Open(c).has_value()); }
  sqlite3* db = nullptr;
  sqlite3_open(c.path.c_str(), &db);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_version VALUES (999, 0, 'future')", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto r = Open(c);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kCorrupt);
  EXPECT_NE(r.error().message.find("999"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("newer"), std::string::npos) << r.error().message;
  // Nothing was changed by the refusal.
  EXPECT_EQ(SqliteInt(c.path, "SELECT MAX(version) FROM schema_version"), 999);
}

TEST(StorageMigrations, NotADatabaseIsAnError) {
  std::string dir = testing::TempDir();
  std::string path = dir + "/junk.db";
  FILE* f = fopen(path.c_str(), "w");
  fputs("this is not sqlite, just some text that is long enough to have a header.....................", f);
  fclose(f);
  DbConfig c;
  c.path = path;
  auto r = Open(c);
  ASSERT_FALSE(r.has_value());
}

// Several processes open the same file at once (concurrent migration too) and each writes batches.
// Every writer must finish all its batches within the busy timeout: none is starved, no row is lost.
TEST(StorageConcurrency, WriterProcessesDoNotStarve) {
  DbConfig c = testing::FreshConfig("sqlite");
  c.busy_timeout_ms = 10000;
  constexpr int kWriters = 4, kBatches = 40, kRows = 250;
  std::vector<pid_t> kids;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto r = Open(c);
      if (!r) _exit(10);
      auto& repo = **r;
      for (int b = 0; b < kBatches; ++b) {
        if (!repo.Begin()) _exit(11);
        for (int i = 0; i < kRows; ++i) {
          LogRow l;
          l.decky = "w" + std::to_string(w);
          l.service = "s";
          l.event_type = "e";
          l.ts_us = b * kRows + i;
          if (!repo.InsertLog(l)) _exit(12);
        }
        if (!repo.PutState("writer" + std::to_string(w), std::to_string(b))) _exit(13);
        if (!repo.Commit()) _exit(14);
      }
      _exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t p : kids) {
    int status = 0;
    ASSERT_EQ(waitpid(p, &status, 0), p);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "writer failed (10 open, 11 begin, 12 insert, 14 commit)";
  }
  auto r = Open(c);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*(*r)->CountLogs(LogQuery{}), kWriters * kBatches * kRows);
  auto per = (*r)->CountByDecky(LogQuery{});
  ASSERT_TRUE(per.has_value());
  ASSERT_EQ(per->size(), static_cast<size_t>(kWriters));
  for (auto& kc : *per) EXPECT_EQ(kc.count, kBatches * kRows) << kc.key;
}

}  // namespace
}  // namespace decnet::storage
