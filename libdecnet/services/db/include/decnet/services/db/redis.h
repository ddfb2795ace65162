// Redis as redis-server 3.2-7.x answers it (version per persona: 6.0.16 on Ubuntu 22.04, 7.0.15 on
// Debian 12, ...): RESP2 and inline commands, AUTH captured as credentials (password-protected by
// default, no-auth mode per persona setting), INFO/CONFIG/KEYS/GET/SCAN/... answered from a small
// static store with a bounded per-connection overlay, and the usual RCE chain (CONFIG SET dir /
// dbfilename, SAVE, SLAVEOF/REPLICAOF, MODULE LOAD, EVAL, FLUSHALL) logged as such. The decky never
// connects to a master.
//
// Persona settings (topology `redis.<key>`): version (e.g. "7.2.4"), auth ("required" | "none"),
// password (the one AUTH accepts; none by default, so every AUTH fails).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/decoy/service.h"

namespace decnet::services::db {

std::unique_ptr<decoy::Service> MakeRedis(decoy::Host& host);

// The request side of RESP2 as redis-server's networking.c reads it: a command starting with '*' is
// a multibulk array of bulk strings, anything else an inline line split like sdssplitargs(). Errors
// are worded as redis words them ("Protocol error: invalid multibulk length"); after one the parser
// stops (redis replies and closes). Exposed for tests and the fuzz target.
class RespParser {
 public:
  struct Bounds {
    size_t max_args = 1024;                // arguments of one command (redis: INT_MAX)
    size_t max_bulk = 64 << 10;            // one bulk string (redis: proto-max-bulk-len, 512 MB)
    size_t max_command_bytes = 128 << 10;  // all bulk strings of one command (redis: 1 GB query buffer)
    size_t max_inline = 64 << 10;          // an inline line or a count line (redis: the same 64 KiB)
  };
  explicit RespParser(Bounds b) : b_(b) {}
  RespParser() : RespParser(Bounds{}) {}

  // Redis >= 6.0.16/6.2.6 (CVE-2021-32675): a client that must still AUTH may not announce more
  // than 10 arguments or a bulk longer than 16384 bytes.
  void set_unauthenticated(bool v) { unauth_ = v; }

  // Parses `bytes` (any split) and calls `fn` for each complete command, in order; `fn` returns
  // false to stop (the rest is dropped). Returns false after a protocol error: error() holds the
  // reply text without "-ERR " ("" when redis closes without a reply: the query buffer limit).
  bool Feed(std::string_view bytes, const std::function<bool(std::vector<std::string>& argv)>& fn);
  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }
  // Bytes held for an unfinished command (bounded by Bounds).
  size_t buffered() const { return buf_.size() + argv_bytes_; }
  // Which bound refused the input (for counters): true when it was one of ours, not redis's.
  bool refused_by_bound() const { return by_bound_; }

 private:
  enum class Step { kDone, kMore, kError };
  Step ParseOne(size_t* pos, std::vector<std::string>* out);
  Step Fail(std::string msg, bool by_bound = false);

  Bounds b_;
  bool unauth_ = false;
  bool failed_ = false;
  bool by_bound_ = false;
  std::string error_;
  std::string buf_;
  // A multibulk command in progress.
  long long multibulk_left_ = 0;  // 0: between commands
  long long bulk_len_ = -1;       // -1: the next thing is a "$<len>" line
  size_t argv_bytes_ = 0;
  std::vector<std::string> argv_;
};

// sdssplitargs(): inline arguments with "double" (\xHH \n \r \t \b \a escapes) and 'single' quotes.
// False for unbalanced quotes (redis: "Protocol error: unbalanced quotes in request").
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out);

// stringmatchlen(): glob match (* ? [a-z] [^x] \x), case-sensitive; bounded work on hostile patterns.
bool GlobMatch(std::string_view pattern, std::string_view s, bool nocase = false);

}  // namespace decnet::services::db
