// Who gets in: the accept policy of a login service (SSH, Telnet), per persona.
//
// A honeypot that never lets anyone in learns only passwords; one that lets everyone in is
// obviously fake. Brute-forcers get in the way they do on weak real hosts: a known weak pair, or
// (Cowrie's AuthRandom) after a few attempts from the same source, which then keeps working for
// that source.
//
// Settings (topology, per service): `accept` = "list" (default) | "nth" | "never" | "any";
// `users` = "root:123456,admin:admin" (a `*` password accepts any password for that user, a leading
// `!` rejects that exact password); `accept_after` = N for "nth" (default 3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace decnet::decoy {
class Persona;
}

namespace decnet::services::shell {

class AuthPolicy {
 public:
  enum class Mode : uint8_t { kList, kNth, kNever, kAny };
  struct Rule {
    std::string user;
    std::string password;  // exact bytes; "*" = any
    bool reject = false;   // "!pw": this exact password is refused
  };

  // The policy of `service` on this persona (its settings, or the defaults above).
  static AuthPolicy ForService(const decoy::Persona& persona, std::string_view service);
  AuthPolicy(Mode mode, std::vector<Rule> rules, uint32_t accept_after);

  // One password attempt from `src_ip`. "nth": the Nth attempt from a source is accepted and that
  // (user, password) is then accepted for the source again; other modes ignore the source.
  bool Check(std::string_view src_ip, std::string_view user, std::string_view password);

  Mode mode() const { return mode_; }
  // Sources tracked for "nth" (bounded: the least recently seen is forgotten past kMaxSources).
  size_t tracked_sources() const { return sources_.size(); }
  uint64_t forgotten_sources() const { return forgotten_; }
  static constexpr size_t kMaxSources = 4096;

 private:
  struct SourceState {
    uint32_t attempts = 0;
    std::string accepted_user, accepted_password;
    bool has_accepted = false;
    std::list<std::string>::iterator lru;
  };
  bool MatchesList(std::string_view user, std::string_view password) const;
  SourceState& Touch(std::string_view src_ip);

  Mode mode_;
  std::vector<Rule> rules_;
  uint32_t accept_after_;
  std::unordered_map<std::string, SourceState> sources_;
  std::list<std::string> lru_;  // front = most recent
  uint64_t forgotten_ = 0;
};

// Parses "user:pw,user2:*,root:!root" (pairs split at the first ':'; empty items skipped).
std::vector<AuthPolicy::Rule> ParseAuthRules(std::string_view text);

}  // namespace decnet::services::shell
