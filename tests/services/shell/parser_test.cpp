// The parser alone: what attackers type, and inputs built to hurt it.
#include "parser.h"

#include <gtest/gtest.h>

namespace decnet::services::shell {
namespace {

std::string Lit(const Word& w) {
  std::string s;
  for (const Segment& seg : w.segments) s += seg.text;
  return s;
}

TEST(Parser, ListsPipelinesAndOperators) {
  ParseResult r =
      ParseCommandLine("uname -a; cat /proc/cpuinfo | grep name && echo ok || echo no & ls");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.script.lists.size(), 3u);
  EXPECT_EQ(r.script.lists[0].pipelines[0].commands[0].simple.words.size(), 2u);
  const AndOr& second = r.script.lists[1];
  ASSERT_EQ(second.pipelines.size(), 3u);
  EXPECT_EQ(second.pipelines[0].commands.size(), 2u);
  EXPECT_EQ(second.ops[0], AndOr::Op::kAnd);
  EXPECT_EQ(second.ops[1], AndOr::Op::kOr);
  EXPECT_EQ(Lit(r.script.lists[2].pipelines[0].commands[0].simple.words[0]), "ls");
}

TEST(Parser, QuotesAndEscapes) {
  ParseResult r = ParseCommandLine(R"(echo 'a b' "c $X d" e\ f "g\"h" 'i\j')");
  ASSERT_TRUE(r.ok()) << r.error;
  const auto& w = r.script.lists[0].pipelines[0].commands[0].simple.words;
  ASSERT_EQ(w.size(), 6u);
  EXPECT_EQ(Lit(w[1]), "a b");
  ASSERT_EQ(w[2].segments.size(), 3u);
  EXPECT_EQ(w[2].segments[1].kind, Segment::Kind::kVariable);
  EXPECT_EQ(w[2].segments[1].text, "X");
  EXPECT_TRUE(w[2].segments[1].quoted);
  EXPECT_EQ(Lit(w[3]), "e f");
  EXPECT_EQ(Lit(w[4]), "g\"h");
  EXPECT_EQ(Lit(w[5]), "i\\j");
}

TEST(Parser, SubstitutionsKeepTheirText) {
  ParseResult r = ParseCommandLine("echo $(uname -m) `id -u` ${HOME} $? $((1+2))");
  ASSERT_TRUE(r.ok()) << r.error;
  const auto& w = r.script.lists[0].pipelines[0].commands[0].simple.words;
  ASSERT_EQ(w.size(), 6u);
  EXPECT_EQ(w[1].segments[0].kind, Segment::Kind::kCommand);
  EXPECT_EQ(w[1].segments[0].text, "uname -m");
  EXPECT_EQ(w[2].segments[0].text, "id -u");
  EXPECT_EQ(w[3].segments[0].text, "HOME");
  EXPECT_EQ(w[4].segments[0].text, "?");
  EXPECT_EQ(w[5].segments[0].text, "(1+2)");
  // Nested: the outer text holds the inner substitution whole.
  r = ParseCommandLine("echo $(echo $(echo \")\" hi))");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.script.lists[0].pipelines[0].commands[0].simple.words[1].segments[0].text,
            "echo $(echo \")\" hi)");
}

TEST(Parser, Redirections) {
  ParseResult r = ParseCommandLine("cmd >out 2>/dev/null >>log 2>&1 <in &>all");
  ASSERT_TRUE(r.ok()) << r.error;
  const auto& rd = r.script.lists[0].pipelines[0].commands[0].simple.redirects;
  ASSERT_EQ(rd.size(), 6u);
  EXPECT_EQ(rd[0].op, Redirect::Op::kOut);
  EXPECT_EQ(Lit(rd[0].target), "out");
  EXPECT_EQ(rd[1].fd, 2);
  EXPECT_EQ(Lit(rd[1].target), "/dev/null");
  EXPECT_EQ(rd[2].op, Redirect::Op::kAppend);
  EXPECT_EQ(rd[3].op, Redirect::Op::kDupOut);
  EXPECT_EQ(rd[3].fd, 2);
  EXPECT_EQ(rd[3].dup_to, 1);
  EXPECT_EQ(rd[4].op, Redirect::Op::kIn);
  EXPECT_EQ(rd[5].fd, -1);  // &>all: stdout and stderr
  r = ParseCommandLine("cmd &>all");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.script.lists[0].pipelines[0].commands[0].simple.redirects[0].fd, -1);
}

TEST(Parser, AssignmentsOnlyBeforeTheCommand) {
  ParseResult r = ParseCommandLine("X=1 Y=\"a b\" env Z=2");
  ASSERT_TRUE(r.ok());
  const SimpleCommand& c = r.script.lists[0].pipelines[0].commands[0].simple;
  ASSERT_EQ(c.assignments.size(), 2u);
  EXPECT_EQ(c.assignments[0].first, "X");
  EXPECT_EQ(Lit(c.assignments[1].second), "a b");
  ASSERT_EQ(c.words.size(), 2u);
  EXPECT_EQ(Lit(c.words[1]), "Z=2");
}

TEST(Parser, SyntaxErrorsAsBashWordsThem) {
  EXPECT_EQ(ParseCommandLine("; ls").error, "syntax error near unexpected token `;'");
  EXPECT_EQ(ParseCommandLine("ls | | wc").error, "syntax error near unexpected token `|'");
  EXPECT_EQ(ParseCommandLine("echo 'open").error, "unexpected EOF while looking for matching `''");
  EXPECT_EQ(ParseCommandLine("echo \"open").error,
            "unexpected EOF while looking for matching `\"'");
  EXPECT_EQ(ParseCommandLine("echo $(open").error, "unexpected EOF while looking for matching `)'");
  EXPECT_EQ(ParseCommandLine("ls >").error, "syntax error near unexpected token `newline'");
  EXPECT_FALSE(ParseCommandLine("ls &&").ok());
  EXPECT_TRUE(ParseCommandLine("ls # comment ; rm").ok());
  EXPECT_TRUE(ParseCommandLine("").ok());
}

TEST(Parser, CompoundCommands) {
  ParseResult r = ParseCommandLine(
      "if [ -f x ]; then echo a; elif true; then echo b; else echo c; fi; "
      "for i in 1 2 $X; do echo $i; done > log; while false; do :; done; { cd /tmp; ls; }; (id)");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.script.lists.size(), 5u);
  const Command& c_if = r.script.lists[0].pipelines[0].commands[0];
  EXPECT_EQ(c_if.kind, Command::Kind::kIf);
  EXPECT_EQ(c_if.parts.size(), 5u);  // cond, then, cond, then, else
  const Command& c_for = r.script.lists[1].pipelines[0].commands[0];
  EXPECT_EQ(c_for.kind, Command::Kind::kFor);
  EXPECT_EQ(c_for.variable, "i");
  EXPECT_EQ(c_for.items.size(), 3u);
  EXPECT_EQ(c_for.redirects.size(), 1u);
  EXPECT_EQ(r.script.lists[2].pipelines[0].commands[0].kind, Command::Kind::kWhile);
  EXPECT_EQ(r.script.lists[3].pipelines[0].commands[0].kind, Command::Kind::kGroup);
  EXPECT_EQ(r.script.lists[3].pipelines[0].commands[0].parts[0].lists.size(), 2u);
  EXPECT_EQ(r.script.lists[4].pipelines[0].commands[0].kind, Command::Kind::kSubshell);
  // Reserved words are plain words after the command name.
  r = ParseCommandLine("echo if then done");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.script.lists[0].pipelines[0].commands[0].simple.words.size(), 4u);
  EXPECT_EQ(ParseCommandLine("fi").error, "syntax error near unexpected token `fi'");
  EXPECT_EQ(ParseCommandLine("if true; then echo").error, "syntax error: unexpected end of file");
  EXPECT_EQ(ParseCommandLine("for 1x in a; do :; done").error, "`1x': not a valid identifier");
  EXPECT_FALSE(ParseCommandLine("while true; echo; done").ok());
  EXPECT_FALSE(ParseCommandLine("(echo").ok());
  r = ParseCommandLine("f() { echo a; } ; function g { echo b; }");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.script.lists[0].pipelines[0].commands[0].kind, Command::Kind::kFunction);
  EXPECT_EQ(r.script.lists[0].pipelines[0].commands[0].variable, "f");
  EXPECT_EQ(r.script.lists[0].pipelines[0].commands[0].body_text, "{ echo a; }");
  EXPECT_EQ(r.script.lists[1].pipelines[0].commands[0].body_text, "{ echo b; }");
  EXPECT_FALSE(ParseCommandLine("f() echo").ok());
}

TEST(Parser, IncompleteInputIsTold) {
  for (const char* open : {"echo 'a", "echo \"a", "echo $(id", "echo `id", "ls &&", "ls |",
                           "if true; then", "for i in 1; do", "cat <<EOF", "cat <<EOF\nbody"})
    EXPECT_TRUE(ParseCommandLine(open).incomplete) << open;
  for (const char* closed : {"echo 'a'", "ls", "ls >", "fi", "cat <<EOF\nbody\nEOF", ""})
    EXPECT_FALSE(ParseCommandLine(closed).incomplete) << closed;
  ParseResult r = ParseCommandLine("cat <<EOF | wc -l\na\nb\nEOF\necho next");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.script.lists.size(), 2u);
  EXPECT_EQ(r.script.lists[0].pipelines[0].commands[0].simple.redirects[0].here_text, "a\nb\n");
}

TEST(Parser, BoundsHoldOnHostileInput) {
  // 1 MiB line: refused before any work.
  EXPECT_EQ(ParseCommandLine(std::string(1 << 20, 'a')).error, "line too long");
  // Token flood within the byte bound.
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "a ";
  EXPECT_EQ(ParseCommandLine(many).error, "argument list too long");
  // 10,000 nested $( ): one linear scan, the text kept for the executor (which bounds the depth).
  std::string nested;
  for (int i = 0; i < 10000; ++i) nested += "$(";
  nested += "id";
  for (int i = 0; i < 10000; ++i) nested += ")";
  ParseResult r = ParseCommandLine("echo " + nested);
  ASSERT_TRUE(r.ok()) << r.error;
  // Unbalanced: an error, not a crash.
  EXPECT_FALSE(ParseCommandLine("echo " + nested.substr(0, nested.size() - 1)).ok());
  // Compound commands nest within a bound (the parser recurses on them).
  EXPECT_EQ(ParseCommandLine(std::string(2000, '(') + "id" + std::string(2000, ')')).error,
            "syntax error: compound commands nested too deep");
  std::string ifs;
  for (int i = 0; i < 3000; ++i) ifs += "if true; then ";
  EXPECT_FALSE(ParseCommandLine(ifs).ok());
  EXPECT_TRUE(ParseCommandLine(std::string(20, '(') + "id" + std::string(20, ')')).ok());
  // Deep quotes alternate without recursion.
  std::string quotes;
  for (int i = 0; i < 20000; ++i) quotes += i % 2 ? "'x'" : "\"y\"";
  r = ParseCommandLine("echo " + quotes);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.script.lists[0].pipelines[0].commands[0].simple.words.size(), 2u);
}

}  // namespace
}  // namespace decnet::services::shell
