// Inputs built to hurt the shell: every one must end with bounded output and state, and no crash.
#include <gtest/gtest.h>

#include <random>

#include "shell_fuzz_entry.h"
#include "shell_harness.h"

namespace decnet::services::shell {
namespace {

using testing::Distro;
using testing::ShellSession;

std::string Nested(int n, std::string_view open, std::string_view inner, std::string_view close) {
  std::string s;
  for (int i = 0; i < n; ++i) s += open;
  s += inner;
  for (int i = 0; i < n; ++i) s += close;
  return s;
}

TEST(Hostile, TenThousandNestedSubstitutionsStopAtTheDepthBound) {
  ShellSession s(Distro("debian"), false);
  s.shell->Exec("echo " + Nested(10000, "$(", "id -u", ")"));
  EXPECT_TRUE(s.term.exited);
  EXPECT_NE(s.term.screen.find("maximum function nesting level exceeded"), std::string::npos);
  EXPECT_LT(s.term.screen.size(), 4096u);
}

TEST(Hostile, NestingWithinTheBoundStillWorks) {
  ShellSession s(Distro("debian"), false);
  s.shell->Exec("echo " + Nested(5, "$(echo ", "deep", ")") + " `echo tick`");
  EXPECT_EQ(s.term.screen, "deep tick\n");
}

TEST(Hostile, ScriptsThatRunThemselves) {
  ShellSession s;
  s.shell->Start();
  const std::string out = s.Run("echo 'sh /tmp/x; sh /tmp/x' > /tmp/x; sh /tmp/x");
  EXPECT_NE(out.find("maximum function nesting level exceeded"), std::string::npos);
  // Fan-out (2 calls per level) is bounded by the steps per line, not only by the depth.
  EXPECT_LT(out.size(), 300u * 1024);
  EXPECT_EQ(s.Run("echo still here"), "still here\n");
}

TEST(Hostile, ExpansionGrowthIsCapped) {
  ShellSession s;
  s.shell->Start();
  s.Run("a=$(cat /proc/cpuinfo)");
  for (int i = 0; i < 12; ++i) s.Run("a=$a$a");  // 2^12 x the cpuinfo, were it not capped
  const std::string out = s.Run("echo $a | wc -c");
  EXPECT_LE(std::stoul(out), (64u << 10) + 1);  // the capped value and echo's newline
  // Many variables: bounded too.
  std::string many;
  for (int i = 0; i < 600; ++i) many += "v" + std::to_string(i) + "=1;";
  s.Run(many);
  EXPECT_LE(std::stoul(s.Run("env | wc -l")), 300u);
  s.shell->Close();
  EXPECT_GT(
      std::stoul(decoy::testing::ParamOf(s.decky.Events("session_end")[0], "expansions_refused")),
      0u);
}

TEST(Hostile, OutputOfOneLineIsBounded) {
  ShellSession s(Distro("debian"), false);
  std::string line = "cat";
  for (int i = 0; i < 1000; ++i) line += " /proc/cpuinfo";
  s.shell->Exec(line);
  EXPECT_LE(s.term.screen.size(), s.decky.limits.max_output_bytes / 2);
  EXPECT_TRUE(s.term.exited);
  s.shell->Close();
  EXPECT_GT(
      std::stoul(decoy::testing::ParamOf(s.decky.Events("session_end")[0], "output_dropped_bytes")),
      0u);
}

TEST(Hostile, OddArgumentsAreHarmless) {
  ShellSession s;
  s.shell->Start();
  const char* lines[] = {
      "printf '%999999999s|%.99999d|%n|%p' a 1",
      "awk '{print $99999999999999}' /etc/passwd",
      "cut -f 1-99999999999 -d : /etc/passwd",
      "head -n -99999999999999 /etc/passwd",
      "echo /*/*/*/* | wc -c",
      "ls ////../../../.././etc/../etc/./passwd",
      "cd /; rm -rf /; ls /; ls /etc; cat /etc/passwd",
      "echo $((1/0)) $((9223372036854775807+1)) $(( ( ( ( 1 ) ) ) )) "
      "$((-9223372036854775807-1/-1))",
      "echo ${#} ${:-x} ${!} ${} $",
      ":(){ :|:& };:",
      "chmod 99999999 /tmp; chmod u+rwxXst,g=,o-w /tmp; chmod '' /tmp",
      "base64 -d <<< '////'; echo =| base64 -d",
      "ln -s /a /b; ln -s /b /a; cat /a; cd /a",
      "exec 3>&1; echo 1 >&3 4>&- 99>/dev/null",
  };
  for (const char* l : lines) s.Type(l);
  EXPECT_EQ(s.Run("echo ok"), "ok\n");
  EXPECT_EQ(s.decky.Events("command").size(), std::size(lines) + 1);
}

TEST(Hostile, AnEndlessContinuationIsCut) {
  ShellSession s;
  s.shell->Start();
  std::string flood = "echo 'open\r";
  for (int i = 0; i < 5000; ++i) flood += "more text on a continued line\r";
  s.shell->Feed(flood);
  s.Settle();
  // Past 16 KiB the input runs (a syntax error: the quote never closes) and lines are commands
  // again.
  EXPECT_GE(s.decky.Events("command").size(), 2u);
  // What arrived while it ran was kept up to 64 KiB: the cut leaves half a line, ended here.
  s.Type("");
  EXPECT_EQ(s.Run("echo back"), "back\n");
  s.shell->Close();
  EXPECT_GT(
      std::stoul(decoy::testing::ParamOf(s.decky.Events("session_end")[0], "input_dropped_bytes")),
      0u);
}

TEST(Hostile, FuzzFindingsStayFixed) {
  // A password dialog answered with NULs, then EOF (a libFuzzer input of the session target).
  const std::string inputs[] = {std::string("passwd\rs6c\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 18)};
  for (const std::string& in : inputs) {
    fuzz::ShellBytes(reinterpret_cast<const uint8_t*>(in.data()), in.size());
  }
}

TEST(Hostile, RandomBytesThroughTheFuzzEntries) {
  std::mt19937 rng(15);
  // Bytes weighted towards what the parser and line discipline treat specially.
  const std::string special =
      "$()`'\"\\;&|<>{}*?[]~#=\r\n\x7f\x03\x04\x15\x1b[A \t0123456789abcxyz";
  for (int round = 0; round < 60; ++round) {
    std::string in(rng() % 600, '\0');
    for (char& c : in) c = rng() % 4 ? special[rng() % special.size()] : static_cast<char>(rng());
    fuzz::ParserBytes(reinterpret_cast<const uint8_t*>(in.data()), in.size());
    fuzz::ShellBytes(reinterpret_cast<const uint8_t*>(in.data()), in.size());
  }
}

}  // namespace
}  // namespace decnet::services::shell
