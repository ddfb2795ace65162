#include <cmath>
#include <cstdio>
#include <ctime>

#include "decnet/intel/profile.h"

namespace decnet::intel {

std::string IsoTime(double epoch) {
  if (!std::isfinite(epoch)) epoch = 0;
  double whole = std::floor(epoch);
  long usec = std::lround((epoch - whole) * 1e6);
  if (usec >= 1000000) {
    whole += 1;
    usec -= 1000000;
  }
  const time_t t = static_cast<time_t>(whole);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+00:00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
  return buf;
}

}  // namespace decnet::intel
