// IngestWriter: batched appends to the two ingest files, rotation, and failed writes that lose
// nothing.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "decnet/capture/ingest_writer.h"

namespace decnet::capture {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class IngestWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ingest-writer-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string dir_;
};

TEST_F(IngestWriterTest, NothingReachesTheFilesBeforeFlushThenEveryLineInOrder) {
  IngestWriter w(dir_ + "/d.log", dir_ + "/d.json");
  ASSERT_TRUE(w.Append("line-1", R"({"n":1})").has_value());
  ASSERT_TRUE(w.Append("line-2", R"({"n":2})").has_value());
  EXPECT_EQ(Slurp(dir_ + "/d.log"), "");
  ASSERT_TRUE(w.Flush().has_value());
  EXPECT_EQ(Slurp(dir_ + "/d.log"), "line-1\nline-2\n");
  EXPECT_EQ(Slurp(dir_ + "/d.json"), "{\"n\":1}\n{\"n\":2}\n");
  EXPECT_EQ(w.flushes(), 1u);
  ASSERT_TRUE(w.Flush().has_value());  // nothing queued: no write, no count
  EXPECT_EQ(w.flushes(), 1u);
}

TEST_F(IngestWriterTest, ABigBurstFlushesByItselfAndTheDestructorFlushesTheRest) {
  const std::string line(200, 'x');
  size_t n = 2 * IngestWriter::kFlushAt / line.size();
  {
    IngestWriter w(dir_ + "/d.log", dir_ + "/d.json");
    for (size_t i = 0; i < n; ++i) ASSERT_TRUE(w.Append(line, line).has_value());
    EXPECT_GE(w.flushes(), 1u);
  }
  EXPECT_EQ(Slurp(dir_ + "/d.log").size(), n * (line.size() + 1));
  EXPECT_EQ(Slurp(dir_ + "/d.json").size(), n * (line.size() + 1));
}

TEST_F(IngestWriterTest, ARotatedFileIsReopenedAndTheNewLinesGoToTheNewFile) {
  IngestWriter w(dir_ + "/d.log", dir_ + "/d.json");
  ASSERT_TRUE(w.Append("before", "{}").has_value());
  ASSERT_TRUE(w.Flush().has_value());
  ASSERT_EQ(rename((dir_ + "/d.log").c_str(), (dir_ + "/d.log.1").c_str()), 0);
  ASSERT_TRUE(w.Append("after", "{}").has_value());
  ASSERT_TRUE(w.Flush().has_value());
  EXPECT_EQ(Slurp(dir_ + "/d.log.1"), "before\n");
  EXPECT_EQ(Slurp(dir_ + "/d.log"), "after\n");
}

TEST_F(IngestWriterTest, AFailedWriteKeepsTheLinesUntilTheFileCanBeWritten) {
  const std::string sub = dir_ + "/later";
  IngestWriter w(sub + "/d.log", sub + "/d.json");
  ASSERT_TRUE(w.Append("kept", R"({"k":1})").has_value());
  auto st = w.Flush();
  ASSERT_FALSE(st.has_value());
  EXPECT_NE(st.error().message.find(sub + "/d.log"), std::string::npos) << st.error().message;
  EXPECT_EQ(w.write_errors(), 2u);  // both files
  ASSERT_EQ(mkdir(sub.c_str(), 0750), 0);
  ASSERT_TRUE(w.Flush().has_value());
  EXPECT_EQ(Slurp(sub + "/d.log"), "kept\n");
  EXPECT_EQ(Slurp(sub + "/d.json"), "{\"k\":1}\n");
  EXPECT_EQ(w.bytes_dropped(), 0u);
}

TEST_F(IngestWriterTest, WhileTheFileCannotBeWrittenTheQueueIsBoundedAndDropsAreCounted) {
  const std::string sub = dir_ + "/never";
  IngestWriter w(sub + "/d.log", sub + "/d.json");
  const std::string line(1000, 'y');
  for (int i = 0; i < 3000; ++i) (void)w.Append(line, line);  // ~3 MB per file
  (void)w.Flush();
  EXPECT_GT(w.bytes_dropped(), 0u);
  ASSERT_EQ(mkdir(sub.c_str(), 0750), 0);
  ASSERT_TRUE(w.Flush().has_value());
  std::string kept = Slurp(sub + "/d.log");
  EXPECT_LE(kept.size(), IngestWriter::kMaxPending + IngestWriter::kFlushAt);
  EXPECT_GT(kept.size(), IngestWriter::kMaxPending / 2);
  EXPECT_EQ(kept.size() % (line.size() + 1), 0u) << "only whole lines are dropped";
}

}  // namespace
}  // namespace decnet::capture
