#include "recording.h"

#include "decnet/core/json.h"

namespace decnet::services::shell {

void Recorder::Begin(uint16_t cols, uint16_t rows, int64_t start_us, std::string_view term) {
  started_ = true;
  start_us_ = start_us;
  text_ = "{\"version\": 2, \"width\": " + std::to_string(cols) +
          ", \"height\": " + std::to_string(rows) +
          ", \"timestamp\": " + std::to_string(start_us / 1'000'000) + ", \"env\": {\"TERM\": ";
  json::AppendQuoted(text_, term.empty() ? "xterm" : term);
  text_ += ", \"SHELL\": \"/bin/bash\"}}\n";
}

void Recorder::Add(char kind, std::string_view data, int64_t now_us) {
  if (!started_ || data.empty()) return;
  if (full_) {
    dropped_ += data.size();
    return;
  }
  std::string line = "[";
  const int64_t us = now_us > start_us_ ? now_us - start_us_ : 0;
  json::AppendDouble(line, static_cast<double>(us) / 1e6);
  line += ", \"";
  line.push_back(kind);
  line += "\", ";
  json::AppendQuoted(line, data);
  line += "]\n";
  if (text_.size() + line.size() > cap_) {  // whole lines only: the file stays valid asciicast
    full_ = true;
    dropped_ += data.size();
    return;
  }
  text_ += line;
}

}  // namespace decnet::services::shell
