// The decky image builder without an engine: ldd's output to the image's file list, the ustar
// writer read back by GNU tar, and the root filesystem of a real executable of this build.
#include "decnet/docker/image.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace decnet::docker {
namespace {

TEST(DockerImage, ParseLddKeepsLoaderAndLibrariesDropsVdso) {
  const char* out =
      "\tlinux-vdso.so.1 (0x00007ffc5b5f2000)\n"
      "\tlibuv.so.1 => /lib/x86_64-linux-gnu/libuv.so.1 (0x00007f0e1a2b0000)\n"
      "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f0e1a000000)\n"
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e19e00000)\n"
      "\tlibuv.so.1 => /lib/x86_64-linux-gnu/libuv.so.1 (0x00007f0e1a2b0000)\n"
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f0e1a300000)\n";
  auto files = ParseLdd(out);
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 4u);
  EXPECT_EQ((*files)[0].image_path, "/lib/x86_64-linux-gnu/libuv.so.1");
  EXPECT_EQ((*files)[3].image_path, "/lib64/ld-linux-x86-64.so.2");
  for (const ImageFile& f : *files) EXPECT_EQ(f.host_path, f.image_path);
}

TEST(DockerImage, ParseLddMissingLibraryIsAnErrorStaticIsEmpty) {
  auto missing = ParseLdd("\tlibgone.so.3 => not found\n\tlibc.so.6 => /lib/libc.so.6 (0x1)\n");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  EXPECT_NE(missing.error().message.find("libgone.so.3"), std::string::npos);
  auto st = ParseLdd("\tnot a dynamic executable\n");
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->empty());
}

TEST(DockerImage, TarIsReadBackByGnuTarWithOwnersModesAndLongNames) {
  std::vector<TarEntry> entries;
  entries.push_back(TarEntry{"etc", true, 0755, 0, 0, ""});
  entries.push_back(TarEntry{"var/lib/nobody", true, 0750, 65534, 65534, ""});
  entries.push_back(TarEntry{"etc/passwd", false, 0644, 0, 0, "root:x:0:0::/:/x\n"});
  const std::string deep = std::string(120, 'd') + "/" + std::string(60, 'f');
  entries.push_back(TarEntry{deep, false, 0755, 0, 0, std::string(1000, 'x')});
  auto tar = WriteTar(entries);
  ASSERT_TRUE(tar);
  EXPECT_EQ(tar->size() % 512, 0u);
  auto again = WriteTar(entries);
  EXPECT_EQ(*tar, *again);  // reproducible: the image's content hash depends only on inputs
  char path[] = "/tmp/decnet-tar-test.XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, tar->data(), tar->size()), static_cast<ssize_t>(tar->size()));
  close(fd);
  std::string listing;
  const int rc = RunCapture({"tar", "--numeric-owner", "-tvf", path}, &listing);
  unlink(path);
  ASSERT_EQ(rc, 0) << listing;
  EXPECT_NE(listing.find("drwxr-x--- 65534/65534"), std::string::npos) << listing;
  const size_t at = listing.find("etc/passwd");
  ASSERT_NE(at, std::string::npos) << listing;
  const size_t start = listing.rfind('\n', at) + 1;  // npos + 1 == 0 on the first line
  const std::string line = listing.substr(start, at - start);
  EXPECT_EQ(line.rfind("-rw-r--r-- 0/0 ", 0), 0u) << line;
  EXPECT_NE(line.find(" 17 "), std::string::npos) << line;
  EXPECT_NE(listing.find(deep), std::string::npos) << listing;
  std::vector<TarEntry> too_long = {TarEntry{std::string(200, 'a'), false, 0644, 0, 0, ""}};
  EXPECT_FALSE(WriteTar(too_long));
}

TEST(DockerImage, RootfsOfARealExecutableHasItsLoaderLibrariesAndEtc) {
  const std::string exe = std::string(DECNET_BINARY_DIR) + "/tests/docker/docker_unit_tests";
  std::vector<ImageFile> files;
  auto entries = DeckyRootfs(exe, &files);
  ASSERT_TRUE(entries) << entries.error().message;
  bool loader = false, libc = false, passwd = false, exe_in = false;
  for (const TarEntry& e : *entries) {
    if (e.path.find("ld-linux") != std::string::npos) loader = true;
    if (e.path.find("/libc.so.6") != std::string::npos) libc = true;
    if (e.path == "etc/passwd") passwd = e.content.find("nobody:x:65534:") != std::string::npos;
    if (e.path == std::string(kDeckyImageExe).substr(1)) exe_in = !e.content.empty();
  }
  EXPECT_TRUE(loader);
  EXPECT_TRUE(libc);
  EXPECT_TRUE(passwd);
  EXPECT_TRUE(exe_in);
  EXPECT_EQ(files.front().host_path, exe);
}

}  // namespace
}  // namespace decnet::docker
