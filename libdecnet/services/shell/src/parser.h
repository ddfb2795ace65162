// The command-line parser of the emulated shell: what attackers type into bash, turned into a tree
// the executor walks. Words keep their quoting (segments), so expansion ($VAR, $(...), backticks,
// ~) happens at run time, after earlier commands set variables. Every dimension an attacker
// controls is bounded: input bytes, tokens, the nesting of $( ) (counted by the executor, which
// parses inner text lazily).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::services::shell {

struct ParseLimits {
  size_t max_bytes = 64 << 10;  // a longer input is a parse error, not work
  size_t max_tokens = 4096;     // words + operators
  int max_nesting = 32;         // compound commands inside each other (the parser recurses on them)
};

// A piece of a word: literal text, a variable, a command substitution or a leading ~.
struct Segment {
  enum class Kind : uint8_t { kLiteral, kVariable, kCommand, kTilde };
  Kind kind = Kind::kLiteral;
  std::string text;     // literal bytes / variable name / inner command text / ~user
  bool quoted = false;  // inside quotes: no field splitting, no globbing
};

struct Word {
  std::vector<Segment> segments;
  bool HasGlob() const;  // an unquoted * ? or [ in a literal
};

struct Redirect {
  // >, >>, <, N>&M, <<WORD (here-document), <<< word (here-string)
  enum class Op : uint8_t { kOut, kAppend, kIn, kDupOut, kHereDoc, kHereString };
  int fd = 1;
  Op op = Op::kOut;
  Word target;              // file name (not for kDupOut)
  int dup_to = 1;           // kDupOut: the fd `fd` becomes a copy of
  std::string here_text;    // kHereDoc: the body, as typed
  bool here_expand = true;  // kHereDoc: unquoted delimiter, $VAR and $( ) in the body expand
};

struct SimpleCommand {
  std::vector<std::pair<std::string, Word>> assignments;  // X=1 before the command name
  std::vector<Word> words;
  std::vector<Redirect> redirects;
};

struct Script;

// A simple command, or a compound one: if / for / while / until / { } / ( ).
struct Command {
  enum class Kind : uint8_t { kSimple, kIf, kFor, kWhile, kUntil, kGroup, kSubshell, kFunction };
  Kind kind = Kind::kSimple;
  SimpleCommand simple;
  // kIf: condition, then-part, [condition, then-part]..., [else-part] (odd count: an else);
  // kWhile / kUntil: condition, body; kFor, kGroup, kSubshell: body.
  std::vector<Script> parts;
  std::string variable;             // kFor; kFunction: the name
  std::string body_text;            // kFunction: the body as typed ("{ echo hi; }")
  std::vector<Word> items;          // kFor: the words after `in`
  bool has_in = false;              // kFor without `in` iterates the (empty) positional parameters
  std::vector<Redirect> redirects;  // after the compound's end (`done > log`)
};

struct Pipeline {
  std::vector<Command> commands;  // a | b | c
};

struct AndOr {
  enum class Op : uint8_t { kAnd, kOr };
  std::vector<Pipeline> pipelines;
  std::vector<Op> ops;  // ops[i] joins pipelines[i] and pipelines[i+1]
};

struct Script {
  std::vector<AndOr> lists;  // separated by ; & or newlines
};

struct ParseResult {
  Script script;
  std::string error;  // bash's wording without the "-bash: " prefix; empty on success
  // The input stops inside something open (a quote, $( ), if/for/while, a trailing && or |, a
  // here-document): an interactive shell asks for more with "> ".
  bool incomplete = false;
  bool ok() const { return error.empty(); }
};

ParseResult ParseCommandLine(std::string_view input, const ParseLimits& limits = {});

// A here-document body as one double-quoted word (for expansion when its delimiter was unquoted).
Word HereDocWord(std::string_view body);

// True for a valid shell variable name (letters, digits, _; not starting with a digit).
bool IsName(std::string_view s);

}  // namespace decnet::services::shell
