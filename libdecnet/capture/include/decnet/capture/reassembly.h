// Bounded TCP reassembly of the first bytes of one direction of a flow: enough to see a ClientHello, a
// ServerHello or an SSH KEXINIT that spans segments. Out-of-order segments are held (up to kMaxRanges
// holes), overlaps keep the bytes that arrived first (the way most stacks do, and an attacker cannot
// rewrite what we already fingerprinted), and nothing is kept beyond `cap` bytes from the stream start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "decnet/capture/bytes.h"

namespace decnet::capture {

// A byte budget shared by every StreamBuffer of one analyzer (the global cap).
struct StreamBudget {
  size_t limit = 4 << 20;
  size_t used = 0;
  uint64_t refused = 0;  // segments dropped because the global budget was spent
};

class StreamBuffer {
 public:
  static constexpr size_t kMaxRanges = 16;
  enum class AddResult { kStored, kDuplicate, kBeyondCap, kTooManyHoles, kOverBudget };

  StreamBuffer() = default;
  ~StreamBuffer() = default;
  StreamBuffer(const StreamBuffer&) = delete;
  StreamBuffer& operator=(const StreamBuffer&) = delete;
  StreamBuffer(StreamBuffer&&) = default;
  StreamBuffer& operator=(StreamBuffer&&) = default;

  // Sets the sequence number of the first stream byte (ISN + 1 from the SYN). Without it the first
  // segment seen starts the stream.
  void SetBase(uint32_t seq) {
    if (!has_base_) base_ = seq, has_base_ = true;
  }
  bool has_base() const { return has_base_; }

  // Stores `data` that starts at sequence `seq`, clipped to [base, base + cap).
  AddResult Add(uint32_t seq, Bytes data, size_t cap, StreamBudget& budget);
  // The bytes from the stream start up to the first hole.
  Bytes Contiguous() const;
  // Frees the bytes (the direction is done) and returns them to the budget.
  void Release(StreamBudget& budget);

 private:
  uint32_t base_ = 0;
  bool has_base_ = false;
  std::vector<uint8_t> buf_;
  std::vector<std::pair<uint32_t, uint32_t>> ranges_;  // filled [begin, end), sorted, disjoint
};

}  // namespace decnet::capture
