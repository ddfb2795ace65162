// An asciicast v2 recording kept in memory (https://docs.asciinema.org/manual/asciicast/v2/): a
// header JSON line, then one [seconds, "o"|"i"|"r", data] line per event. Bounded: past `cap` bytes
// the recording stops (what it would have held is counted), so a flood cannot grow the decky.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace decnet::services::shell {

class Recorder {
 public:
  explicit Recorder(size_t cap) : cap_(cap) {}
  void Begin(uint16_t cols, uint16_t rows, int64_t start_us, std::string_view term);
  // kind: 'o' output, 'i' input, 'r' resize ("COLSxROWS").
  void Add(char kind, std::string_view data, int64_t now_us);
  bool active() const { return started_; }
  const std::string& text() const { return text_; }
  uint64_t dropped() const { return dropped_; }
  void Release() {
    std::string().swap(text_);
    started_ = false;
  }

 private:
  size_t cap_;
  bool started_ = false, full_ = false;
  int64_t start_us_ = 0;
  std::string text_;
  uint64_t dropped_ = 0;
};

}  // namespace decnet::services::shell
