#include "decnet/fleet/supervisor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "decnet/core/loop.h"
#include "decnet/fleet/worker_list.h"

namespace decnet::fleet {
namespace {

template <typename Pred>
bool RunUntil(uv_loop_t* loop, Pred pred, uint64_t timeout_ms = 10000) {
  bool timed_out = false;
  Timer t(loop);
  t.Start(timeout_ms, 0, [&] { timed_out = true; });
  while (!pred() && !timed_out) uv_run(loop, UV_RUN_ONCE);
  return pred();
}

const std::string kPause = std::string(DECNET_BINARY_DIR) + "/bench/floor-pause";

ChildSpec Spec(const std::string& name, const std::string& path,
               std::vector<std::string> args = {}) {
  ChildSpec s;
  s.name = name;
  s.path = path;
  s.args = std::move(args);
  return s;
}

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    char tmpl[] = "/tmp/decnet-sup-test.XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override {
    CloseAllHandles(&loop_);
    uv_loop_close(&loop_);
    ::rmdir(dir_.c_str());
  }
  uv_loop_t loop_;
  std::string dir_;
};

TEST_F(SupervisorTest, ReadyOverNotifySocketAndSpawningFromTheCallback) {
  Supervisor sup(&loop_, dir_ + "/notify.sock");
  ASSERT_TRUE(sup.Start());
  // Like `decnet fleet up`: the others are started from the first one's READY.
  sup.OnChange([&](const ChildStatus& c) {
    if (c.name == "first" && c.state == ChildState::kReady) {
      for (int i = 0; i < 8; ++i) ASSERT_TRUE(sup.Spawn(Spec("next" + std::to_string(i), kPause)));
    }
  });
  ASSERT_TRUE(sup.Spawn(Spec("first", kPause)));
  ASSERT_TRUE(RunUntil(&loop_, [&] {
    for (const auto& c : sup.Children()) {
      if (c.state != ChildState::kReady) return false;
    }
    return sup.Children().size() == 9;
  }));
  bool stopped = false;
  sup.StopAll(5000, [&] { stopped = true; });
  ASSERT_TRUE(RunUntil(&loop_, [&] { return stopped; }));
  for (const auto& c : sup.Children()) EXPECT_EQ(c.state, ChildState::kExited) << c.name;
}

TEST_F(SupervisorTest, CrashingChildIsRestartedAndBadConfigIsNot) {
  Supervisor sup(&loop_, dir_ + "/notify.sock");
  ASSERT_TRUE(sup.Start());
  ASSERT_TRUE(sup.Spawn(Spec("crashy", "/bin/sh", {"-c", "exit 1"})));
  ASSERT_TRUE(sup.Spawn(Spec("badcfg", "/bin/sh", {"-c", "exit 2"})));
  ASSERT_TRUE(RunUntil(&loop_, [&] { return sup.Find("crashy")->restarts >= 2; }));
  EXPECT_EQ(sup.Find("badcfg")->state, ChildState::kFailed);
  EXPECT_EQ(sup.Find("badcfg")->restarts, 0);
  EXPECT_EQ(sup.Find("badcfg")->last_exit, 2);
  // Stop while "crashy" waits out its backoff: it is stopped, not left showing "backoff".
  ASSERT_TRUE(RunUntil(&loop_, [&] { return sup.Find("crashy")->state == ChildState::kBackoff; }));
  bool stopped = false;
  sup.StopAll(5000, [&] { stopped = true; });
  ASSERT_TRUE(RunUntil(&loop_, [&] { return stopped; }));
  EXPECT_EQ(sup.Find("crashy")->state, ChildState::kExited);
  EXPECT_EQ(sup.Find("badcfg")->state, ChildState::kFailed);
}

TEST_F(SupervisorTest, ChildrenAreToldWhoTheirSupervisorIs) {
  Supervisor sup(&loop_, dir_ + "/notify.sock");
  ASSERT_TRUE(sup.Start());
  const std::string out = dir_ + "/env.txt";
  ASSERT_TRUE(sup.Spawn(
      Spec("env", "/bin/sh", {"-c", "echo \"$DECNET_SUPERVISOR_PID\" > " + out + "; exit 2"})));
  ASSERT_TRUE(RunUntil(&loop_, [&] { return sup.Find("env")->state == ChildState::kFailed; }));
  FILE* f = std::fopen(out.c_str(), "r");
  ASSERT_NE(f, nullptr);
  char buf[32] = {0};
  ASSERT_NE(std::fgets(buf, sizeof buf, f), nullptr);
  std::fclose(f);
  ::unlink(out.c_str());
  EXPECT_EQ(std::atoi(buf), ::getpid());
}

TEST(WorkerListTest, ReadsTheGeneratedListAndTheBudgets) {
  auto list = ReadWorkerList(std::string(DECNET_BINARY_DIR) + "/workers.tsv");
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_FALSE(list->empty());
  EXPECT_EQ(list->front().name, "bus");
  EXPECT_EQ(list->front().executable, "decnet-bus");
  auto budgets = ReadBudgets(std::string(DECNET_SOURCE_DIR) + "/bench/floor_budgets.tsv");
  ASSERT_TRUE(budgets) << budgets.error().message;
  for (const auto& w : *list) EXPECT_TRUE(budgets->count(w.name)) << "no budget for " << w.name;
  // A path inside the build tree that nothing makes (a fixed "/nonexistent" may exist on a host).
  EXPECT_FALSE(ReadBudgets(std::string(DECNET_BINARY_DIR) + "/no-such-dir/floor_budgets.tsv"));
}

}  // namespace
}  // namespace decnet::fleet
