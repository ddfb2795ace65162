// Self-logging: RFC 5424 lines on stderr, APP-NAME decnet.<worker>, facility daemon.
// One write(2) per line, so lines from several processes sharing a journal never interleave.
#pragma once

#include <string_view>

namespace decnet::log {

enum class Level { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

// Sets APP-NAME to "decnet.<worker>" and the threshold. Safe to call again.
void Init(std::string_view worker, Level threshold = Level::kInfo);
void SetThreshold(Level threshold);
// Parses "debug|info|notice|warning|error"; returns false on an unknown name.
bool ParseLevel(std::string_view name, Level* out);

// printf-style; MSGID is "-". Messages longer than 4 KiB are truncated.
void Write(Level level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace decnet::log

#define DLOG_ERROR(...) ::decnet::log::Write(::decnet::log::Level::kError, __VA_ARGS__)
#define DLOG_WARN(...) ::decnet::log::Write(::decnet::log::Level::kWarning, __VA_ARGS__)
#define DLOG_NOTICE(...) ::decnet::log::Write(::decnet::log::Level::kNotice, __VA_ARGS__)
#define DLOG_INFO(...) ::decnet::log::Write(::decnet::log::Level::kInfo, __VA_ARGS__)
#define DLOG_DEBUG(...) ::decnet::log::Write(::decnet::log::Level::kDebug, __VA_ARGS__)
