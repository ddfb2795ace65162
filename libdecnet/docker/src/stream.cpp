#include "decnet/docker/stream.h"

#include <cstring>

namespace decnet::docker {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view TrimSp(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

Status HttpResponseReader::ParseHeaders() {
  std::string_view h(head_);
  size_t eol = h.find("\r\n");
  std::string_view status_line = h.substr(0, eol);
  if (status_line.substr(0, 7) != "HTTP/1." || status_line.size() < 12) {
    return MakeError(Errc::kInvalidArgument, "bad HTTP status line");
  }
  status_ = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (status_line[i] < '0' || status_line[i] > '9') {
      return MakeError(Errc::kInvalidArgument, "bad HTTP status");
    }
    status_ = status_ * 10 + (status_line[i] - '0');
  }
  h.remove_prefix(eol + 2);
  while (!h.empty()) {
    eol = h.find("\r\n");
    std::string_view line = h.substr(0, eol);
    h.remove_prefix(eol == std::string_view::npos ? h.size() : eol + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = TrimSp(line.substr(0, colon));
    std::string_view value = TrimSp(line.substr(colon + 1));
    if (IEquals(name, "content-type")) {
      content_type_.assign(value);
    } else if (IEquals(name, "transfer-encoding") && IEquals(value, "chunked")) {
      body_ = Body::kChunked;
    } else if (IEquals(name, "content-length") && body_ != Body::kChunked) {
      uint64_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9' || n > (1ULL << 40))
          return MakeError(Errc::kInvalidArgument, "bad length");
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      body_ = Body::kLength;
      left_ = n;
      if (n == 0) done_ = true;
    }
  }
  return Ok();
}

Status HttpResponseReader::Feed(std::string_view data, std::string* body) {
  if (!headers_done_) {
    const size_t old = head_.size();
    head_.append(data.substr(0, kMaxHeaderBytes + 4));
    size_t end = head_.find("\r\n\r\n", old >= 3 ? old - 3 : 0);
    if (end == std::string::npos) {
      if (head_.size() > kMaxHeaderBytes)
        return MakeError(Errc::kInvalidArgument, "HTTP headers too long");
      return Ok();
    }
    const size_t consumed = end + 4 - old;
    head_.resize(end + 2);
    headers_done_ = true;
    if (Status st = ParseHeaders(); !st) return st;
    head_.clear();
    head_.shrink_to_fit();
    data.remove_prefix(consumed);
  }
  while (!data.empty() && !done_) {
    if (body_ == Body::kUntilEof) {
      body->append(data);
      return Ok();
    }
    if (body_ == Body::kLength) {
      size_t n = data.size() < left_ ? data.size() : left_;
      body->append(data.substr(0, n));
      left_ -= n;
      data.remove_prefix(n);
      if (left_ == 0) done_ = true;
      continue;
    }
    switch (chunk_) {
      case Chunk::kSize: {
        size_t lf = data.find('\n');
        size_line_.append(data.substr(0, lf));
        if (size_line_.size() > 32) return MakeError(Errc::kInvalidArgument, "bad chunk size line");
        if (lf == std::string_view::npos) return Ok();
        data.remove_prefix(lf + 1);
        uint64_t n = 0;
        size_t digits = 0;
        for (char c : size_line_) {
          int v = (c >= '0' && c <= '9')   ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : -1;
          if (v < 0) break;  // ';' extensions or CR
          n = n * 16 + static_cast<uint64_t>(v);
          if (++digits > 12) return MakeError(Errc::kInvalidArgument, "chunk too large");
        }
        if (digits == 0) return MakeError(Errc::kInvalidArgument, "bad chunk size");
        size_line_.clear();
        left_ = n;
        chunk_ = n == 0 ? Chunk::kTrailer : Chunk::kData;
        break;
      }
      case Chunk::kData: {
        size_t n = data.size() < left_ ? data.size() : left_;
        body->append(data.substr(0, n));
        left_ -= n;
        data.remove_prefix(n);
        if (left_ == 0) chunk_ = Chunk::kDataCrlf;
        break;
      }
      case Chunk::kDataCrlf: {
        size_t lf = data.find('\n');
        if (lf == std::string_view::npos) return Ok();
        data.remove_prefix(lf + 1);
        chunk_ = Chunk::kSize;
        break;
      }
      case Chunk::kTrailer:
        done_ = true;
        break;
    }
  }
  return Ok();
}

LogFraming SniffLogFraming(std::string_view content_type, std::string_view first) {
  if (content_type.find("multiplexed") != std::string_view::npos) return LogFraming::kMultiplexed;
  if (first.size() < 4) return LogFraming::kUnknown;
  const bool header = (first[0] == 0 || first[0] == 1 || first[0] == 2) && first[1] == 0 &&
                      first[2] == 0 && first[3] == 0;
  return header ? LogFraming::kMultiplexed : LogFraming::kRaw;
}

void DockerMuxDecoder::Feed(std::string_view data, std::string* out) {
  while (!data.empty()) {
    if (left_ == 0) {
      while (have_ < 8 && !data.empty()) {
        header_[have_++] = static_cast<unsigned char>(data.front());
        data.remove_prefix(1);
      }
      if (have_ < 8) return;
      left_ = (uint64_t{header_[4]} << 24) | (uint64_t{header_[5]} << 16) |
              (uint64_t{header_[6]} << 8) | header_[7];
      have_ = 0;
      ++frames_;
      continue;
    }
    size_t n = data.size() < left_ ? data.size() : left_;
    if (header_[0] == 1 || header_[0] == 2) out->append(data.substr(0, n));
    left_ -= n;
    data.remove_prefix(n);
  }
}

}  // namespace decnet::docker
