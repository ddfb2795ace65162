// The scp sink alone: the records OpenSSH's `scp -O` sends (C/D/E/T, the \0 acks, the data and its
// trailing \0), the errors the real remote side writes back, and hostile records.
#include "decnet/services/ssh_files/scp.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/testing.h"
#include "decnet/services/ssh_files/tree.h"

namespace decnet::services::ssh_files {
namespace {

using decoy::testing::FakeConnection;
using decoy::testing::ParamOf;
using decoy::testing::TestDecky;

const std::string kAck("\0", 1);

struct Scp {
  explicit Scp(std::vector<std::string> args, std::string user = "root", std::string home = "/root",
               TransferLimits limits = {}) {
    ctx.user = std::move(user);
    ctx.home = std::move(home);
    ctx.limits = limits;
    ctx.counters = &counters;
    sink = std::make_unique<ScpSink>(
        conn,
        ChannelIo{[this](std::string_view b) { out.append(b); },
                  [this](uint32_t s) { exit_status = static_cast<int>(s); }},
        ctx, std::move(args));
  }
  std::string Take() { return std::exchange(out, {}); }
  std::string Say(std::string_view bytes) {
    sink->Feed(bytes);
    return Take();
  }

  TestDecky decky;
  FakeConnection conn{*decky.decky, 22};
  TransferCounters counters;
  TransferContext ctx;
  std::unique_ptr<ScpSink> sink;
  std::string out;
  int exit_status = -1;
};

TEST(ScpCommand, RecognisesWhatScpClientsExec) {
  std::vector<std::string> args;
  ASSERT_TRUE(ParseScpSinkCommand("scp -t /tmp/", &args));
  EXPECT_EQ(args, (std::vector<std::string>{"-t", "/tmp/"}));
  ASSERT_TRUE(ParseScpSinkCommand("scp -v -r -p -d -t -- /tmp", &args));
  EXPECT_EQ(args.back(), "/tmp");
  ASSERT_TRUE(ParseScpSinkCommand("/usr/bin/scp -prt '/tmp/a b'", &args));
  EXPECT_EQ(args.back(), "/tmp/a b");
  EXPECT_FALSE(ParseScpSinkCommand("scp -f /etc/passwd", &args));
  EXPECT_FALSE(ParseScpSinkCommand("ls -t /tmp", &args));
  EXPECT_FALSE(ParseScpSinkCommand("scp -t '/tmp", &args));
  EXPECT_FALSE(ParseScpSinkCommand("", &args));
}

TEST(ScpSink, OneFileIntoADirectory) {
  Scp s({"-t", "/tmp/"});
  EXPECT_EQ(s.Take(), kAck);  // the sink speaks first
  EXPECT_EQ(s.Say("C0755 11 dropper.sh\n"), kAck);
  EXPECT_EQ(s.Say("#!/bin/sh\n"), "");
  EXPECT_EQ(s.Say(std::string("x") + kAck), kAck);
  auto ev = s.decky.Events("file_upload");
  ASSERT_EQ(ev.size(), 1u);
  const std::string sha = decoy::Sha256Hex("#!/bin/sh\nx");
  EXPECT_EQ(ParamOf(ev[0], "sha256"), sha);
  EXPECT_EQ(ParamOf(ev[0], "path"), "/tmp/dropper.sh");
  EXPECT_EQ(ParamOf(ev[0], "size"), "11");
  EXPECT_EQ(ParamOf(ev[0], "protocol"), "scp");
  std::ifstream f(s.decky.artifact_dir + "/" + sha, std::ios::binary);
  std::stringstream stored;
  stored << f.rdbuf();
  EXPECT_EQ(stored.str(), "#!/bin/sh\nx");
  s.sink->Eof();
  EXPECT_EQ(s.exit_status, 0);
  EXPECT_EQ(s.counters.uploads, 1u);
}

TEST(ScpSink, PlainTargetNamesTheFile) {
  Scp s({"-t", "renamed.bin"});
  s.Take();
  EXPECT_EQ(s.Say("C0644 3 original.bin\nabc" + kAck), kAck + kAck);
  ASSERT_EQ(s.decky.Events("file_upload").size(), 1u);
  EXPECT_EQ(ParamOf(s.decky.Events("file_upload")[0], "path"), "/root/renamed.bin");
}

// `scp -O -r -p dir host:/tmp`: T before each D and C, E closing the directory.
TEST(ScpSink, RecursiveWithTimes) {
  Scp s({"-r", "-p", "-d", "-t", "--", "/tmp"});
  s.Take();
  EXPECT_EQ(s.Say("T1700000000 0 1700000000 0\n"), kAck);
  EXPECT_EQ(s.Say("D0755 0 kit\n"), kAck);
  EXPECT_EQ(s.Say("T1700000000 0 1700000000 0\n"), kAck);
  EXPECT_EQ(s.Say("C0644 2 a\nhi" + kAck), kAck + kAck);
  EXPECT_EQ(s.Say("D0700 0 sub\nC0600 0 empty\n" + kAck + "E\n"), kAck + kAck + kAck + kAck);
  EXPECT_EQ(s.Say("E\n"), kAck);
  auto ev = s.decky.Events("file_upload");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ParamOf(ev[0], "path"), "/tmp/kit/a");
  EXPECT_EQ(ParamOf(ev[1], "path"), "/tmp/kit/sub/empty");
  EXPECT_EQ(ParamOf(ev[1], "size"), "0");
  s.sink->Eof();
  EXPECT_EQ(s.exit_status, 0);
}

TEST(ScpSink, ErrorsAsScpWritesThem) {
  {
    Scp s({"-t", "/tmp"});
    s.Take();
    EXPECT_EQ(s.Say("D0755 0 kit\n"), "\1scp: received directory without -r\n");
    EXPECT_EQ(s.exit_status, 1);
  }
  {
    Scp s({"-d", "-t", "/nonexistent"});
    EXPECT_EQ(s.Take(), "\1scp: /nonexistent: No such file or directory\n");
    EXPECT_EQ(s.exit_status, 1);
  }
  {
    Scp s({"-t", "/missing/"});
    s.Take();
    EXPECT_EQ(s.Say("C0644 3 a\n"), "\1scp: /missing/: Is a directory\n");
  }
  {
    Scp s({"-t", "/tmp", "/var"});
    EXPECT_EQ(s.Take(), "\1scp: ambiguous target\n");
  }
  {
    Scp s({"-t", "/tmp"});
    s.Take();
    EXPECT_EQ(s.Say("X junk\n"), "\1scp: X junk\n");  // the first line is echoed (a shell's words)
  }
  {
    Scp s({"-t", "/tmp"});
    s.Take();
    EXPECT_EQ(s.Say("T1 0 1 0\nX\n"), kAck + "\1scp: protocol error: expected control record\n");
  }
  {
    // A file that cannot be created: the client skips it, the next one arrives.
    Scp s({"-t", "/root"}, "alice", "/home/alice");
    s.Take();
    EXPECT_EQ(s.Say("C0644 3 a\n"), "\1scp: /root/a: Permission denied\n");
    EXPECT_FALSE(s.sink->closed());
    s.sink->Eof();
    EXPECT_EQ(s.exit_status, 1);
  }
}

TEST(ScpSinkHostile, RecordWithOneMebibyteName) {
  Scp s({"-t", "/tmp"});
  s.Take();
  const std::string rec = "C0644 5 " + std::string(1 << 20, 'A') + "\n";
  const std::string out = s.Say(rec);
  // scp reads 2047 bytes as the record, then the rest as the next one.
  EXPECT_EQ(out.rfind("\1scp: /tmp/AAAA", 0), 0u) << out.substr(0, 80);
  EXPECT_NE(out.find("A: File name too long\n"), std::string::npos);
  EXPECT_NE(out.find("\1scp: protocol error: expected control record\n"), std::string::npos);
  EXPECT_EQ(s.exit_status, 1);
  EXPECT_GE(s.counters.scp_lines_too_long, 1u);
  EXPECT_TRUE(s.decky.Events("file_upload").empty());
}

TEST(ScpSinkHostile, BadSizesAndModes) {
  const std::pair<std::string, std::string> cases[] = {
      {"C0644 99999999999999999999999 x\n", "size out of range"},
      {"C0644 9223372036854775808 x\n", "size out of range"},
      {"C0644 -5 x\n", "size not present"},
      {"C0644 12x y\n", "size not delimited"},
      {"C06a4 1 x\n", "bad mode"},
      {"C0644\n", "mode not delimited"},
      {"T12 0 x\n", "atime.sec not delimited"},
  };
  for (const auto& [rec, why] : cases) {
    Scp s({"-t", "/tmp"});
    s.Take();
    EXPECT_EQ(s.Say("T1 0 1 0\n" + rec), kAck + "\1scp: protocol error: " + why + "\n") << rec;
    EXPECT_EQ(s.exit_status, 1) << rec;
  }
  Scp s({"-t", "/tmp"});
  s.Take();
  EXPECT_EQ(s.Say("C0644 1 ../../etc/cron.d/x\n"),
            "\1scp: error: unexpected filename: ../../etc/cron.d/x\n");
  EXPECT_EQ(s.exit_status, 1);
}

TEST(ScpSinkHostile, SizeAndCountBoundsRefuseOneFileAndGoOn) {
  TransferLimits limits;
  limits.max_upload_bytes = 4;
  limits.max_scp_files = 1;
  Scp s({"-t", "/tmp"}, "root", "/root", limits);
  s.Take();
  EXPECT_EQ(s.Say("C0644 1000000000000 big\n"), "\1scp: /tmp/big: No space left on device\n");
  EXPECT_EQ(s.Say("C0644 4 ok\nabcd" + kAck), kAck + kAck);
  EXPECT_EQ(s.Say("C0644 4 third\n"), "\1scp: /tmp/third: Disk quota exceeded\n");
  EXPECT_EQ(s.counters.uploads_over_limit, 1u);
  EXPECT_EQ(s.counters.scp_files_refused, 1u);
  EXPECT_EQ(s.decky.Events("file_upload").size(), 1u);
}

TEST(ScpSinkHostile, EofInsideTheDataDiscardsTheFile) {
  Scp s({"-t", "/tmp"});
  s.Take();
  EXPECT_EQ(s.Say("C0644 100 f\nonly-some"), kAck);
  s.sink->Eof();
  EXPECT_EQ(s.Take(), "\1scp: dropped connection\n");
  EXPECT_EQ(s.exit_status, 1);
  EXPECT_EQ(s.counters.uploads_discarded, 1u);
  EXPECT_TRUE(s.decky.Events("file_upload").empty());
}

TEST(ScpSinkHostile, DepthIsBounded) {
  TransferLimits limits;
  limits.max_scp_depth = 3;
  Scp s({"-r", "-t", "/tmp"}, "root", "/root", limits);
  s.Take();
  std::string out = s.Say("D0755 0 a\nD0755 0 b\nD0755 0 c\n");
  EXPECT_EQ(out, kAck + kAck + "\1scp: /tmp/a/b/c: File name too long\n");
  EXPECT_EQ(s.counters.scp_files_refused, 1u);
}

}  // namespace
}  // namespace decnet::services::ssh_files

namespace decnet::services::ssh_files {
namespace {

// scp -p's times and modes land on the file, as utimes()/chmod() would set them; a later sftp on
// the same connection (a shared tree) sees them.
TEST(ScpSink, PreservedTimesAndModesShowInTheSharedTree) {
  TestDecky decky;
  FakeConnection conn(*decky.decky, 22);
  TransferContext ctx;
  ctx.tree = std::make_shared<FileTree>("root", "/root", 1780000000);
  std::string out;
  ChannelIo io{[&](std::string_view b) { out.append(b); }, [](uint32_t) {}};
  {
    ScpSink s(conn, io, ctx, {"-p", "-t", "/tmp"});
    s.Feed("T1700000000 0 1700000100 0\nC0750 1 a\nx" + kAck);
  }
  {
    ScpSink s(conn, io, ctx, {"-t", "/tmp"});
    s.Feed("C0777 1 b\ny" + kAck);
  }
  const FileNode* a = ctx.tree->Find("/tmp/a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->mtime, 1700000000);
  EXPECT_EQ(a->atime, 1700000100);
  EXPECT_EQ(a->mode, 0750u);
  ASSERT_NE(ctx.tree->Find("/tmp/b"), nullptr);
  EXPECT_EQ(ctx.tree->Find("/tmp/b")->mode, 0755u) << "umask 022 without -p";
  EXPECT_EQ(ctx.tree->Find("/tmp/b")->content, "y");
}

}  // namespace
}  // namespace decnet::services::ssh_files
