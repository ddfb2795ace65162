#include "attribution.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "decnet/core/json.h"
#include "decnet/core/log.h"

namespace decnet::collector {
namespace {
constexpr size_t kMaxFleetBytes = 16 << 20;
}

NetnsAttributor::NetnsAttributor(std::string fleet_path, size_t max_deckies, std::string proc)
    : fleet_path_(std::move(fleet_path)), proc_(std::move(proc)), max_deckies_(max_deckies) {}

void NetnsAttributor::Load() {
  ++stats_.reloads;
  netns_of_.clear();
  FILE* f = std::fopen(fleet_path_.c_str(), "re");
  if (!f) return;  // no fleet (yet): nobody is attested
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && text.size() <= kMaxFleetBytes) {
    text.append(buf, n);
  }
  std::fclose(f);
  rapidjson::Document doc;
  json::ParseLimits lim{kMaxFleetBytes, 8};
  if (!json::ParseObject(text, doc, lim)) {
    ++stats_.reload_errors;
    DLOG_WARN("fleet file %s does not parse; no decky is attested until it does",
              fleet_path_.c_str());
    return;
  }
  auto it = doc.FindMember("deckies");
  if (it == doc.MemberEnd() || !it->value.IsObject()) return;
  for (auto d = it->value.MemberBegin(); d != it->value.MemberEnd(); ++d) {
    if (!d->value.IsObject()) continue;
    std::string_view netns = json::GetString(d->value, "netns");
    if (netns.empty()) continue;
    if (netns_of_.size() >= max_deckies_) {
      ++stats_.netns_dropped;
      continue;
    }
    netns_of_.emplace(std::string(d->name.GetString(), d->name.GetStringLength()),
                      std::string(netns));
  }
}

void NetnsAttributor::MaybeReload(double now_s, bool missed) {
  bool resolve = false;
  if (now_s >= next_check_s_) {
    next_check_s_ = now_s + 1;
    struct stat st {};
    const bool exists = ::stat(fleet_path_.c_str(), &st) == 0;
    const off_t size = exists ? st.st_size : -1;
    if (size != size_ || (exists && (st.st_ino != ino_ || st.st_mtim.tv_sec != mtime_.tv_sec ||
                                     st.st_mtim.tv_nsec != mtime_.tv_nsec))) {
      size_ = size;
      ino_ = exists ? st.st_ino : 0;
      mtime_ = exists ? st.st_mtim : timespec{};
      Load();
      resolve = true;
    }
  }
  if (missed && now_s >= next_resolve_s_) resolve = true;
  if (!resolve) return;
  next_resolve_s_ = now_s + 1;
  by_ns_.clear();
  for (const auto& [decky, path] : netns_of_) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) continue;  // not up (yet)
    by_ns_[NsKey{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)}] = decky;
  }
}

std::string_view NetnsAttributor::DeckyOf(pid_t pid, double now_s) {
  MaybeReload(now_s, false);
  if (pid <= 0 || netns_of_.empty()) {
    ++stats_.unattributed;
    return {};
  }
  char path[64];
  std::snprintf(path, sizeof path, "%s/%d/ns/net", proc_.c_str(), static_cast<int>(pid));
  struct stat st {};
  // Needs ptrace-read access to the sender (same uid, or CAP_SYS_PTRACE); without it, or when the
  // sender is gone already, its own word is all we have and the record says so.
  if (::stat(path, &st) != 0) {
    ++stats_.unattributed;
    return {};
  }
  const NsKey key{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  auto it = by_ns_.find(key);
  if (it == by_ns_.end()) {
    MaybeReload(now_s, true);
    it = by_ns_.find(key);
  }
  if (it == by_ns_.end()) {
    ++stats_.unattributed;
    return {};
  }
  ++stats_.attested;
  return it->second;
}

}  // namespace decnet::collector
