#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "decnet/http/static_files.h"

namespace decnet::http {
namespace {

class HttpStaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/decnet-static-XXXXXX";
    root_ = mkdtemp(tmpl);
    char* real = realpath(root_.c_str(), nullptr);
    root_ = real;
    free(real);
    mkdir((root_ + "/js").c_str(), 0755);
    Write("/index.html", "home");
    Write("/js/app.js", "app");
    symlink("/etc/passwd", (root_ + "/evil").c_str());
    symlink("/etc", (root_ + "/etcdir").c_str());
  }
  void TearDown() override { (void)!system(("rm -rf " + root_).c_str()); }
  void Write(const std::string& rel, const std::string& s) {
    FILE* f = fopen((root_ + rel).c_str(), "w");
    fputs(s.c_str(), f);
    fclose(f);
  }
  std::string root_;
};

TEST_F(HttpStaticFilesTest, ServesFilesUnderRoot) {
  EXPECT_EQ(ResolveStaticPath(root_, "/").value(), root_ + "/index.html");
  EXPECT_EQ(ResolveStaticPath(root_, "").value(), root_ + "/index.html");
  EXPECT_EQ(ResolveStaticPath(root_, "/js/app.js").value(), root_ + "/js/app.js");
  EXPECT_EQ(ResolveStaticPath(root_, "//js//app.js").value(), root_ + "/js/app.js");
  StaticFiles files(root_);
  Response r = files.Serve("/js/app.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "app");
  EXPECT_EQ(r.content_type, "application/javascript; charset=utf-8");
}

TEST_F(HttpStaticFilesTest, RejectsTraversalAndEscapingSymlinks) {
  for (const char* p : {"/../etc/passwd", "/js/../../etc/passwd", "/./index.html", "/..", "/js/..",
                        "/evil", "/etcdir/passwd", "/js\\..\\index.html", "/missing"}) {
    EXPECT_FALSE(ResolveStaticPath(root_, p).has_value()) << p;
  }
  EXPECT_FALSE(ResolveStaticPath(root_, std::string_view("/index.html\0x", 13)).has_value());
  StaticFiles files(root_);
  EXPECT_EQ(files.Serve("/evil").status, 404);
}

}  // namespace
}  // namespace decnet::http
