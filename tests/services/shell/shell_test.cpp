// The session: banner, prompt, line discipline, events, exec mode, recording.
#include "decnet/services/shell/shell.h"

#include <gtest/gtest.h>

#include "shell_harness.h"

namespace decnet::services::shell {
namespace {

using decoy::testing::ParamOf;
using testing::Distro;
using testing::ShellSession;

TEST(Shell, DebianBannerAndPrompt) {
  ShellSession s;
  s.shell->Start();
  const std::string screen = s.term.Take();
  EXPECT_EQ(screen.rfind("Linux web-01 " + s.decky.persona.kernel() + " #1 SMP", 0), 0u) << screen;
  EXPECT_NE(
      screen.find("The programs included with the Debian GNU/Linux system are free software;\r\n"),
      std::string::npos);
  EXPECT_NE(screen.find("Last login: "), std::string::npos);
  EXPECT_TRUE(screen.ends_with("\r\nroot@web-01:~# ")) << screen;
}

TEST(Shell, EchoesRunsAndPrompts) {
  ShellSession s;
  s.shell->Start();
  EXPECT_EQ(s.Type("echo hi"), "echo hi\r\nhi\r\nroot@web-01:~# ");
  EXPECT_EQ(s.Run("cd /tmp; pwd"), "/tmp\n");
  EXPECT_TRUE(s.Type("").ends_with("root@web-01:/tmp# "));
  ASSERT_EQ(s.decky.Events("command").size(), 2u);
  const std::string ev = s.decky.Events("command")[1];
  EXPECT_EQ(ParamOf(ev, "input"), "cd /tmp; pwd");
  EXPECT_EQ(ParamOf(ev, "cwd"), "/root");
  EXPECT_EQ(ParamOf(ev, "user"), "root");
}

TEST(Shell, ExitEndsTheSession) {
  ShellSession s;
  s.shell->Start();
  s.term.Take();
  s.shell->Feed("exit 3\r");
  EXPECT_TRUE(s.term.exited);
  EXPECT_EQ(s.term.exit_status, 3);
  EXPECT_NE(s.term.screen.find("logout\r\n"), std::string::npos);
  s.shell->Feed("echo after\r");
  EXPECT_FALSE(s.term.after_exit);
  EXPECT_EQ(s.term.exits, 1);
}

TEST(Shell, UnknownCommand) {
  ShellSession s;
  s.shell->Start();
  EXPECT_EQ(s.Run("frobnicate -x"), "-bash: frobnicate: command not found\n");
  EXPECT_EQ(s.Run("echo $?"), "127\n");
}

}  // namespace
}  // namespace decnet::services::shell
