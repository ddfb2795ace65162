// Command output per persona: facts that must hold on the host the persona plays.
#include <gtest/gtest.h>

#include "shell_harness.h"

namespace decnet::services::shell {
namespace {

using testing::Distro;
using testing::ShellSession;

TEST(Commands, UnameAndHostnameTellThePersona) {
  ShellSession s(Distro("debian", "db-07"));
  s.shell->Start();
  EXPECT_EQ(s.Run("uname -r"), s.decky.persona.kernel() + "\n");
  EXPECT_EQ(s.Run("hostname"), "db-07\n");
  EXPECT_EQ(s.Run("uname -n"), "db-07\n");
  EXPECT_EQ(s.Run("uname -m"), "x86_64\n");
  const std::string a = s.Run("uname -a");
  EXPECT_EQ(a, "Linux db-07 " + s.decky.persona.kernel() +
                   " #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64 GNU/Linux\n");
  EXPECT_EQ(s.Run("cat /etc/hostname"), "db-07\n");
  EXPECT_NE(s.Run("cat /etc/os-release").find("ID=debian\n"), std::string::npos);
  EXPECT_EQ(s.Run("cat /etc/debian_version"), "12.5\n");
  EXPECT_EQ(s.Run("whoami"), "root\n");
  EXPECT_EQ(s.Run("id"), "uid=0(root) gid=0(root) groups=0(root)\n");
}

}  // namespace
}  // namespace decnet::services::shell
