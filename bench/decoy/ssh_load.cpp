// SSH load against one decky: parallel libssh clients (a C client, so the decky and not the client
// is what is measured; Cowrie's anchor figures were limited by their paramiko clients).
//   ssh_load HOST PORT MODE CLIENTS SECONDS [MAX_SESSIONS]
// MODE: "attempts" = password attempts with a wrong password (up to 5 per connection, then
// reconnect);
//       "sessions" = connect, KEX, password login as root:<DECNET_SSH_PASSWORD>, exec `true`, read
//       the exit status, disconnect.
// Prints one line: "<n> <mode>/s (<n> ok, <n> failed in <s> s)". Bounded by SECONDS and
// MAX_SESSIONS.
#include <libssh/libssh.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
  std::string host, port, mode, password;
  int clients = 4;
  double seconds = 5;
  long max_sessions = 0;
};

std::atomic<long> g_ok{0}, g_failed{0}, g_started{0};

ssh_session Connect(const Options& o) {
  ssh_session s = ssh_new();
  if (s == nullptr) return nullptr;
  int verbosity = SSH_LOG_NOLOG;
  long timeout = 10;
  ssh_options_set(s, SSH_OPTIONS_HOST, o.host.c_str());
  ssh_options_set(s, SSH_OPTIONS_PORT_STR, o.port.c_str());
  ssh_options_set(s, SSH_OPTIONS_USER, "root");
  ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
  // No ~/.ssh/config, no known_hosts: every decky has a fresh key.
  bool process_config = false;
  ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config);
  if (const char* kex = std::getenv("DECNET_SSH_KEX"))
    ssh_options_set(s, SSH_OPTIONS_KEY_EXCHANGE, kex);
  if (const char* c = std::getenv("DECNET_SSH_CIPHER")) {
    ssh_options_set(s, SSH_OPTIONS_CIPHERS_C_S, c);
    ssh_options_set(s, SSH_OPTIONS_CIPHERS_S_C, c);
  }
  if (ssh_connect(s) != SSH_OK) {
    ssh_free(s);
    return nullptr;
  }
  return s;
}

void Done(ssh_session s) {
  ssh_disconnect(s);
  ssh_free(s);
}

bool OneSession(const Options& o) {
  ssh_session s = Connect(o);
  if (s == nullptr) return false;
  bool ok = false;
  if (ssh_userauth_password(s, nullptr, o.password.c_str()) == SSH_AUTH_SUCCESS) {
    ssh_channel ch = ssh_channel_new(s);
    if (ch != nullptr && ssh_channel_open_session(ch) == SSH_OK) {
      if (ssh_channel_request_exec(ch, "true") == SSH_OK) {
        char buf[256];
        while (ssh_channel_read(ch, buf, sizeof buf, 0) > 0) {
        }
        ok = ssh_channel_get_exit_status(ch) == 0;
      }
      ssh_channel_close(ch);
    }
    if (ch != nullptr) ssh_channel_free(ch);
  }
  Done(s);
  return ok;
}

// Up to 5 wrong passwords on one connection (OpenSSH's MaxAuthTries 6 would end it at the 6th).
long Attempts(const Options& o) {
  ssh_session s = Connect(o);
  if (s == nullptr) return -1;
  long n = 0;
  for (int i = 0; i < 5; ++i) {
    std::string pw = "wrong-" + std::to_string(i);
    int rc = ssh_userauth_password(s, nullptr, pw.c_str());
    if (rc == SSH_AUTH_ERROR) break;
    ++n;
  }
  Done(s);
  return n;
}

void Client(const Options& o, std::chrono::steady_clock::time_point end) {
  while (std::chrono::steady_clock::now() < end) {
    if (o.max_sessions > 0 && g_started.fetch_add(1) >= o.max_sessions) return;
    if (o.mode == "sessions") {
      (OneSession(o) ? g_ok : g_failed)++;
    } else {
      long n = Attempts(o);
      if (n < 0) {
        g_failed++;
      } else {
        g_ok += n;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s HOST PORT attempts|sessions CLIENTS SECONDS [MAX_SESSIONS]\n",
                 argv[0]);
    return 2;
  }
  Options o;
  o.host = argv[1];
  o.port = argv[2];
  o.mode = argv[3];
  o.clients = std::atoi(argv[4]);
  o.seconds = std::atof(argv[5]);
  if (argc > 6) o.max_sessions = std::atol(argv[6]);
  const char* pw = std::getenv("DECNET_SSH_PASSWORD");
  o.password = pw != nullptr ? pw : "123456";
  ssh_init();
  auto start = std::chrono::steady_clock::now();
  auto end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(o.seconds));
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) threads.emplace_back(Client, std::cref(o), end);
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%.1f %s/s (%ld ok, %ld failed in %.1f s)\n", g_ok.load() / secs, o.mode.c_str(),
              g_ok.load(), g_failed.load(), secs);
  ssh_finalize();
  return g_ok.load() > 0 ? 0 : 1;
}
