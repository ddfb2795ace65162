#include "decnet/core/paths.h"

#include <gtest/gtest.h>

#include <string>

namespace decnet {
namespace {

TEST(LexicallyNormalAbsolute, DropsDotsAndEmptyComponentsAndResolvesParents) {
  EXPECT_EQ(LexicallyNormalAbsolute("/root/../tmp/./x//y/.."), "/tmp/x");
  EXPECT_EQ(LexicallyNormalAbsolute("tmp/x"), "/tmp/x");
  EXPECT_EQ(LexicallyNormalAbsolute("/a/b/"), "/a/b");
}

TEST(LexicallyNormalAbsolute, NeverClimbsAboveTheRoot) {
  EXPECT_EQ(LexicallyNormalAbsolute("/../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(LexicallyNormalAbsolute("../../.."), "/");
  EXPECT_EQ(LexicallyNormalAbsolute(""), "/");
  EXPECT_EQ(LexicallyNormalAbsolute("///"), "/");
}

TEST(LexicallyNormalAbsolute, KeepsOtherBytesAsTheyAre) {
  // "..." and ".x" are names, not steps; NUL and high bytes are the fake filesystem's business.
  EXPECT_EQ(LexicallyNormalAbsolute("/.../.x/..y"), "/.../.x/..y");
  EXPECT_EQ(LexicallyNormalAbsolute(std::string("/a\0b/\xff", 6)), std::string("/a\0b/\xff", 6));
}

}  // namespace
}  // namespace decnet
