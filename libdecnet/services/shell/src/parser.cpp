#include "parser.h"

#include <utility>

namespace decnet::services::shell {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool IsMeta(char c) {
  return IsBlank(c) || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' ||
         c == '(' || c == ')';
}

struct Token {
  enum class Kind : uint8_t { kWord, kOp, kRedirect };
  Kind kind = Kind::kWord;
  Word word;
  std::string op;  // ";", "&", "&&", "||", "|", "\n", or the redirect's text
  Redirect redirect;
  size_t begin = 0, end = 0;  // the token's bytes in the input (a function keeps its body's text)
};

void AppendLiteral(Word* w, std::string_view text, bool quoted) {
  if (!w->segments.empty() && w->segments.back().kind == Segment::Kind::kLiteral &&
      w->segments.back().quoted == quoted) {
    w->segments.back().text.append(text);
    return;
  }
  w->segments.push_back({Segment::Kind::kLiteral, std::string(text), quoted});
}

// Splits a line into tokens. One pass, no recursion: $( ... ) is kept as text (its matching
// parenthesis found by a counting scan) and parsed only when the executor evaluates it.
class Lexer {
 public:
  Lexer(std::string_view in, const ParseLimits& limits) : in_(in), limits_(limits) {}

  // A here-document's body as a double-quoted word: $VAR, $( ), backticks expand; \ escapes only
  // $ ` \ and a newline. False on an unterminated $( or `.
  bool LexHereBody(Word* w) {
    AppendLiteral(w, "", true);
    while (pos_ < in_.size()) {
      const char c = in_[pos_];
      if (c == '\\' && pos_ + 1 < in_.size()) {
        const char n = in_[pos_ + 1];
        if (n == '$' || n == '`' || n == '\\')
          AppendLiteral(w, in_.substr(pos_ + 1, 1), true);
        else if (n != '\n')
          AppendLiteral(w, in_.substr(pos_, 2), true);
        pos_ += 2;
      } else if (c == '$') {
        if (!LexDollar(w, true)) return false;
      } else if (c == '`') {
        if (!LexBacktick(w, true)) return false;
      } else {
        AppendLiteral(w, in_.substr(pos_++, 1), true);
      }
    }
    return true;
  }

  bool Run(std::vector<Token>* out) {
    while (SkipBlanks(), pos_ < in_.size()) {
      if (out->size() >= limits_.max_tokens) return Fail("argument list too long");
      Token t;
      t.begin = pos_;
      if (!LexOne(&t)) return false;
      t.end = pos_;
      if (t.kind == Token::Kind::kWord && t.word.segments.empty() && !quoted_word_) continue;
      const bool delimiter = !out->empty() && out->back().kind == Token::Kind::kRedirect &&
                             out->back().redirect.op == Redirect::Op::kHereDoc &&
                             t.kind == Token::Kind::kWord;
      out->push_back(std::move(t));
      if (delimiter) heredocs_.push_back(out->size() - 2);
      if (out->back().kind == Token::Kind::kOp && out->back().op == "\n") ReadHereDocs(out);
    }
    if (!heredocs_.empty()) incomplete = true;  // "cat <<EOF" and nothing after it yet
    return true;
  }
  std::string error;
  bool incomplete = false;

 private:
  bool Fail(std::string message) {
    if (message.starts_with("unexpected EOF")) incomplete = true;
    error = std::move(message);
    return false;
  }

  // After a newline: the bodies of the here-documents opened on that line, each up to its
  // delimiter line ("<<-": leading tabs dropped). Unterminated at the end of the input: what there
  // is (bash's warning case), and the input counts as incomplete.
  void ReadHereDocs(std::vector<Token>* out) {
    for (size_t index : heredocs_) {
      Token& r = (*out)[index];
      std::string delimiter;
      for (const Segment& seg : (*out)[index + 1].word.segments) {
        delimiter += seg.text;
        if (seg.quoted) r.redirect.here_expand = false;  // <<'EOF': the body stays literal
      }
      const bool strip_tabs = r.op == "<<-";
      bool closed = false;
      while (pos_ < in_.size()) {
        const size_t nl = in_.find('\n', pos_);
        std::string_view line =
            in_.substr(pos_, nl == std::string_view::npos ? std::string_view::npos : nl - pos_);
        pos_ = nl == std::string_view::npos ? in_.size() : nl + 1;
        if (strip_tabs) line.remove_prefix(std::min(line.find_first_not_of('\t'), line.size()));
        if (line == delimiter) {
          closed = true;
          break;
        }
        r.redirect.here_text.append(line);
        r.redirect.here_text.push_back('\n');
      }
      if (!closed) incomplete = true;
    }
    heredocs_.clear();
  }
  void SkipBlanks() {
    while (pos_ < in_.size() && IsBlank(in_[pos_])) ++pos_;
    if (pos_ < in_.size() && in_[pos_] == '#') {  // a comment runs to the end of the line
      while (pos_ < in_.size() && in_[pos_] != '\n') ++pos_;
    }
  }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < in_.size() ? in_[pos_ + ahead] : '\0'; }

  bool LexOne(Token* t) {
    const char c = in_[pos_];
    if (c == '\n' || c == ';' || c == '|' || c == '&') return LexControl(t);
    if (c == '(' || c == ')') {
      t->kind = Token::Kind::kOp;
      t->op.assign(1, c);
      ++pos_;
      return true;
    }
    if (c == '<' || c == '>') return LexRedirect(t, -2);
    quoted_word_ = false;
    if (!LexWord(&t->word)) return false;
    // "2>" / "1>>": a bare number touching a redirection is its file descriptor.
    if ((Peek() == '>' || Peek() == '<') && t->word.segments.size() == 1 &&
        !t->word.segments[0].quoted && t->word.segments[0].kind == Segment::Kind::kLiteral) {
      const std::string& s = t->word.segments[0].text;
      if (!s.empty() && s.size() <= 2 && IsDigit(s[0]) && (s.size() == 1 || IsDigit(s[1]))) {
        const int fd = std::stoi(s);
        *t = Token{};
        return LexRedirect(t, fd);
      }
    }
    return true;
  }

  bool LexControl(Token* t) {
    t->kind = Token::Kind::kOp;
    const char c = in_[pos_++];
    if (c == '&' && Peek() == '>') {  // &> file: stdout and stderr
      ++pos_;
      if (Peek() == '>') ++pos_;
      t->kind = Token::Kind::kRedirect;
      t->op = "&>";
      t->redirect.fd = -1;
      return true;
    }
    t->op.assign(1, c);
    if ((c == '&' || c == '|' || c == ';') && Peek() == c) {
      t->op.push_back(c);
      ++pos_;
    }
    return true;
  }

  // At '<' or '>'. `fd` -2: the default for the operator.
  bool LexRedirect(Token* t, int fd) {
    t->kind = Token::Kind::kRedirect;
    Redirect& r = t->redirect;
    const char c = in_[pos_++];
    t->op.assign(1, c);
    if (c == '<') {
      r.op = Redirect::Op::kIn;
      r.fd = fd == -2 ? 0 : fd;
      if (Peek() == '<') {
        t->op.push_back(in_[pos_++]);
        r.op = Redirect::Op::kHereDoc;
        if (Peek() == '<') {
          t->op.push_back(in_[pos_++]);
          r.op = Redirect::Op::kHereString;
        } else if (Peek() == '-') {
          t->op.push_back(in_[pos_++]);
        }
      }
      return true;
    }
    r.fd = fd == -2 ? 1 : fd;
    r.op = Redirect::Op::kOut;
    if (Peek() == '>') {
      r.op = Redirect::Op::kAppend;
      t->op.push_back(in_[pos_++]);
    } else if (Peek() == '|') {
      ++pos_;
    } else if (Peek() == '&') {
      ++pos_;
      t->op.push_back('&');
      if (IsDigit(Peek())) {
        r.op = Redirect::Op::kDupOut;
        r.dup_to = Peek() - '0';
        ++pos_;
      } else if (Peek() == '-') {  // >&- closes: as good as /dev/null here
        ++pos_;
        r.op = Redirect::Op::kDupOut;
        r.dup_to = -1;
      } else {
        r.fd = -1;  // >&file is &>file
      }
    }
    return true;
  }

  bool LexWord(Word* w) {
    bool at_start = true;
    while (pos_ < in_.size() && !IsMeta(in_[pos_])) {
      const char c = in_[pos_];
      if (at_start && c == '~') {
        LexTilde(w);
      } else if (c == '\'') {
        if (!LexSingle(w)) return false;
      } else if (c == '"') {
        if (!LexDouble(w)) return false;
      } else if (c == '\\') {
        ++pos_;
        if (pos_ < in_.size() && in_[pos_] != '\n') AppendLiteral(w, in_.substr(pos_, 1), true);
        if (pos_ < in_.size()) ++pos_;
      } else if (c == '$') {
        if (!LexDollar(w, false)) return false;
      } else if (c == '`') {
        if (!LexBacktick(w, false)) return false;
      } else {
        AppendLiteral(w, in_.substr(pos_++, 1), false);
      }
      at_start = false;
    }
    return true;
  }

  void LexTilde(Word* w) {
    size_t end = pos_ + 1;
    while (end < in_.size() && IsNameChar(in_[end])) ++end;
    if (end < in_.size() && !IsMeta(in_[end]) && in_[end] != '/') {
      AppendLiteral(w, "~", false);  // "~x$y": not a tilde prefix
      ++pos_;
      return;
    }
    w->segments.push_back(
        {Segment::Kind::kTilde, std::string(in_.substr(pos_ + 1, end - pos_ - 1)), false});
    pos_ = end;
  }

  bool LexSingle(Word* w) {
    const size_t close = in_.find('\'', pos_ + 1);
    if (close == std::string_view::npos)
      return Fail("unexpected EOF while looking for matching `''");
    AppendLiteral(w, in_.substr(pos_ + 1, close - pos_ - 1), true);
    quoted_word_ = true;
    pos_ = close + 1;
    return true;
  }

  bool LexDouble(Word* w) {
    ++pos_;
    quoted_word_ = true;
    AppendLiteral(w, "", true);  // "" is an empty word, not no word
    while (pos_ < in_.size() && in_[pos_] != '"') {
      const char c = in_[pos_];
      if (c == '\\' && pos_ + 1 < in_.size()) {
        const char n = in_[pos_ + 1];
        if (n == '$' || n == '`' || n == '"' || n == '\\') {
          AppendLiteral(w, in_.substr(pos_ + 1, 1), true);
        } else if (n != '\n') {
          AppendLiteral(w, in_.substr(pos_, 2), true);
        }
        pos_ += 2;
      } else if (c == '$') {
        if (!LexDollar(w, true)) return false;
      } else if (c == '`') {
        if (!LexBacktick(w, true)) return false;
      } else {
        AppendLiteral(w, in_.substr(pos_++, 1), true);
      }
    }
    if (pos_ >= in_.size()) return Fail("unexpected EOF while looking for matching `\"'");
    ++pos_;
    return true;
  }

  bool LexDollar(Word* w, bool quoted) {
    const char n = Peek(1);
    if (n == '(') return LexSubstitution(w, quoted);
    if (n == '{') {
      const size_t close = in_.find('}', pos_ + 2);
      if (close == std::string_view::npos)
        return Fail("unexpected EOF while looking for matching `}'");
      w->segments.push_back(
          {Segment::Kind::kVariable, std::string(in_.substr(pos_ + 2, close - pos_ - 2)), quoted});
      pos_ = close + 1;
      return true;
    }
    if (IsNameStart(n)) {
      size_t end = pos_ + 1;
      while (end < in_.size() && IsNameChar(in_[end])) ++end;
      w->segments.push_back(
          {Segment::Kind::kVariable, std::string(in_.substr(pos_ + 1, end - pos_ - 1)), quoted});
      pos_ = end;
      return true;
    }
    if (n == '?' || n == '$' || n == '#' || n == '!' || n == '@' || n == '*' || n == '-' ||
        IsDigit(n)) {
      w->segments.push_back({Segment::Kind::kVariable, std::string(1, n), quoted});
      pos_ += 2;
      return true;
    }
    if (!quoted && (n == '\'' || n == '"')) {  // $'..' / $"..": read as the plain quotes
      ++pos_;
      return true;
    }
    AppendLiteral(w, "$", quoted);
    ++pos_;
    return true;
  }

  // $( ... ): finds the matching ')' by counting, skipping quoted text.
  bool LexSubstitution(Word* w, bool quoted) {
    size_t i = pos_ + 2;
    int depth = 1;
    while (i < in_.size()) {
      const char c = in_[i];
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '\'' || c == '"' || c == '`') {
        const size_t close = SkipQuote(i);
        if (close == std::string_view::npos) break;
        i = close + 1;
        continue;
      }
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) break;
      ++i;
    }
    if (i >= in_.size()) return Fail("unexpected EOF while looking for matching `)'");
    w->segments.push_back(
        {Segment::Kind::kCommand, std::string(in_.substr(pos_ + 2, i - pos_ - 2)), quoted});
    pos_ = i + 1;
    return true;
  }

  size_t SkipQuote(size_t at) const {
    const char q = in_[at];
    for (size_t i = at + 1; i < in_.size(); ++i) {
      if (in_[i] == '\\' && q != '\'') {
        ++i;
        continue;
      }
      if (in_[i] == q) return i;
    }
    return std::string_view::npos;
  }

  bool LexBacktick(Word* w, bool quoted) {
    std::string inner;
    size_t i = pos_ + 1;
    for (; i < in_.size() && in_[i] != '`'; ++i) {
      if (in_[i] == '\\' && i + 1 < in_.size() &&
          (in_[i + 1] == '`' || in_[i + 1] == '\\' || in_[i + 1] == '$')) {
        ++i;
      }
      inner.push_back(in_[i]);
    }
    if (i >= in_.size()) return Fail("unexpected EOF while looking for matching ``'");
    w->segments.push_back({Segment::Kind::kCommand, std::move(inner), quoted});
    pos_ = i + 1;
    return true;
  }

  std::string_view in_;
  const ParseLimits& limits_;
  size_t pos_ = 0;
  bool quoted_word_ = false;
  std::vector<size_t> heredocs_;  // redirect tokens whose bodies start after the next newline
};

bool IsAssignment(const Word& w, std::string* name, Word* value) {
  if (w.segments.empty() || w.segments[0].kind != Segment::Kind::kLiteral || w.segments[0].quoted)
    return false;
  const std::string& first = w.segments[0].text;
  const size_t eq = first.find('=');
  if (eq == std::string::npos || !IsName(std::string_view(first).substr(0, eq))) return false;
  *name = first.substr(0, eq);
  value->segments.assign(w.segments.begin(), w.segments.end());
  value->segments[0].text.erase(0, eq + 1);
  if (value->segments[0].text.empty()) value->segments.erase(value->segments.begin());
  return true;
}

// A word that is a reserved word where a command starts: one unquoted literal.
std::string_view ReservedWord(const Token& t) {
  static constexpr std::string_view kWords[] = {"if",   "then", "elif",  "else",    "fi",
                                                "for",  "in",   "while", "until",   "do",
                                                "done", "{",    "}",     "function"};
  if (t.kind != Token::Kind::kWord || t.word.segments.size() != 1) return {};
  const Segment& s = t.word.segments[0];
  if (s.kind != Segment::Kind::kLiteral || s.quoted) return {};
  for (std::string_view w : kWords)
    if (s.text == w) return w;
  return {};
}

// Recursive descent over the token list. Compound commands recurse; their nesting is bounded by
// ParseLimits::max_nesting, so no input can exhaust the stack.
class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view input, const ParseLimits& limits)
      : t_(std::move(tokens)), input_(input), limits_(limits) {}

  bool Run(Script* s) {
    if (!ParseList(s, {})) return false;
    return i_ >= t_.size() ? true : Unexpected();
  }
  std::string error;

 private:
  bool IsOp(std::string_view op) const {
    return i_ < t_.size() && t_[i_].kind == Token::Kind::kOp && t_[i_].op == op;
  }
  bool IsReserved(std::string_view w) const { return i_ < t_.size() && ReservedWord(t_[i_]) == w; }
  bool Unexpected() {
    std::string tok = "newline";
    if (i_ < t_.size()) {
      const Token& t = t_[i_];
      if (t.kind == Token::Kind::kWord) {
        tok.clear();
        for (const Segment& seg : t.word.segments) tok += seg.text;
      } else if (t.op != "\n") {
        tok = t.op;
      }
    }
    error = "syntax error near unexpected token `" + tok + "'";
    return false;
  }
  // Input ended inside a list or a compound command (bash -c 'ls &&', 'if true; then').
  bool EndOfFile() {
    error = "syntax error: unexpected end of file";
    incomplete = true;
    return false;
  }
  void SkipNewlines() {
    while (IsOp("\n")) ++i_;
  }
  bool Expect(std::string_view reserved) {
    SkipNewlines();
    if (i_ >= t_.size()) return EndOfFile();
    if (!IsReserved(reserved)) return Unexpected();
    ++i_;
    return true;
  }

  // and-or lists separated by ; & newline, until the end or one of `stops` (reserved words, or ")")
  // where a command would start.
  bool ParseList(Script* s, std::initializer_list<std::string_view> stops) {
    for (;;) {
      SkipNewlines();
      if (i_ >= t_.size()) return true;
      for (std::string_view stop : stops)
        if (IsReserved(stop) || (stop == ")" && IsOp(")"))) return true;
      AndOr list;
      if (!ParseAndOr(&list)) return false;
      s->lists.push_back(std::move(list));
      if (i_ >= t_.size()) return true;
      if (!IsOp(";") && !IsOp("&") && !IsOp("\n")) {
        for (std::string_view stop : stops)
          if (stop == ")" && IsOp(")")) return true;
        return Unexpected();
      }
      ++i_;
    }
  }

  bool ParseAndOr(AndOr* list) {
    for (;;) {
      Pipeline p;
      if (!ParsePipeline(&p)) return false;
      list->pipelines.push_back(std::move(p));
      if (!IsOp("&&") && !IsOp("||")) return true;
      list->ops.push_back(IsOp("&&") ? AndOr::Op::kAnd : AndOr::Op::kOr);
      ++i_;
      SkipNewlines();
      if (i_ >= t_.size()) return EndOfFile();
    }
  }

  bool ParsePipeline(Pipeline* p) {
    for (;;) {
      Command c;
      if (!ParseCommand(&c)) return false;
      p->commands.push_back(std::move(c));
      if (!IsOp("|")) return true;
      ++i_;
      SkipNewlines();
      if (i_ >= t_.size()) return EndOfFile();
    }
  }

  bool ParseCommand(Command* c) {
    if (i_ >= t_.size()) return Unexpected();
    const std::string_view w = ReservedWord(t_[i_]);
    if (w == "if" || w == "for" || w == "while" || w == "until" || w == "{" || IsOp("(")) {
      if (++nesting_ > limits_.max_nesting) {
        error = "syntax error: compound commands nested too deep";
        return false;
      }
      const bool ok = ParseCompound(c, w);
      --nesting_;
      return ok && ParseRedirects(&c->redirects);
    }
    if (w == "function" || IsFunctionHead()) return ParseFunction(c, w == "function");
    if (!w.empty() && w != "in") return Unexpected();  // then/fi/done/... where a command starts
    c->kind = Command::Kind::kSimple;
    return ParseSimple(&c->simple);
  }

  // NAME ( ) ...: a function definition (bash allows names like ":" too).
  bool IsFunctionHead() const {
    return i_ + 2 < t_.size() && t_[i_].kind == Token::Kind::kWord &&
           t_[i_ + 1].kind == Token::Kind::kOp && t_[i_ + 1].op == "(" &&
           t_[i_ + 2].kind == Token::Kind::kOp && t_[i_ + 2].op == ")";
  }

  // [function] NAME [()] COMPOUND: kept as the body's text, parsed again at each call (so a
  // definition costs its bytes, not a tree).
  bool ParseFunction(Command* c, bool keyword) {
    if (keyword) ++i_;
    if (i_ >= t_.size() || t_[i_].kind != Token::Kind::kWord) return Unexpected();
    c->kind = Command::Kind::kFunction;
    for (const Segment& seg : t_[i_].word.segments) c->variable += seg.text;
    ++i_;
    if (IsOp("(")) {
      ++i_;
      if (!IsOp(")")) return Unexpected();
      ++i_;
    }
    SkipNewlines();
    if (i_ >= t_.size()) return EndOfFile();
    const size_t first = i_;
    Command body;
    if (!ParseCommand(&body)) return false;
    if (body.kind == Command::Kind::kSimple) return Unexpected();  // the body is a compound command
    c->body_text = std::string(input_.substr(t_[first].begin, t_[i_ - 1].end - t_[first].begin));
    return true;
  }

  bool ParseCompound(Command* c, std::string_view w) {
    ++i_;
    if (w == "if") return ParseIf(c);
    if (w == "for") return ParseFor(c);
    c->parts.resize(w == "while" || w == "until" ? 2 : 1);
    if (w == "{") {
      c->kind = Command::Kind::kGroup;
      return ParseList(&c->parts[0], {"}"}) && Expect("}");
    }
    if (w.empty()) {  // "("
      c->kind = Command::Kind::kSubshell;
      if (!ParseList(&c->parts[0], {")"})) return false;
      if (!IsOp(")")) return Unexpected();
      ++i_;
      return true;
    }
    c->kind = w == "while" ? Command::Kind::kWhile : Command::Kind::kUntil;
    return ParseList(&c->parts[0], {"do"}) && Expect("do") && ParseList(&c->parts[1], {"done"}) &&
           Expect("done");
  }

  bool ParseIf(Command* c) {
    c->kind = Command::Kind::kIf;
    for (;;) {
      c->parts.emplace_back();
      if (!ParseList(&c->parts.back(), {"then"}) || !Expect("then")) return false;
      c->parts.emplace_back();
      if (!ParseList(&c->parts.back(), {"elif", "else", "fi"})) return false;
      if (IsReserved("elif")) {
        ++i_;
        continue;
      }
      if (IsReserved("else")) {
        ++i_;
        c->parts.emplace_back();
        if (!ParseList(&c->parts.back(), {"fi"})) return false;
      }
      return Expect("fi");
    }
  }

  bool ParseFor(Command* c) {
    c->kind = Command::Kind::kFor;
    if (i_ >= t_.size() || t_[i_].kind != Token::Kind::kWord) return Unexpected();
    for (const Segment& seg : t_[i_].word.segments) c->variable += seg.text;
    if (!IsName(c->variable)) {
      error = "`" + c->variable + "': not a valid identifier";
      return false;
    }
    ++i_;
    SkipNewlines();
    if (IsReserved("in")) {
      c->has_in = true;
      ++i_;
      while (i_ < t_.size() && t_[i_].kind == Token::Kind::kWord)
        c->items.push_back(std::move(t_[i_++].word));
    }
    if (IsOp(";")) ++i_;
    c->parts.resize(1);
    return Expect("do") && ParseList(&c->parts[0], {"done"}) && Expect("done");
  }

  bool ParseRedirects(std::vector<Redirect>* out) {
    while (i_ < t_.size() && t_[i_].kind == Token::Kind::kRedirect) {
      Token& t = t_[i_++];
      if (t.redirect.op != Redirect::Op::kDupOut) {
        if (i_ >= t_.size() || t_[i_].kind != Token::Kind::kWord) return Unexpected();
        t.redirect.target = std::move(t_[i_++].word);
      }
      out->push_back(std::move(t.redirect));
    }
    return true;
  }

  bool ParseSimple(SimpleCommand* c) {
    bool any = false;
    while (i_ < t_.size() && t_[i_].kind != Token::Kind::kOp) {
      if (t_[i_].kind == Token::Kind::kRedirect) {
        any = true;
        if (!ParseRedirects(&c->redirects)) return false;
        continue;
      }
      Token& t = t_[i_++];
      any = true;
      std::string name;
      Word value;
      if (c->words.empty() && IsAssignment(t.word, &name, &value)) {
        c->assignments.emplace_back(std::move(name), std::move(value));
      } else {
        c->words.push_back(std::move(t.word));
      }
    }
    return any ? true : Unexpected();
  }

  std::vector<Token> t_;
  std::string_view input_;

 public:
  bool incomplete = false;

 private:
  const ParseLimits& limits_;
  size_t i_ = 0;
  int nesting_ = 0;
};

}  // namespace

Word HereDocWord(std::string_view body) {
  ParseLimits limits;
  Lexer lexer(body, limits);
  Word w;
  if (body.size() <= limits.max_bytes && lexer.LexHereBody(&w)) return w;
  w.segments.assign(1, Segment{Segment::Kind::kLiteral, std::string(body), true});
  return w;
}

bool Word::HasGlob() const {
  for (const Segment& s : segments)
    if (s.kind == Segment::Kind::kLiteral && !s.quoted &&
        s.text.find_first_of("*?[") != std::string::npos)
      return true;
  return false;
}

bool IsName(std::string_view s) {
  if (s.empty() || !IsNameStart(s[0])) return false;
  for (char c : s)
    if (!IsNameChar(c)) return false;
  return true;
}

ParseResult ParseCommandLine(std::string_view input, const ParseLimits& limits) {
  ParseResult r;
  if (input.size() > limits.max_bytes) {
    r.error = "line too long";
    return r;
  }
  std::vector<Token> tokens;
  Lexer lexer(input, limits);
  if (!lexer.Run(&tokens)) {
    r.error = std::move(lexer.error);
    r.incomplete = lexer.incomplete;
    return r;
  }
  r.incomplete = lexer.incomplete;
  Parser parser(std::move(tokens), input, limits);
  if (!parser.Run(&r.script)) {
    r.error = std::move(parser.error);
    r.incomplete = r.incomplete || parser.incomplete;
  }
  return r;
}

}  // namespace decnet::services::shell
