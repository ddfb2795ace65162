// SFTP v3 through the server alone: the packets OpenSSH's sftp sends (written here from
// draft-ietf-secsh-filexfer-02), checked field by field in the answers, and hostile streams.
#include "decnet/services/ssh_files/sftp.h"

#include <dirent.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/testing.h"
#include "ssh_files_fuzz_entry.h"

namespace decnet::services::ssh_files {
namespace {

using decoy::testing::FakeConnection;
using decoy::testing::ParamOf;
using decoy::testing::TestDecky;

// A request as the client builds it.
struct Pkt {
  std::string body;
  Pkt& U8(uint8_t v) { return body += static_cast<char>(v), *this; }
  Pkt& U32(uint32_t v) {
    for (int i = 3; i >= 0; --i) body += static_cast<char>(v >> (8 * i));
    return *this;
  }
  Pkt& U64(uint64_t v) { return U32(static_cast<uint32_t>(v >> 32)).U32(static_cast<uint32_t>(v)); }
  Pkt& Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    body.append(s);
    return *this;
  }
  std::string Wire() const { return Pkt().U32(static_cast<uint32_t>(body.size())).body + body; }
};

// Reads an answer back (owns it: answers are temporaries).
struct Reader {
  explicit Reader(std::string bytes) : data(std::move(bytes)), rest(data) {}
  Reader& operator=(Reader&& o) {
    data = std::move(o.data);
    rest = data;
    return *this;
  }
  uint8_t U8() {
    const uint8_t v = static_cast<uint8_t>(rest.at(0));
    rest.remove_prefix(1);
    return v;
  }
  uint32_t U32() {
    EXPECT_GE(rest.size(), 4u);
    if (rest.size() < 4) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(rest[i]);
    rest.remove_prefix(4);
    return v;
  }
  uint64_t U64() {
    const uint64_t hi = U32();
    return (hi << 32) | U32();
  }
  std::string Str() {
    const uint32_t n = U32();
    std::string s(rest.substr(0, n));
    rest.remove_prefix(std::min<size_t>(n, rest.size()));
    return s;
  }
  std::string data;
  std::string_view rest;
};

constexpr uint8_t kOpen = 3, kClose = 4, kRead = 5, kWrite = 6, kFstat = 8, kSetstat = 9,
                  kOpendir = 11, kReaddir = 12, kRemove = 13, kMkdir = 14, kRmdir = 15,
                  kRealpath = 16, kStat = 17, kRename = 18, kSymlink = 20, kExtended = 200;
constexpr uint8_t kStatus = 101, kHandle = 102, kData = 103, kName = 104, kAttrs = 105,
                  kExtendedReply = 201;

struct Harness {
  explicit Harness(std::string user = "root", std::string home = "/root") {
    ctx.user = std::move(user);
    ctx.home = std::move(home);
    ctx.counters = &counters;
  }
  void Start() {
    server = std::make_unique<SftpServer>(
        conn,
        ChannelIo{[this](std::string_view b) { out.append(b); },
                  [this](uint32_t s) { exit_status = static_cast<int>(s); }},
        ctx);
    server->Feed(Pkt().U8(1).U32(3).Wire());
    Next();  // VERSION
  }
  // The next whole answer packet (type first), removed from `out`.
  std::string Next() {
    if (out.size() < 4) return "";
    Reader r(out.substr(0, 4));
    const uint32_t len = r.U32();
    std::string p = out.substr(4, len);
    out.erase(0, 4 + len);
    return p;
  }
  std::string Ask(const Pkt& p) {
    server->Feed(p.Wire());
    return Next();
  }
  uint32_t StatusOf(const std::string& answer, uint32_t id) {
    Reader r(answer);
    EXPECT_EQ(r.U8(), kStatus);
    EXPECT_EQ(r.U32(), id);
    return r.U32();
  }
  std::string HandleOf(const std::string& answer) {
    Reader r(answer);
    EXPECT_EQ(r.U8(), kHandle) << "answer type";
    r.U32();
    return r.Str();
  }
  std::string OpenWrite(std::string_view path, uint32_t id = 10) {
    return HandleOf(Ask(Pkt().U8(kOpen).U32(id).Str(path).U32(0x1a).U32(0)));  // WRITE|CREAT|TRUNC
  }
  // READDIR until EOF: every name with its long name.
  std::vector<std::pair<std::string, std::string>> List(std::string_view dir) {
    const std::string h = HandleOf(Ask(Pkt().U8(kOpendir).U32(20).Str(dir)));
    std::vector<std::pair<std::string, std::string>> names;
    for (uint32_t id = 21;; ++id) {
      Reader r{Ask(Pkt().U8(kReaddir).U32(id).Str(h))};
      const uint8_t type = r.U8();
      EXPECT_EQ(r.U32(), id);
      if (type == kStatus) {
        EXPECT_EQ(r.U32(), 1u);  // EOF
        break;
      }
      EXPECT_EQ(type, kName);
      for (uint32_t n = r.U32(); n > 0; --n) {
        std::string name = r.Str(), longname = r.Str();
        const uint32_t flags = r.U32();
        EXPECT_EQ(flags, 0xfu);
        r.U64();
        r.U32();
        r.U32();
        r.U32();
        r.U32();
        r.U32();
        names.emplace_back(name, longname);
      }
    }
    EXPECT_EQ(StatusOf(Ask(Pkt().U8(kClose).U32(99).Str(h)), 99), 0u);
    return names;
  }

  TestDecky decky;
  FakeConnection conn{*decky.decky, 22};
  TransferCounters counters;
  TransferContext ctx;
  std::unique_ptr<SftpServer> server;
  std::string out;
  int exit_status = -1;
};

TEST(Sftp, VersionAdvertisesOpensshExtensionsInOrder) {
  Harness h;
  h.server = std::make_unique<SftpServer>(
      h.conn, ChannelIo{[&](std::string_view b) { h.out.append(b); }, [](uint32_t) {}}, h.ctx);
  h.server->Feed(Pkt().U8(1).U32(3).Wire());
  Reader r{h.Next()};
  EXPECT_EQ(r.U8(), 2);  // VERSION
  EXPECT_EQ(r.U32(), 3u);
  std::vector<std::string> names;
  while (!r.rest.empty()) {
    names.push_back(r.Str());
    r.Str();
  }
  const std::vector<std::string> want = {"posix-rename@openssh.com",
                                         "statvfs@openssh.com",
                                         "fstatvfs@openssh.com",
                                         "hardlink@openssh.com",
                                         "fsync@openssh.com",
                                         "lsetstat@openssh.com",
                                         "limits@openssh.com",
                                         "expand-path@openssh.com",
                                         "copy-data",
                                         "home-directory",
                                         "users-groups-by-id@openssh.com"};
  EXPECT_EQ(names, want);
}

TEST(Sftp, RealpathAndLimitsAsSftpAsksAtStart) {
  Harness h("alice", "/home/alice");
  h.Start();
  Reader r{h.Ask(Pkt().U8(kExtended).U32(1).Str("limits@openssh.com"))};
  EXPECT_EQ(r.U8(), kExtendedReply);
  EXPECT_EQ(r.U32(), 1u);
  EXPECT_EQ(r.U64(), 262144u);
  EXPECT_EQ(r.U64(), 261120u);
  EXPECT_EQ(r.U64(), 261120u);
  r = Reader{h.Ask(Pkt().U8(kRealpath).U32(2).Str("."))};
  EXPECT_EQ(r.U8(), kName);
  EXPECT_EQ(r.U32(), 2u);
  EXPECT_EQ(r.U32(), 1u);
  EXPECT_EQ(r.Str(), "/home/alice");
  r = Reader{h.Ask(Pkt().U8(kExtended).U32(3).Str("expand-path@openssh.com").Str("~/.ssh/../"))};
  EXPECT_EQ(r.U8(), kName);
  r.U32();
  r.U32();
  EXPECT_EQ(r.Str(), "/home/alice");
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kRealpath).U32(4).Str("/nope/x")), 4), 2u);
  // A missing last component is canonicalized (sftp's put -r asks before it makes the directory).
  r = Reader{h.Ask(Pkt().U8(kRealpath).U32(5).Str("/tmp/./new"))};
  EXPECT_EQ(r.U8(), kName);
  r.U32();
  r.U32();
  EXPECT_EQ(r.Str(), "/tmp/new");
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kRealpath).U32(6).Str("/tmp/new/")), 6), 2u);
}

TEST(Sftp, ListingOfHomeAndTmpLooksLikeLsL) {
  Harness h;
  h.Start();
  auto home = h.List("/root");
  std::map<std::string, std::string> by_name(home.begin(), home.end());
  ASSERT_TRUE(by_name.count("."));
  ASSERT_TRUE(by_name.count(".."));
  ASSERT_TRUE(by_name.count(".bashrc"));
  ASSERT_TRUE(by_name.count(".ssh"));
  EXPECT_EQ(by_name[".bashrc"].rfind("-rw-r--r--    1 root     root     ", 0), 0u)
      << by_name[".bashrc"];
  EXPECT_EQ(by_name[".ssh"].rfind("drwx------    2 root     root         4096 ", 0), 0u)
      << by_name[".ssh"];
  auto tmp = h.List("/tmp");
  std::string all;
  for (auto& [n, l] : tmp) all += l + "\n";
  EXPECT_NE(all.find("drwxrwxrwt    2 root     root         4096 "), std::string::npos) << all;
  EXPECT_NE(all.find(" .X11-unix\n"), std::string::npos) << all;
  EXPECT_NE(all.find("systemd-private-"), std::string::npos) << all;
}

// The sequence `sftp> put local /tmp/x.sh` produces, then the upload read back.
TEST(Sftp, UploadBecomesArtifactEventAndListedFile) {
  Harness h;
  h.Start();
  std::string data(70000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + (i >> 9));
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kStat).U32(9).Str("/tmp/x.sh")), 9), 2u);
  const std::string handle = h.OpenWrite("/tmp/x.sh");
  ASSERT_EQ(handle.size(), 4u);
  // Pipelined, as sftp sends them: 32 KiB writes, answers afterwards.
  std::string wire;
  uint32_t id = 11;
  for (size_t at = 0; at < data.size(); at += 32768) {
    wire += Pkt().U8(kWrite).U32(id++).Str(handle).U64(at).Str(data.substr(at, 32768)).Wire();
  }
  h.server->Feed(wire);
  for (uint32_t i = 11; i < id; ++i) EXPECT_EQ(h.StatusOf(h.Next(), i), 0u);
  Reader fst{h.Ask(Pkt().U8(kFstat).U32(40).Str(handle))};
  EXPECT_EQ(fst.U8(), kAttrs);
  fst.U32();
  fst.U32();
  EXPECT_EQ(fst.U64(), data.size());
  EXPECT_EQ(h.decky.Events("file_upload").size(), 0u) << "an upload counts only once closed";
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kClose).U32(41).Str(handle)), 41), 0u);

  auto ev = h.decky.Events("file_upload");
  ASSERT_EQ(ev.size(), 1u);
  const std::string sha = decoy::Sha256Hex(data);
  EXPECT_EQ(ParamOf(ev[0], "sha256"), sha);
  EXPECT_EQ(ParamOf(ev[0], "path"), "/tmp/x.sh");
  EXPECT_EQ(ParamOf(ev[0], "size"), "70000");
  EXPECT_EQ(ParamOf(ev[0], "stored"), "70000");
  EXPECT_EQ(ParamOf(ev[0], "protocol"), "sftp");
  EXPECT_EQ(ParamOf(ev[0], "src_ip"), "203.0.113.7");
  std::ifstream f(h.decky.artifact_dir + "/" + sha, std::ios::binary);
  std::stringstream stored;
  stored << f.rdbuf();
  EXPECT_EQ(stored.str(), data);
  EXPECT_EQ(h.counters.uploads, 1u);

  // Now it is a file of the host: STAT, the listing, and a download give it back.
  Reader st{h.Ask(Pkt().U8(kStat).U32(42).Str("/tmp/x.sh"))};
  EXPECT_EQ(st.U8(), kAttrs);
  st.U32();
  EXPECT_EQ(st.U32(), 0xfu);
  EXPECT_EQ(st.U64(), data.size());
  bool listed = false;
  for (auto& [n, l] : h.List("/tmp")) listed |= n == "x.sh";
  EXPECT_TRUE(listed);
  const std::string rh = h.HandleOf(h.Ask(Pkt().U8(kOpen).U32(43).Str("/tmp/x.sh").U32(1).U32(0)));
  std::string back;
  for (uint32_t rid = 44;; ++rid) {
    Reader r{h.Ask(Pkt().U8(kRead).U32(rid).Str(rh).U64(back.size()).U32(32768))};
    const uint8_t type = r.U8();
    r.U32();
    if (type == kStatus) {
      EXPECT_EQ(r.U32(), 1u);
      break;
    }
    ASSERT_EQ(type, kData);
    back += r.Str();
  }
  EXPECT_EQ(back, data);
}

TEST(Sftp, UploadPastTheMemoryBoundReadsBackFromTheArtifact) {
  Harness h;
  h.ctx.limits.max_readback_bytes = 1000;
  h.Start();
  std::string data(5000, 'q');
  data[4999] = 'z';
  const std::string handle = h.OpenWrite("/tmp/big");
  ASSERT_EQ(h.StatusOf(h.Ask(Pkt().U8(kWrite).U32(1).Str(handle).U64(0).Str(data)), 1), 0u);
  ASSERT_EQ(h.StatusOf(h.Ask(Pkt().U8(kClose).U32(2).Str(handle)), 2), 0u);
  std::string wire, back;
  for (int i = 0; i < 100; ++i) wire += Pkt().U8(kOpen).U32(3).Str("/tmp/big").U32(1).U32(0).Wire();
  h.server->Feed(wire);  // 100 readers of one file cost no copy each
  const std::string rh = h.HandleOf(h.Next());
  for (int i = 1; i < 100; ++i) EXPECT_EQ(h.HandleOf(h.Next()).size(), 4u);
  for (uint32_t rid = 10; back.size() < data.size(); ++rid) {
    Reader r(h.Ask(Pkt().U8(kRead).U32(rid).Str(rh).U64(back.size()).U32(1536)));
    ASSERT_EQ(r.U8(), kData);
    r.U32();
    back += r.Str();
  }
  EXPECT_EQ(back, data);
}

TEST(Sftp, WriteAtAnotherOffsetIsRefusedAndCounted) {
  Harness h;
  h.Start();
  const std::string handle = h.OpenWrite("/tmp/y");
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kWrite).U32(1).Str(handle).U64(0).Str("abc")), 1), 0u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kWrite).U32(2).Str(handle).U64(100).Str("x")), 2), 4u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kWrite).U32(3).Str(handle).U64(0).Str("x")), 3), 4u);
  EXPECT_EQ(h.counters.writes_out_of_order, 2u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kClose).U32(4).Str(handle)), 4), 0u);
  ASSERT_EQ(h.decky.Events("file_upload").size(), 1u);
  EXPECT_EQ(ParamOf(h.decky.Events("file_upload")[0], "size"), "3");
}

TEST(Sftp, SplitAnywhereGivesTheSameAnswers) {
  std::string wire = Pkt().U8(1).U32(3).Wire();
  wire += Pkt().U8(kRealpath).U32(1).Str(".").Wire();
  wire += Pkt().U8(kOpen).U32(2).Str("up.bin").U32(0x1a).U32(0).Wire();
  wire += Pkt().U8(kWrite).U32(3).Str(std::string("\0\0\0\0", 4)).U64(0).Str("payload").Wire();
  wire += Pkt().U8(kClose).U32(4).Str(std::string("\0\0\0\0", 4)).Wire();
  std::string whole, split;
  for (size_t chunk : {wire.size(), size_t{1}}) {
    Harness h;
    std::string& out = chunk == 1 ? split : whole;
    SftpServer s(h.conn, ChannelIo{[&](std::string_view b) { out.append(b); }, [](uint32_t) {}},
                 h.ctx);
    for (size_t at = 0; at < wire.size(); at += chunk) s.Feed(wire.substr(at, chunk));
    auto ev = h.decky.Events("file_upload");
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ParamOf(ev[0], "path"), "/root/up.bin");
  }
  EXPECT_EQ(whole, split);
  EXPECT_FALSE(whole.empty());
}

TEST(Sftp, FileOperationsChangeTheModel) {
  Harness h;
  h.Start();
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kMkdir).U32(1).Str("/tmp/d").U32(0)), 1), 0u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kMkdir).U32(2).Str("/tmp/d").U32(0)), 2), 4u);  // exists
  const std::string fh = h.OpenWrite("/tmp/d/f");
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kClose).U32(3).Str(fh)), 3), 0u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kRmdir).U32(4).Str("/tmp/d")), 4), 4u);  // not empty
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kRename).U32(5).Str("/tmp/d/f").Str("/tmp/g")), 5), 0u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kStat).U32(6).Str("/tmp/d/f")), 6), 2u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kRmdir).U32(7).Str("/tmp/d")), 7), 0u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kSetstat).U32(8).Str("/tmp/g").U32(4).U32(0700)), 8), 0u);
  {
    Reader st(h.Ask(Pkt().U8(kStat).U32(80).Str("/tmp/g")));
    EXPECT_EQ(st.U8(), kAttrs);
    st.U32();
    st.U32();
    st.U64();
    st.U32();
    st.U32();
    EXPECT_EQ(st.U32(), 0100700u) << "chmod shows in a later stat";
  }
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kRemove).U32(9).Str("/tmp/g")), 9), 0u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kRemove).U32(10).Str("/tmp/g")), 10), 2u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kSymlink).U32(11).Str("a").Str("b")), 11), 8u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(99).U32(12)), 12), 8u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kExtended).U32(13).Str("nope@example.com")), 13), 8u);
  EXPECT_EQ(h.counters.unsupported, 3u);
  EXPECT_EQ(h.decky.Events("file_op").size(), 5u);  // mkdir, rename, rmdir, setstat, remove
}

TEST(Sftp, StatusCarriesOpensshMessage) {
  Harness h;
  h.Start();
  Reader r{h.Ask(Pkt().U8(kStat).U32(5).Str("/etc/shadow-nope"))};
  r.U8();
  r.U32();
  EXPECT_EQ(r.U32(), 2u);
  EXPECT_EQ(r.Str(), "No such file");
  EXPECT_EQ(r.Str(), "");
}

TEST(Sftp, UserOtherThanRootCannotWriteOutsideHomeOrSeeRoot) {
  Harness h("alice", "/home/alice");
  h.Start();
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kOpendir).U32(1).Str("/root")), 1), 3u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kOpen).U32(2).Str("/etc/x").U32(0x1a).U32(0)), 2), 3u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kSetstat).U32(6).Str("/tmp").U32(4).U32(0777)), 6), 3u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kOpen).U32(3).Str("/nodir/x").U32(0x1a).U32(0)), 3), 2u);
  EXPECT_EQ(h.OpenWrite("/home/alice/ok").size(), 4u);
  // scp (SFTP mode) to "host:/missing/": the name with its slash cannot be a file.
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kOpen).U32(4).Str("/tmp/missing/").U32(0x1a).U32(0)), 4), 4u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kOpen).U32(5).Str("/no/missing/").U32(0x1a).U32(0)), 5), 2u);
}

// --- hostile input

TEST(SftpHostile, LengthOverTheBoundEndsTheSessionLikeSftpServer) {
  Harness h;
  h.Start();
  h.server->Feed(std::string("\xff\xff\xff\xff\x03", 5));
  EXPECT_TRUE(h.server->closed());
  EXPECT_EQ(h.exit_status, 11);
  EXPECT_EQ(h.counters.packets_too_long, 1u);
  EXPECT_EQ(h.out, "");
  h.server->Feed(Pkt().U8(kRealpath).U32(1).Str(".").Wire());  // ignored after the exit
  EXPECT_EQ(h.out, "");
}

TEST(SftpHostile, FieldsThatOverrunThePacketAreMalformed) {
  Harness h;
  h.Start();
  // REALPATH whose string says 1000 bytes inside a 12-byte packet.
  Pkt overrun;
  overrun.U8(kRealpath).U32(1).U32(1000);
  h.server->Feed(overrun.Wire());
  EXPECT_TRUE(h.server->closed());
  EXPECT_EQ(h.exit_status, 255);
  EXPECT_EQ(h.counters.malformed, 1u);
}

TEST(SftpHostile, TruncatedPacketThenEofLeavesNothing) {
  Harness h;
  h.Start();
  const std::string handle = h.OpenWrite("/tmp/partial");
  ASSERT_EQ(h.StatusOf(h.Ask(Pkt().U8(kWrite).U32(1).Str(handle).U64(0).Str("half")), 1), 0u);
  const std::string w = Pkt().U8(kWrite).U32(2).Str(handle).U64(4).Str("rest").Wire();
  h.server->Feed(w.substr(0, w.size() - 2));
  EXPECT_EQ(h.out, "");
  h.server->Eof();
  EXPECT_EQ(h.exit_status, 0);
  EXPECT_TRUE(h.decky.Events("file_upload").empty());
  EXPECT_EQ(h.counters.uploads_discarded, 1u);
  // The partial upload is discarded from the store, not left as an incoming file.
  DIR* d = opendir(h.decky.artifact_dir.c_str());
  int files = 0;
  if (d) {
    while (dirent* e = readdir(d)) files += e->d_name[0] != '.' || strlen(e->d_name) > 2;
    closedir(d);
  }
  EXPECT_EQ(files, 0);
}

TEST(SftpHostile, RequestBeforeInitEndsTheSession) {
  Harness h;
  SftpServer s(h.conn,
               ChannelIo{[&](std::string_view b) { h.out.append(b); },
                         [&](uint32_t st) { h.exit_status = static_cast<int>(st); }},
               h.ctx);
  s.Feed(Pkt().U8(kRealpath).U32(1).Str(".").Wire());
  EXPECT_TRUE(s.closed());
  EXPECT_EQ(h.exit_status, 1);
  EXPECT_EQ(h.out, "");
}

TEST(SftpHostile, TenThousandOpenHandlesStopAtTheBound) {
  Harness h;
  h.Start();
  std::string wire;
  for (uint32_t i = 0; i < 10000; ++i) wire += Pkt().U8(kOpendir).U32(i).Str("/tmp").Wire();
  h.server->Feed(wire);
  size_t handles = 0, failures = 0;
  for (std::string a = h.Next(); !a.empty(); a = h.Next()) {
    if (a[0] == static_cast<char>(kHandle)) ++handles;
    if (a[0] == static_cast<char>(kStatus)) ++failures;
  }
  EXPECT_EQ(handles, 256u);
  EXPECT_EQ(failures, 10000u - 256u);
  EXPECT_EQ(h.counters.handles_refused, 10000u - 256u);
  EXPECT_FALSE(h.server->closed());
}

TEST(SftpHostile, UploadOverTheByteBoundIsRefused) {
  Harness h;
  h.ctx.limits.max_upload_bytes = 10;
  h.Start();
  const std::string handle = h.OpenWrite("/tmp/big");
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kWrite).U32(1).Str(handle).U64(0).Str("0123456789")), 1), 0u);
  EXPECT_EQ(h.StatusOf(h.Ask(Pkt().U8(kWrite).U32(2).Str(handle).U64(10).Str("x")), 2), 4u);
  EXPECT_EQ(h.counters.uploads_over_limit, 1u);
}

TEST(SftpHostile, DirectoryModelGrowthIsBounded) {
  Harness h;
  h.ctx.limits.max_nodes = 40;
  h.Start();
  int refused = 0;
  for (uint32_t i = 0; i < 100; ++i) {
    refused +=
        h.StatusOf(h.Ask(Pkt().U8(kMkdir).U32(i).Str("/tmp/d" + std::to_string(i)).U32(0)), i) != 0;
  }
  EXPECT_GT(refused, 50);
  EXPECT_EQ(h.counters.nodes_refused, static_cast<uint64_t>(refused));
}

TEST(SftpHostile, FuzzEntrySurvivesHostileStreams) {
  std::vector<std::string> inputs = {
      "",
      std::string("\xff\xff\xff\xff", 4),
      std::string(5000, '\0'),
      std::string(5000, '\x03'),
      Pkt().U8(kOpen).U32(1).Str("/tmp/a").U32(0xffffffff).U32(0x80000000).U32(0xffffffff).Wire(),
      "C0644 99999999999999999999999 x\nD0755 0 a\nE\nE\nE\n",
      "T1 0 1 0\nC0644 3 f\nabc"};
  for (auto& in : inputs) {
    fuzz::SshFilesBytes(reinterpret_cast<const uint8_t*>(in.data()), in.size());
  }
  SUCCEED();
}

}  // namespace
}  // namespace decnet::services::ssh_files

namespace decnet::services::ssh_files {
namespace {

TEST(FileTree, SameSeedSameHostOtherSeedOtherNames) {
  constexpr int64_t kNow = 1780000000, kBoot = kNow - 5 * 86400;
  FileTree a("root", "/root", kNow, 1024, 42, kBoot),
      b("root", "/root", kNow + 60, 1024, 42, kBoot);
  FileTree c("root", "/root", kNow, 1024, 43, kBoot);
  auto names = [](const FileTree& t) {
    std::vector<std::string> out;
    for (auto& [n, node] : t.List("/tmp")) out.push_back(n + "@" + std::to_string(node->mtime));
    return out;
  };
  EXPECT_EQ(names(a), names(b)) << "a later session sees the same /tmp";
  EXPECT_NE(names(a), names(c));
  // systemd's directories were made at boot, and each unit has its own random suffix.
  std::vector<std::string> privates;
  for (auto& [n, node] : a.List("/tmp")) {
    if (n.rfind("systemd-private-", 0) == 0) {
      privates.push_back(n.substr(n.size() - 6));
      EXPECT_GE(node->mtime, kBoot);
      EXPECT_LT(node->mtime, kBoot + 60);
    }
  }
  ASSERT_EQ(privates.size(), 2u);
  EXPECT_NE(privates[0], privates[1]);
  EXPECT_LT(a.Find("/root/.bashrc")->mtime, kBoot - 29 * 86400);
}

TEST(FileTree, ResolvePathStaysInsideRootAndBounded) {
  EXPECT_EQ(ResolvePath("/root", "../../../etc//passwd/."), "/etc/passwd");
  EXPECT_EQ(ResolvePath("/root", ""), "/root");
  EXPECT_EQ(ResolvePath("/root", "~/x", "/home/a"), "/home/a/x");
  EXPECT_EQ(ResolvePath("/root", "~x"), "/root/~x");
  EXPECT_EQ(ResolvePath("/", std::string(5000, 'a')), "");
}

}  // namespace
}  // namespace decnet::services::ssh_files
