#include "decnet/core/procmem.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace decnet {
namespace {

TEST(ProcMemTest, ReadsOwnMemoryAndSeesAnonGrowth) {
  auto before = ReadProcMem();
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_GT(before->pss_kib, 0u);
  EXPECT_GE(before->rss_kib, before->pss_kib);
  EXPECT_EQ(before->threads, 1);
  std::vector<char> block(8 << 20);
  std::memset(block.data(), 1, block.size());
  auto after = ReadProcMem(getpid());
  ASSERT_TRUE(after);
  EXPECT_GE(after->pss_anon_kib, before->pss_anon_kib + 7 * 1024);
}

TEST(ProcMemTest, MissingProcessIsAnError) {
  auto r = ReadProcMem(999999999);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kIo);
}

}  // namespace
}  // namespace decnet
