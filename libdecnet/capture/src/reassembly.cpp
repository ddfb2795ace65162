#include "decnet/capture/reassembly.h"

#include <algorithm>
#include <cstring>

namespace decnet::capture {

StreamBuffer::AddResult StreamBuffer::Add(uint32_t seq, Bytes data, size_t cap,
                                          StreamBudget& budget) {
  if (data.empty()) return AddResult::kDuplicate;
  SetBase(seq);
  // Wrap-aware offset from the stream start.
  int64_t off = int32_t(seq - base_);
  if (off < 0) {
    if (uint64_t(-off) >= data.size()) return AddResult::kDuplicate;
    data = data.subspan(size_t(-off));
    off = 0;
  }
  if (size_t(off) >= cap) return AddResult::kBeyondCap;
  uint32_t begin = uint32_t(off);
  uint32_t end = uint32_t(std::min<size_t>(cap, size_t(off) + data.size()));
  if (end > buf_.size()) {
    size_t grow = end - buf_.size();
    if (budget.used + grow > budget.limit) {
      ++budget.refused;
      return AddResult::kOverBudget;
    }
    budget.used += grow;
    buf_.resize(end);
  }
  // Copy only into the gaps: bytes already present win.
  uint32_t cur = begin;
  bool stored = false;
  for (const auto& [b, e] : ranges_) {
    if (e <= cur) continue;
    if (b >= end) break;
    if (b > cur) {
      std::memcpy(&buf_[cur], &data[cur - begin], b - cur);
      stored = true;
    }
    cur = std::max(cur, e);
    if (cur >= end) break;
  }
  if (cur < end) {
    std::memcpy(&buf_[cur], &data[cur - begin], end - cur);
    stored = true;
  }
  if (!stored) return AddResult::kDuplicate;
  // Merge [begin, end) into the range list.
  ranges_.emplace_back(begin, end);
  std::sort(ranges_.begin(), ranges_.end());
  std::vector<std::pair<uint32_t, uint32_t>> merged;
  merged.reserve(ranges_.size());
  for (const auto& r : ranges_) {
    if (!merged.empty() && r.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  ranges_.swap(merged);
  if (ranges_.size() > kMaxRanges) {
    // Too fragmented to be a real handshake: keep what is contiguous, forget the rest.
    ranges_.resize(1);
    return AddResult::kTooManyHoles;
  }
  return AddResult::kStored;
}

Bytes StreamBuffer::Contiguous() const {
  if (ranges_.empty() || ranges_[0].first != 0) return {};
  return Bytes(buf_.data(), ranges_[0].second);
}

void StreamBuffer::Release(StreamBudget& budget) {
  budget.used -= std::min(budget.used, buf_.size());
  std::vector<uint8_t>().swap(buf_);
  ranges_.clear();
  ranges_.shrink_to_fit();
}

}  // namespace decnet::capture
