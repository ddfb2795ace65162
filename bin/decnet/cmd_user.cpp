// decnet user add NAME [--password-stdin] [--role admin|viewer]: create a dashboard/API user.
// There is no default password: without --password-stdin a random one is generated and printed
// once.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli.h"
#include "decnet/core/config.h"
#include "decnet/core/loop.h"
#include "decnet/http/auth.h"
#include "decnet/storage/repository.h"

namespace {

using namespace decnet;

std::string NewUuid() {
  std::string h = http::RandomHex(16);
  h[12] = '4';                                                  // version 4
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];  // variant 10xx
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

int UserAdd(int argc, char** argv) {
  Config cfg("user",
             "decnet user add NAME [--password-stdin] [--role admin|viewer]: create an API user");
  cfg.AddString("state_dir", "/var/lib/decnet", "state directory (locates the DB)");
  cfg.AddBool("password_stdin", false, "read the password from the first line of stdin");
  cfg.AddString("role", "admin", "admin | viewer");
  cfg.AddBool("must_change_password", false, "force a password change at first login");
  storage::AddDbConfigKeys(cfg);
  if (Status st = cfg.Load(argc, argv); !st) {
    std::fprintf(stderr, "decnet user add: %s\n", st.error().message.c_str());
    return 2;
  }
  if (cfg.help_requested()) return std::fputs(cfg.Usage().c_str(), stdout), 0;
  const auto& pos = cfg.positional();
  if (pos.size() != 1 || pos[0].empty() || pos[0].size() > 64) {
    std::fprintf(stderr, "usage: decnet user add NAME [--password-stdin] [--role admin|viewer]\n");
    return 2;
  }
  const std::string& role = cfg.String("role");
  if (role != "admin" && role != "viewer") {
    std::fprintf(stderr, "decnet user add: --role must be admin or viewer\n");
    return 2;
  }
  std::string password;
  bool generated = !cfg.Bool("password_stdin");
  if (generated) {
    password = http::GeneratePassword(20);
  } else {
    char buf[512];
    if (std::fgets(buf, sizeof buf, stdin) == nullptr) {
      std::fprintf(stderr, "decnet user add: no password on stdin\n");
      return 2;
    }
    password = buf;
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
      password.pop_back();
  }
  if (Status st = http::CheckPasswordPolicy(password); !st) {
    std::fprintf(stderr, "decnet user add: %s\n", st.error().message.c_str());
    return 2;
  }
  storage::OpenedDb db = storage::OpenFromConfig(cfg, [](const std::string& why) {
    std::fprintf(stderr, "decnet user add: %s\n", why.c_str());
  });
  if (!db.repo) return db.exit_code;
  auto hash = http::HashPassword(password);
  if (!hash) {
    std::fprintf(stderr, "decnet user add: %s\n", hash.error().message.c_str());
    return 1;
  }
  storage::UserRow u;
  u.uuid = NewUuid();
  u.username = pos[0];
  u.password_hash = *hash;
  u.role = role;
  u.must_change_password = cfg.Bool("must_change_password");
  u.created_at_us = static_cast<int64_t>(NowEpoch() * 1e6);
  if (Status st = db.repo->CreateUser(u); !st) {
    std::fprintf(stderr, "decnet user add: %s\n",
                 st.error().code == Errc::kBusy
                     ? ("user '" + u.username + "' already exists").c_str()
                     : st.error().message.c_str());
    return 1;
  }
  if (generated) {
    std::printf("created %s user '%s' with password: %s\n", role.c_str(), u.username.c_str(),
                password.c_str());
  } else {
    std::printf("created %s user '%s'\n", role.c_str(), u.username.c_str());
  }
  return 0;
}

int UserCommand(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "add") return UserAdd(argc - 1, argv + 1);
  std::fprintf(stderr, "usage: decnet user add NAME [--password-stdin] [--role admin|viewer]\n");
  return 2;
}

}  // namespace

DECNET_COMMAND("user", "manage API/dashboard users (add)", UserCommand);
