#include "decnet/fleet/worker_list.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace decnet::fleet {
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Calls fn(fields, line_number) for each non-comment, non-empty line.
template <typename Fn>
Status ForEachRow(const std::string& path, Fn fn) {
  FILE* f = std::fopen(path.c_str(), "re");
  if (!f) return MakeError(Errc::kNotFound, path + ": " + std::strerror(errno));
  char buf[4096];
  int line = 0;
  Status st;
  while (std::fgets(buf, sizeof buf, f)) {
    ++line;
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (s.empty() || s[0] == '#') continue;
    st = fn(Split(s, '\t'), line);
    if (!st) break;
  }
  std::fclose(f);
  return st;
}

std::vector<std::string> SplitList(const std::string& s) {
  if (s.empty()) return {};
  return Split(s, ',');
}

}  // namespace

Result<std::vector<WorkerInfo>> ReadWorkerList(const std::string& path) {
  std::vector<WorkerInfo> out;
  Status st = ForEachRow(path, [&](const std::vector<std::string>& f, int line) -> Status {
    if (f.size() < 6) {
      return MakeError(Errc::kCorrupt, path + ":" + std::to_string(line) + ": expected 6 columns");
    }
    WorkerInfo w{f[0], f[1], SplitList(f[2]), SplitList(f[3]), SplitList(f[4]), f[5]};
    if (f.size() >= 7 && !f[6].empty()) {
      w.templated = true;
      w.instance_args = Split(f[6], ' ');
    }
    out.push_back(std::move(w));
    return Ok();
  });
  if (!st) return st.error();
  return out;
}

Result<std::map<std::string, Budget>> ReadBudgets(const std::string& path) {
  std::map<std::string, Budget> out;
  Status st = ForEachRow(path, [&](const std::vector<std::string>& f, int line) -> Status {
    char* e1 = nullptr;
    char* e2 = nullptr;
    if (f.size() < 3) {
      return MakeError(Errc::kCorrupt, path + ":" + std::to_string(line) + ": expected 3 columns");
    }
    Budget b{std::strtoull(f[1].c_str(), &e1, 10), std::strtoull(f[2].c_str(), &e2, 10)};
    if (*e1 || *e2 || f[1].empty() || f[2].empty()) {
      return MakeError(Errc::kCorrupt, path + ":" + std::to_string(line) + ": budgets are KiB integers");
    }
    out[f[0]] = b;
    return Ok();
  });
  if (!st) return st.error();
  return out;
}

}  // namespace decnet::fleet
