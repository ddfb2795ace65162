// The worker runtime's process-wide set-up.
#include "decnet/core/runtime.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace decnet {
namespace {

// A worker writing to a peer that already closed (the bus stopping first during a fleet stop) must
// see EPIPE and carry on; before the runtime ignored SIGPIPE the process died with exit 141.
std::string TempStateDir() {
  char tmpl[] = "/tmp/decnet-runtime-test.XXXXXX";
  return ::mkdtemp(tmpl);
}

// Init with `--state-dir dir` plus extra flags; returns the exit code or -1 for "keep running".
int InitWith(Runtime& rt, const std::string& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"decnet-runtime-test", "--state-dir", dir};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto code = rt.Init(static_cast<int>(args.size()), argv.data());
  return code ? *code : -1;
}

TEST(RuntimeTest, WriteToAClosedPeerIsEpipeNotSigpipe) {
  Runtime rt("runtime-test", "test");
  ASSERT_EQ(InitWith(rt, TempStateDir()), -1);
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  close(sv[1]);
  EXPECT_EQ(write(sv[0], "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
  close(sv[0]);
}

// Issue 14, finding 5: a second copy of a worker on the same state exits 2 instead of running
// beside the first (the original's embed mode plus a standalone worker duplicated every event).
TEST(RuntimeTest, SecondCopyOnTheSameStateExitsTwo) {
  const std::string dir = TempStateDir();
  auto first = std::make_unique<Runtime>("lock-test", "test");
  ASSERT_EQ(InitWith(*first, dir), -1);
  EXPECT_EQ(first->lock_path(), dir + "/locks/lock-test.lock");
  std::ifstream pidfile(first->lock_path());
  int pid = 0;
  pidfile >> pid;
  EXPECT_EQ(pid, getpid());

  Runtime second("lock-test", "test");
  EXPECT_EQ(InitWith(second, dir), kExitUsage);
  Runtime other_worker("lock-test-other", "test");
  EXPECT_EQ(InitWith(other_worker, dir), -1) << "a different worker has its own lock";
  Runtime elsewhere("lock-test", "test");
  EXPECT_EQ(InitWith(elsewhere, TempStateDir()), -1) << "a different state dir has its own lock";

  first.reset();  // the lock goes with the process (here: the runtime's descriptor)
  Runtime third("lock-test", "test");
  EXPECT_EQ(InitWith(third, dir), -1);
}

// Templated workers (the decky) lock per instance: locks/decky-<name>.lock.
TEST(RuntimeTest, LockKeyMakesOneLockPerInstance) {
  const std::string dir = TempStateDir();
  auto make = [] {
    auto rt = std::make_unique<Runtime>("decky", "test");
    rt->config().AddString("decky", "", "decky name");
    rt->SetLockKey("decky");
    return rt;
  };
  auto a = make(), b = make(), a2 = make(), bad = make(), empty = make();
  ASSERT_EQ(InitWith(*a, dir, {"--decky", "web1"}), -1);
  EXPECT_EQ(a->lock_path(), dir + "/locks/decky-web1.lock");
  EXPECT_EQ(InitWith(*b, dir, {"--decky", "web2"}), -1);
  EXPECT_EQ(InitWith(*a2, dir, {"--decky", "web1"}), kExitUsage);
  EXPECT_EQ(InitWith(*bad, dir, {"--decky", "../x"}), kExitUsage)
      << "the name is one path component";
  EXPECT_EQ(InitWith(*empty, dir), kExitUsage) << "no name, no instance lock";
}

}  // namespace
}  // namespace decnet
