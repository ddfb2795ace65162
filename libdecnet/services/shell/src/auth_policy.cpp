#include "decnet/services/shell/auth_policy.h"

#include <array>
#include <charconv>

#include "decnet/core/config.h"
#include "decnet/decoy/persona.h"

namespace decnet::services::shell {
namespace {

// Without a `users` setting a decky has one weak root password, picked per decky from what
// brute-force wordlists try first: each decky falls to a different word, as weak real hosts do.
constexpr std::array<std::string_view, 8> kWeakRootPasswords = {
    "123456", "password", "admin", "root", "toor", "12345678", "qwerty", "1234"};

AuthPolicy::Mode ParseMode(std::string_view text) {
  if (text == "nth") return AuthPolicy::Mode::kNth;
  if (text == "never") return AuthPolicy::Mode::kNever;
  if (text == "any") return AuthPolicy::Mode::kAny;
  return AuthPolicy::Mode::kList;
}

uint32_t ParseCount(std::string_view text, uint32_t fallback) {
  uint32_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n == 0) return fallback;
  return n;
}

bool UserMatches(const AuthPolicy::Rule& rule, std::string_view user) {
  return rule.user == "*" || rule.user == user;
}

}  // namespace

std::vector<AuthPolicy::Rule> ParseAuthRules(std::string_view text) {
  std::vector<AuthPolicy::Rule> rules;
  for (const std::string& item : SplitCommaList(text)) {
    size_t colon = item.find(':');
    if (colon == std::string::npos || colon == 0) continue;
    AuthPolicy::Rule rule;
    rule.user = item.substr(0, colon);
    std::string_view pw = std::string_view(item).substr(colon + 1);
    if (!pw.empty() && pw.front() == '!') {
      rule.reject = true;
      pw.remove_prefix(1);
    }
    rule.password = std::string(pw);
    rules.push_back(std::move(rule));
  }
  return rules;
}

AuthPolicy AuthPolicy::ForService(const decoy::Persona& persona, std::string_view service) {
  Mode mode = ParseMode(persona.Setting(service, "accept", "list"));
  std::vector<Rule> rules = ParseAuthRules(persona.Setting(service, "users"));
  if (rules.empty()) {
    std::string root_pw = persona.Choose(service, "root_password", kWeakRootPasswords);
    rules.push_back({"root", root_pw, false});
  }
  uint32_t after = ParseCount(persona.Setting(service, "accept_after"), 3);
  return AuthPolicy(mode, std::move(rules), after);
}

AuthPolicy::AuthPolicy(Mode mode, std::vector<Rule> rules, uint32_t accept_after)
    : mode_(mode), rules_(std::move(rules)), accept_after_(accept_after == 0 ? 1 : accept_after) {}

bool AuthPolicy::MatchesList(std::string_view user, std::string_view password) const {
  // Rejections first, so "root:!root,root:*" refuses exactly "root" and accepts the rest.
  for (const Rule& r : rules_) {
    if (r.reject && UserMatches(r, user) && r.password == password) return false;
  }
  for (const Rule& r : rules_) {
    if (!r.reject && UserMatches(r, user) && (r.password == "*" || r.password == password)) {
      return true;
    }
  }
  return false;
}

AuthPolicy::SourceState& AuthPolicy::Touch(std::string_view src_ip) {
  auto it = sources_.find(std::string(src_ip));
  if (it != sources_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second;
  }
  if (sources_.size() >= kMaxSources) {
    sources_.erase(lru_.back());
    lru_.pop_back();
    ++forgotten_;
  }
  lru_.emplace_front(src_ip);
  SourceState& state = sources_[lru_.front()];
  state.lru = lru_.begin();
  return state;
}

bool AuthPolicy::Check(std::string_view src_ip, std::string_view user, std::string_view password) {
  switch (mode_) {
    case Mode::kNever:
      return false;
    case Mode::kAny:
      return true;
    case Mode::kList:
      return MatchesList(user, password);
    case Mode::kNth:
      break;
  }
  SourceState& s = Touch(src_ip);
  if (s.has_accepted) return s.accepted_user == user && s.accepted_password == password;
  if (MatchesList(user, password) || ++s.attempts >= accept_after_) {
    s.has_accepted = true;
    s.accepted_user = std::string(user);
    s.accepted_password = std::string(password);
    return true;
  }
  return false;
}

}  // namespace decnet::services::shell
