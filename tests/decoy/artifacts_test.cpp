#include "decnet/decoy/artifacts.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace decnet::decoy {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string TempDir() {
  char t[] = "/tmp/decoy-art-XXXXXX";
  return mkdtemp(t);
}

TEST(Sha256, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Artifacts, StoredUnderItsHash) {
  Limits l;
  Counters c;
  ArtifactStore store(TempDir() + "/artifacts", l, c);
  auto up = store.Begin();
  up->Append("hello ");
  up->Append("world");
  auto d = up->Finish();
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->sha256, Sha256Hex("hello world"));
  EXPECT_EQ(d->size, 11u);
  EXPECT_EQ(d->stored, 11u);
  EXPECT_EQ(Slurp(d->path), "hello world");
  EXPECT_EQ(c.artifacts, 1u);
}

TEST(Artifacts, CappedFileIsHashedWholeKeptCutAndNamedPartial) {
  Limits l;
  l.max_artifact_bytes = 4;
  Counters c;
  ArtifactStore store(TempDir() + "/artifacts", l, c);
  auto up = store.Begin();
  up->Append("0123456789");
  auto d = up->Finish();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->sha256, Sha256Hex("0123456789"));
  EXPECT_EQ(d->stored, 4u);
  EXPECT_NE(d->path.find(".partial"), std::string::npos);
  EXPECT_EQ(Slurp(d->path), "0123");
  EXPECT_EQ(c.artifact_bytes_dropped, 6u);
}

TEST(Artifacts, TotalBudgetAcrossUploads) {
  Limits l;
  l.max_artifacts_total = 10;
  Counters c;
  ArtifactStore store(TempDir() + "/artifacts", l, c);
  for (int i = 0; i < 3; ++i) {
    auto up = store.Begin();
    up->Append("abcdef" + std::to_string(i));
    ASSERT_TRUE(up->Finish());
  }
  EXPECT_EQ(store.stored_bytes(), 10u);
  EXPECT_EQ(c.artifact_bytes_dropped, 11u);
}

TEST(Artifacts, AbandonedUploadLeavesNothing) {
  Limits l;
  Counters c;
  const std::string dir = TempDir() + "/artifacts";
  ArtifactStore store(dir, l, c);
  { store.Begin()->Append("partial"); }
  ASSERT_TRUE(store.Open());
  EXPECT_EQ(std::system(("test -z \"$(ls -A " + dir + ")\"").c_str()), 0);
}

}  // namespace
}  // namespace decnet::decoy
