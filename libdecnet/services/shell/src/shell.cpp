// The session side of the shell: line discipline, prompt, events, the asciicast recording.
#include "decnet/services/shell/shell.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <utility>

#include "decnet/core/json.h"
#include "decnet/core/loop.h"
#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/persona.h"
#include "fs.h"
#include "parser.h"
#include "recording.h"
#include "state.h"

namespace decnet::services::shell {
namespace {

constexpr size_t kMaxPendingInput = 64 << 10;  // typed while a command is still "running"
constexpr size_t kMaxRecording = 1 << 20;
constexpr uint32_t kMaxLinesPerTurn = 100;
// An open input joined over lines. Each new line parses the whole again, so this also bounds that
// work (quadratic in the lines): 16 KiB is a long pasted script.
constexpr size_t kMaxContinued = 16 << 10;
// // command lines run in one loop tick before yielding

// "\n" -> "\r\n" for a pty (a "\r\n" already there stays).
std::string ToCrlf(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 16);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out.push_back('\r');
    out.push_back(s[i]);
  }
  return out;
}

// Setting <service>.pause_percent (0-100, default 100): how long the output pauses of slow commands
// (downloads "connecting", sleep) really last; 0 shows everything at once.
uint64_t PausePercent(const decoy::Persona& p, const std::string& service) {
  const std::string v = p.Setting(service, "pause_percent", "100");
  const long n = std::strtol(v.c_str(), nullptr, 10);
  return static_cast<uint64_t>(std::clamp(n, 0L, 100L));
}

class ShellImpl final : public Shell {
 public:
  ShellImpl(decoy::Connection& conn, Terminal& term, ShellOptions options)
      : conn_(conn),
        term_(term),
        options_(std::move(options)),
        state_(conn, options_),
        started_ms_(conn.host().NowMs()),
        recorder_(kMaxRecording),
        pause_percent_(PausePercent(conn.host().persona(), options_.service)) {
    if (options_.record && options_.interactive)
      recorder_.Begin(options_.term_cols, options_.term_rows, conn.host().WallUs(), options_.term);
  }

  ~ShellImpl() override { Close(); }

  void Start() override {
    LogStart("shell");
    if (!options_.interactive) return;
    Show(MotdFor(state_.facts, state_.Now()));
    Prompt();
  }

  void Feed(std::string_view bytes) override {
    stats_.bytes_in += bytes.size();
    if (exited_ || closed_) return;
    if (busy_) {  // a command is still printing: keep what is typed for after it (bounded)
      KeepForLater(bytes);
      return;
    }
    Input(bytes);
  }

  void Exec(std::string_view command_line) override {
    if (!logged_start_) LogStart("exec");
    exec_mode_ = true;
    RunCommandLine(command_line);
    if (!busy_ && !exited_) Finish(state_.exit_requested ? state_.exit_status : state_.last_status);
  }

  void Eof() override {
    if (exited_ || closed_) return;
    eof_ = true;
    if (!busy_) FinishAtEof();
  }

  void Resize(uint16_t cols, uint16_t rows) override {
    options_.term_cols = cols;
    options_.term_rows = rows;
    recorder_.Add('r', std::to_string(cols) + "x" + std::to_string(rows), conn_.host().WallUs());
  }

  void Close() override {
    if (closed_) return;
    closed_ = true;
    if (pause_timer_) pause_timer_->Stop();
    busy_ = false;
    StoreRecording();
    recorder_.Release();
    state_.fs.Clear();
    decoy::EventLog::Event e = conn_.host().log().New(options_.service, "session_end");
    e.From(conn_)
        .Add("user", state_.user)
        .Add("duration_ms", static_cast<int64_t>(conn_.host().NowMs() - started_ms_))
        .Add("commands", static_cast<int64_t>(stats_.commands))
        .Add("bytes_in", static_cast<int64_t>(stats_.bytes_in))
        .Add("bytes_out", static_cast<int64_t>(stats_.bytes_out))
        .Add("downloads", static_cast<int64_t>(state_.downloads))
        .Add("fs_writes_refused", static_cast<int64_t>(state_.fs.refused()))
        .Add("truncated_lines", static_cast<int64_t>(stats_.truncated_lines))
        // What the other bounds refused: output past the per-line cap, input typed past the buffer
        // while a command ran, variables and expansions past their caps.
        .Add("output_dropped_bytes", static_cast<int64_t>(output_dropped_))
        .Add("input_dropped_bytes", static_cast<int64_t>(input_dropped_))
        .Add("expansions_refused", static_cast<int64_t>(state_.expansions_refused));
    AddTerminalFields(e);
    e.Emit();
  }

  const ShellStats& stats() const override {
    stats_.downloads = state_.downloads;
    stats_.fs_writes_refused = state_.fs.refused();
    return stats_;
  }

 private:
  void AddTerminalFields(decoy::EventLog::Event& e) {
    e.Add("client_banner", options_.client_banner)
        .Add("term", options_.term)
        .Add("cols", options_.term_cols)
        .Add("rows", options_.term_rows);
  }

  void LogStart(std::string_view mode) {
    logged_start_ = true;
    decoy::EventLog::Event e = conn_.host().log().New(options_.service, "session_start");
    e.From(conn_).Add("user", state_.user).Add("mode", mode);
    AddTerminalFields(e);
    e.Emit();
  }

  // Output to the attacker: "\r\n" on a pty, recorded, counted.
  void Show(std::string_view text) {
    if (text.empty() || exited_ || closed_) return;
    const std::string bytes = options_.interactive ? ToCrlf(text) : std::string(text);
    stats_.bytes_out += bytes.size();
    recorder_.Add('o', bytes, conn_.host().WallUs());
    term_.Output(bytes);
  }

  void Prompt() { Show(state_.PromptText()); }

  void Finish(int status) {
    if (exited_) return;
    exited_ = true;
    term_.Exit(status);
  }

  // Interactive line discipline: what a tty in canonical mode with bash's readline shows.
  void Discipline(std::string_view bytes) {
    for (size_t i = 0; i < bytes.size() && !exited_; ++i) {
      if (busy_) {  // the line just entered is still running: the rest waits for it
        KeepForLater(bytes.substr(i));
        return;
      }
      const char c = bytes[i];
      if (esc_ != Esc::kNone) {
        Escape(c);
        continue;
      }
      if (after_cr_ && (c == '\n' || c == '\0')) {  // CRLF and telnet's CR NUL end one line
        after_cr_ = false;
        continue;
      }
      after_cr_ = c == '\r';
      switch (c) {
        case '\r':
        case '\n':
          EndLine();
          break;
        case 0x7f:
        case 0x08:
          Backspace();
          break;
        case 0x03:
          Show("^C\n");
          line_.clear();
          line_cut_ = false;
          state_.dialog.reset();  // ^C also abandons a password prompt and a continued line
          answers_.clear();
          continued_.clear();
          Prompt();
          break;
        case 0x04:
          if (line_.empty() && !state_.dialog) {
            Show("logout\n");
            Finish(0);
          }
          break;
        case 0x15:
          KillLine();
          break;
        case 0x0c:
          Show("\x1b[H\x1b[2J");
          Prompt();
          Show(line_);
          break;
        case 0x1b:
          esc_ = Esc::kStart;
          break;
        case '\t':
          Complete();
          break;
        default:
          if (static_cast<unsigned char>(c) >= 0x20) Typed(std::string_view(&c, 1));
          break;  // other control bytes (tab completion...) are ignored
      }
    }
  }

  void KeepForLater(std::string_view bytes) {
    const size_t room = kMaxPendingInput - std::min(kMaxPendingInput, pending_input_.size());
    pending_input_.append(bytes.substr(0, std::min(room, bytes.size())));
    if (bytes.size() > room) input_dropped_ += bytes.size() - room;
  }

  // Tab: completes the word under the cursor as readline does: a command name for the first word,
  // else a path; a unique match is finished (with "/" for a directory, " " otherwise), several
  // are extended to their common prefix, none rings the bell.
  void Complete() {
    if (state_.dialog) return;
    const size_t space = line_.find_last_of(" \t");
    const std::string before = space == std::string::npos ? "" : line_.substr(0, space + 1);
    const bool first = before.find_first_not_of(" \t") == std::string::npos;
    const std::string word = space == std::string::npos ? line_ : line_.substr(space + 1);
    std::vector<std::string> matches;
    const size_t slash = word.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : word.substr(0, slash + 1);
    const std::string prefix = slash == std::string::npos ? word : word.substr(slash + 1);
    if (first && slash == std::string::npos) {
      for (const auto& [name, fn] : Commands())
        if (name.starts_with(prefix)) matches.push_back(name + " ");
    } else {
      // "~/" is looked up in the home directory but stays "~/" on the line.
      const std::string where = dir.starts_with("~") ? state_.home + dir.substr(1) : dir;
      for (const auto& [name, node] : state_.fs.List(state_.Abs(where.empty() ? "." : where))) {
        if (!name.starts_with(prefix) || (name[0] == '.' && !prefix.starts_with("."))) continue;
        const Node* target = state_.fs.Lookup(state_.Abs(where + name));
        matches.push_back(name + (target && target->IsDir() ? "/" : " "));
      }
    }
    if (matches.empty() || matches.size() > 4096) return Show("\a");
    std::string common = matches[0];
    for (const std::string& m : matches) {
      size_t k = 0;
      while (k < common.size() && k < m.size() && common[k] == m[k]) ++k;
      common.resize(k);
    }
    if (matches.size() > 1 && !common.empty() && (common.back() == ' ' || common.back() == '/'))
      common.pop_back();
    if (common.size() > prefix.size()) return Typed(common.substr(prefix.size()));
    Show("\a");
  }

  void Typed(std::string_view s) {
    if (line_.size() + s.size() > conn_.host().limits().max_line_bytes) {
      if (!line_cut_) {
        line_cut_ = true;
        ++stats_.truncated_lines;
        ++conn_.host().counters().lines_too_long;
      }
      return;
    }
    line_.append(s);
    if (!state_.dialog) Show(s);  // passwords are not echoed
  }

  void Backspace() {
    if (line_.empty()) return;
    // One character: a UTF-8 sequence goes whole.
    while (!line_.empty() && (static_cast<unsigned char>(line_.back()) & 0xC0) == 0x80)
      line_.pop_back();
    if (!line_.empty()) line_.pop_back();
    Show("\b \b");
  }

  void KillLine() {
    std::string erase;
    for (char c : line_)
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) erase += "\b \b";
    line_.clear();
    line_cut_ = false;
    Show(erase);
  }

  enum class Esc : uint8_t { kNone, kStart, kSequence };
  // ESC [ ... final / ESC O x: swallowed; up and down arrows walk the history.
  void Escape(char c) {
    if (esc_ == Esc::kStart) {
      esc_ = (c == '[' || c == 'O') ? Esc::kSequence : Esc::kNone;
      return;
    }
    if (static_cast<unsigned char>(c) < 0x40 || static_cast<unsigned char>(c) > 0x7e) return;
    esc_ = Esc::kNone;
    if ((c != 'A' && c != 'B') || state_.dialog) return;
    const auto& h = state_.history;
    if (c == 'A' && history_pos_ < h.size())
      ++history_pos_;
    else if (c == 'B' && history_pos_ > 0)
      --history_pos_;
    else
      return;
    KillLine();
    if (history_pos_ > 0) Typed(h[h.size() - history_pos_]);
  }

  // Bytes as typed (first arrival, or replayed after a pause).
  void Input(std::string_view bytes) {
    recorder_.Add('i', bytes, conn_.host().WallUs());
    if (options_.interactive) {
      Discipline(bytes);
    } else {
      LineMode(bytes);
    }
  }

  // stdin ended: a last line without its newline still runs (sh reads it), then the exit status.
  void FinishAtEof() {
    if (!options_.interactive && (!line_.empty() || !continued_.empty())) {
      std::string last = TakeContinued(line_);
      line_.clear();
      RunCommandLine(last);
      if (busy_ || exited_) return;  // paused: the resume finishes
    }
    if (!exited_) Finish(state_.exit_requested ? state_.exit_status : state_.last_status);
  }

  // A flood of lines in one read must not hold the decky's loop: after kMaxLinesPerTurn lines in
  // one loop tick the rest waits (bounded, in pending_input_) for a 1 ms timer.
  void CountLineAndMaybeYield() {
    const uint64_t now = conn_.host().NowMs();
    if (now != turn_ms_) {
      turn_ms_ = now;
      lines_this_turn_ = 0;
    }
    if (busy_ || exited_ || ++lines_this_turn_ < kMaxLinesPerTurn) return;
    busy_ = true;
    StartTimer(1, [this] {
      busy_ = false;
      lines_this_turn_ = 0;
      Resume();
    });
  }

  void StartTimer(uint64_t ms, std::function<void()> fn) {
    // Our own loop timer, not the connection's: the transport owns that one (fail delays,
    // negotiation timeouts) and may re-arm it at any time.
    if (!pause_timer_) pause_timer_ = std::make_unique<Timer>(conn_.host().loop());
    pause_timer_->Start(ms, 0, std::move(fn));
  }

  // Replays what was typed while busy; then an EOF that came meanwhile.
  void Resume() {
    std::string typed = std::move(pending_input_);
    pending_input_.clear();
    if (!typed.empty()) Input(typed);
    if (eof_ && !busy_ && !exited_) FinishAtEof();
  }

  void EndLine() {
    Show("\n");
    std::string line = std::move(line_);
    line_.clear();
    line_cut_ = false;
    history_pos_ = 0;
    if (state_.dialog) return Answer(std::move(line));
    if (Continues(line)) {  // PS2: an open quote, if/for, && or here-document
      Show("> ");
      return CountLineAndMaybeYield();
    }
    const std::string input = TakeContinued(line);
    RunCommandLine(input);
    if (!busy_ && !exited_) {
      PromptOrQuestion();
      CountLineAndMaybeYield();
    }
  }

  // True when `line` leaves the input open: it is kept (bounded) and the next line continues it.
  bool Continues(const std::string& line) {
    std::string input = continued_.empty() ? line : continued_ + "\n" + line;
    if (input.size() >= kMaxContinued || !ParseCommandLine(input).incomplete) return false;
    continued_ = std::move(input);
    return true;
  }
  std::string TakeContinued(const std::string& line) {
    std::string input = continued_.empty() ? line : continued_ + "\n" + line;
    continued_.clear();
    return input;
  }

  // The prompt, or the next question of a command that asks for a password.
  void PromptOrQuestion() {
    if (state_.dialog && answers_.size() < state_.dialog->prompts.size()) {
      Show(state_.dialog->prompts[answers_.size()]);
      return;
    }
    Prompt();
  }

  // One answer to a dialog (not a command line: no command event, no history); after the last one
  // the command finishes with what was typed.
  void Answer(std::string line) {
    answers_.push_back(std::move(line));
    if (answers_.size() < state_.dialog->prompts.size()) return PromptOrQuestion();
    ShellState::Dialog d = std::move(*state_.dialog);
    state_.dialog.reset();
    std::vector<std::string> answers = std::move(answers_);
    answers_.clear();
    Out out(state_.limits.max_output);
    state_.terminal = &out;
    state_.last_status = d.done(state_, Io{{}, &out, &out}, answers);
    state_.terminal = nullptr;
    Show(out.bytes());
    if (!exited_) PromptOrQuestion();
  }

  // Non-interactive stdin (no pty): lines run as they arrive, nothing echoed, no prompt.
  void LineMode(std::string_view bytes) {
    for (size_t i = 0; i < bytes.size() && !exited_; ++i) {
      if (busy_) {
        KeepForLater(bytes.substr(i));
        return;
      }
      const char c = bytes[i];
      if (c == '\n') {
        std::string line = std::move(line_);
        line_.clear();
        line_cut_ = false;
        if (Continues(line)) {
          CountLineAndMaybeYield();
          continue;
        }
        RunCommandLine(TakeContinued(line));
        CountLineAndMaybeYield();
        continue;
      }
      if (line_.size() >= conn_.host().limits().max_line_bytes) {
        if (!line_cut_) ++stats_.truncated_lines;
        line_cut_ = true;
        continue;
      }
      line_.push_back(c);
    }
  }

  void RunCommandLine(std::string_view line) {
    const size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string_view::npos) return;
    ++stats_.commands;
    conn_.host()
        .log()
        .New(options_.service, "command")
        .From(conn_)
        .Add("input", line)
        .Add("cwd", state_.cwd)
        .Add("user", state_.user)
        .Emit();
    if (state_.history.size() >= state_.limits.max_history) state_.history.pop_front();
    state_.history.emplace_back(line.substr(start));
    Out out(state_.limits.max_output);
    state_.terminal = &out;
    state_.pauses.clear();
    state_.steps = 0;
    state_.dialog.reset();
    state_.RunLine(line, Io{{}, &out, &out});
    if (!options_.interactive)
      state_.dialog.reset();  // nobody to answer: the command already failed
    state_.terminal = nullptr;
    output_dropped_ += out.dropped();
    pending_output_ = std::move(out.bytes());
    pauses_ = std::move(state_.pauses);
    shown_ = 0;
    next_pause_ = 0;
    Drain();
  }

  // Shows the command's output up to its next pause, then waits on the connection timer.
  void Drain() {
    while (next_pause_ < pauses_.size()) {
      const auto& p = pauses_[next_pause_++];
      if (p.offset < shown_) continue;
      Show(std::string_view(pending_output_).substr(shown_, p.offset - shown_));
      shown_ = p.offset;
      const uint64_t ms = p.ms * pause_percent_ / 100;
      if (ms == 0) continue;
      busy_ = true;
      StartTimer(ms, [this] { Drain(); });
      return;
    }
    Show(std::string_view(pending_output_).substr(std::min(shown_, pending_output_.size())));
    pending_output_.clear();
    const bool was_busy = busy_;
    busy_ = false;
    AfterCommand(was_busy);
  }

  void AfterCommand(bool resumed) {
    if (state_.exit_requested) {
      if (options_.interactive) Show("logout\n");
      Finish(state_.exit_status);
      return;
    }
    if (!resumed) return;
    // The command finished after a pause: the prompt (or the exit), then what was typed meanwhile.
    if (exec_mode_) {
      Finish(state_.last_status);
      return;
    }
    if (options_.interactive) PromptOrQuestion();
    Resume();
  }

  void StoreRecording() {
    if (!recorder_.active() || recorder_.text().empty()) return;
    auto upload = conn_.host().artifacts().Begin();
    upload->Append(recorder_.text());
    auto done = upload->Finish();
    if (!done) return;
    conn_.host()
        .log()
        .New(options_.service, "session_recording")
        .From(conn_)
        .Add("sha256", done->sha256)
        .Add("size", static_cast<int64_t>(done->size))
        .Add("path", done->path)
        .Add("format", "asciicast-v2")
        .Add("dropped_bytes", static_cast<int64_t>(recorder_.dropped()))
        .Emit();
  }

  decoy::Connection& conn_;
  Terminal& term_;
  ShellOptions options_;
  ShellState state_;
  uint64_t started_ms_;
  Recorder recorder_;
  mutable ShellStats stats_;
  std::string line_;
  bool line_cut_ = false;
  bool after_cr_ = false;
  Esc esc_ = Esc::kNone;
  size_t history_pos_ = 0;
  bool logged_start_ = false, exited_ = false, closed_ = false, exec_mode_ = false, eof_ = false;
  bool busy_ = false;
  std::string pending_input_, pending_output_;
  std::vector<std::string> answers_;  // typed so far for state_.dialog
  uint64_t output_dropped_ = 0, input_dropped_ = 0;
  std::string continued_;  // lines of an input still open (PS2)
  uint64_t turn_ms_ = 0;
  uint32_t lines_this_turn_ = 0;
  std::vector<ShellState::Pause> pauses_;
  size_t shown_ = 0, next_pause_ = 0;
  uint64_t pause_percent_;
  std::unique_ptr<Timer> pause_timer_;  // made at the first pause
};

}  // namespace

std::unique_ptr<Shell> NewShell(decoy::Connection& conn, Terminal& terminal, ShellOptions options) {
  return std::make_unique<ShellImpl>(conn, terminal, std::move(options));
}

}  // namespace decnet::services::shell
