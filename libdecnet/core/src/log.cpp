#include "decnet/core/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

namespace decnet::log {
namespace {
char g_app[64] = "decnet";
char g_host[256] = "-";
Level g_threshold = Level::kInfo;
constexpr int kFacilityDaemon = 3;
}  // namespace

void Init(std::string_view worker, Level threshold) {
  std::snprintf(g_app, sizeof g_app, "decnet.%.*s", static_cast<int>(worker.size()), worker.data());
  if (gethostname(g_host, sizeof g_host) != 0 || g_host[0] == '\0') std::strcpy(g_host, "-");
  g_host[sizeof g_host - 1] = '\0';
  g_threshold = threshold;
}

void SetThreshold(Level threshold) { g_threshold = threshold; }

bool ParseLevel(std::string_view name, Level* out) {
  static const struct {
    const char* name;
    Level level;
  } kLevels[] = {{"error", Level::kError},   {"warning", Level::kWarning}, {"warn", Level::kWarning},
                 {"notice", Level::kNotice}, {"info", Level::kInfo},       {"debug", Level::kDebug}};
  for (const auto& l : kLevels) {
    if (name == l.name) {
      *out = l.level;
      return true;
    }
  }
  return false;
}

void Write(Level level, const char* fmt, ...) {
  if (static_cast<int>(level) > static_cast<int>(g_threshold)) return;
  char line[4608];
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  gmtime_r(&tv.tv_sec, &tm);
  int n = std::snprintf(line, sizeof line, "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d.%06ldZ %s %s %d - - ",
                        kFacilityDaemon * 8 + static_cast<int>(level), tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                        static_cast<long>(tv.tv_usec), g_host, g_app, static_cast<int>(getpid()));
  if (n < 0) return;
  va_list ap;
  va_start(ap, fmt);
  int m = std::vsnprintf(line + n, sizeof line - static_cast<size_t>(n) - 1, fmt, ap);
  va_end(ap);
  size_t len = static_cast<size_t>(n) + (m < 0 ? 0 : static_cast<size_t>(m));
  if (len > sizeof line - 2) len = sizeof line - 2;
  // A message must stay one line: fold embedded newlines.
  for (size_t i = static_cast<size_t>(n); i < len; ++i) {
    if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
  }
  line[len++] = '\n';
  ssize_t unused = ::write(STDERR_FILENO, line, len);
  (void)unused;
}

}  // namespace decnet::log
