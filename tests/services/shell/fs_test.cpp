// The fake filesystem: the shared base tree, the per-session overlay and its bounds.
#include "fs.h"

#include <gtest/gtest.h>

namespace decnet::services::shell {
namespace {

std::shared_ptr<const BaseTree> SmallTree() {
  auto t = std::make_shared<BaseTree>();
  t->Dir("/");
  t->Dir("/etc");
  t->Dir("/usr");
  t->Dir("/usr/bin");
  t->File("/usr/bin/ls", "", 0755);
  t->Link("/bin", "usr/bin");
  t->File("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
  t->Dir("/tmp", 01777);
  t->Dir("/srv");
  t->File("/srv/a", "A");
  return t;
}

TEST(Fs, NormalizesPaths) {
  EXPECT_EQ(NormalizePath("/root", "../tmp/./x//y/.."), "/tmp/x");
  EXPECT_EQ(NormalizePath("/", "../../.."), "/");
  EXPECT_EQ(NormalizePath("/a", "/b"), "/b");
  EXPECT_EQ(Dirname("/a/b"), "/a");
  EXPECT_EQ(Dirname("/a"), "/");
  EXPECT_EQ(Basename("/a/b"), "b");
}

TEST(Fs, WritesLandInTheOverlayOnly) {
  auto base = SmallTree();
  Fs one(base, {}), two(base, {});
  ASSERT_EQ(one.Write("/tmp/f", "x\n", false, 1), FsError::kOk);
  ASSERT_EQ(one.Write("/tmp/f", "y\n", true, 2), FsError::kOk);
  ASSERT_NE(one.Lookup("/tmp/f"), nullptr);
  EXPECT_EQ(one.Lookup("/tmp/f")->data, "x\ny\n");
  EXPECT_EQ(two.Lookup("/tmp/f"), nullptr);  // another session sees the base tree
  EXPECT_EQ(base->nodes.count("/tmp/f"), 0u);
  EXPECT_EQ(one.Write("/nodir/f", "x", false, 1), FsError::kNoEnt);
  EXPECT_EQ(one.Write("/etc", "x", false, 1), FsError::kIsDir);
}

TEST(Fs, SymlinksResolve) {
  Fs fs(SmallTree(), {});
  std::string resolved;
  ASSERT_NE(fs.Lookup("/bin/ls", &resolved), nullptr);
  EXPECT_EQ(resolved, "/usr/bin/ls");
  ASSERT_EQ(fs.Symlink("/loop2", "/loop1", 1), FsError::kOk);
  ASSERT_EQ(fs.Symlink("/loop1", "/loop2", 1), FsError::kOk);
  EXPECT_EQ(fs.Lookup("/loop1"), nullptr);  // a loop ends, as ELOOP
}

TEST(Fs, RemoveHidesTheBaseAndRecreateIsEmpty) {
  Fs fs(SmallTree(), {});
  EXPECT_EQ(fs.Remove("/srv", false), FsError::kNotEmpty);
  ASSERT_EQ(fs.Remove("/srv", true), FsError::kOk);
  EXPECT_EQ(fs.Lookup("/srv/a"), nullptr);
  ASSERT_EQ(fs.Mkdir("/srv", 1), FsError::kOk);
  EXPECT_EQ(fs.Lookup("/srv/a"), nullptr);  // the new directory does not bring the old files back
  EXPECT_TRUE(fs.List("/srv").empty());
  ASSERT_EQ(fs.Write("/srv/b", "B", false, 1), FsError::kOk);
  ASSERT_EQ(fs.List("/srv").size(), 1u);
  EXPECT_EQ(fs.List("/srv")[0].first, "b");
  EXPECT_EQ(fs.Remove("/nothing", false), FsError::kNoEnt);
}

TEST(Fs, ListMergesBaseAndOverlay) {
  Fs fs(SmallTree(), {});
  fs.Write("/etc/zz", "z", false, 1);
  fs.Remove("/etc/passwd", false);
  const auto entries = fs.List("/etc");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].first, "zz");
}

TEST(Fs, ClearDropsTheSessionsWrites) {
  Fs fs(SmallTree(), {});
  fs.Write("/tmp/f", std::string(1000, 'x'), false, 1);
  fs.Remove("/etc/passwd", false);
  EXPECT_GT(fs.overlay_bytes(), 1000u);
  fs.Clear();
  EXPECT_EQ(fs.overlay_bytes(), 0u);
  EXPECT_EQ(fs.overlay_entries(), 0u);
  EXPECT_EQ(fs.Lookup("/tmp/f"), nullptr);
  EXPECT_NE(fs.Lookup("/etc/passwd"), nullptr);
}

TEST(Fs, OverlayBoundsAreCountedRefusals) {
  Fs::Budget budget;
  budget.max_bytes = 4096;
  budget.max_entries = 8;
  Fs fs(SmallTree(), budget);
  EXPECT_EQ(fs.Write("/tmp/big", std::string(5000, 'x'), false, 1), FsError::kNoSpace);
  EXPECT_EQ(fs.refused(), 1u);
  int ok = 0;
  for (int i = 0; i < 20; ++i)
    if (fs.Write("/tmp/f" + std::to_string(i), "1", false, 1) == FsError::kOk) ++ok;
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(fs.overlay_entries(), 8u);
  EXPECT_EQ(fs.refused(), 13u);
  EXPECT_LE(fs.overlay_bytes(), budget.max_bytes);
  // Freeing an entry makes room again.
  ASSERT_EQ(fs.Remove("/tmp/f0", false), FsError::kOk);
  EXPECT_EQ(fs.Write("/tmp/again", "1", false, 1), FsError::kOk);
  // Appending past the byte budget is refused and the file keeps its old bytes.
  for (int i = 0; i < 100 && fs.Write("/tmp/f1", std::string(100, 'y'), true, 1) == FsError::kOk;
       ++i) {
  }
  EXPECT_LE(fs.overlay_bytes(), budget.max_bytes);
  EXPECT_GT(fs.Lookup("/tmp/f1")->data.size(), 100u);
}

}  // namespace
}  // namespace decnet::services::shell
