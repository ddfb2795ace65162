// Errors as values: decnet::Result<T> holds either a T or a decnet::Error.
//
// Why not std::expected: g++ 12 has it under -std=c++2b, but clang 14 (our libFuzzer compiler) cannot
// compile libstdc++ 12's <expected>, and absl::Status costs ~450 KB of text per binary (DESIGN.md §3).
// This is the subset of std::expected we use, with the same names, so a later switch is mechanical.
#pragma once

#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace decnet {

// What went wrong, in a form a log line or a CLI message can print directly.
enum class Errc {
  kInvalidArgument = 1,  // the caller's input is wrong (bad flag, bad frame, bad line)
  kNotFound,             // a file, key or row that should exist does not
  kIo,                   // a system call failed; message carries strerror
  kUnavailable,          // a peer (bus, DB) is away; retrying later may work
  kLimit,                // a configured bound was hit
  kCorrupt,              // stored data is not what this binary can read
  kBusy,                 // someone else holds it (live broker, locked DB)
};

struct Error {
  Errc code = Errc::kInvalidArgument;
  std::string message;
};

inline Error MakeError(Errc code, std::string message) { return Error{code, std::move(message)}; }

// Result<T>: a T, or an Error. Intentionally copyable when T is.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& v) : v_(v) {}                // NOLINT(google-explicit-constructor)
  Result(T&& v) : v_(std::move(v)) {}          // NOLINT(google-explicit-constructor)
  Result(Error e) : v_(std::move(e)) {}        // NOLINT(google-explicit-constructor)

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  // REQUIRES: has_value() for value()/operator*, !has_value() for error(). Aborts otherwise: a broken
  // invariant, not an input error.
  T& value() & { Check(true); return std::get<0>(v_); }
  const T& value() const& { Check(true); return std::get<0>(v_); }
  T&& value() && { Check(true); return std::get<0>(std::move(v_)); }
  const Error& error() const { Check(false); return std::get<1>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T other) const { return has_value() ? std::get<0>(v_) : std::move(other); }

 private:
  void Check(bool want_value) const {
    if (has_value() != want_value) std::abort();
  }
  std::variant<T, Error> v_;
};

// Result<void>: success, or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : err_(std::move(e)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    if (ok_) std::abort();
    return err_;
  }

 private:
  Error err_;
  bool ok_ = true;
};

using Status = Result<void>;
inline Status Ok() { return Status(); }

}  // namespace decnet
