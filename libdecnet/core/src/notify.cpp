#include "decnet/core/notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace decnet {
namespace {

int g_connected_fd = -1;  // set by SdNotifyConnect(), kept for the life of the process

// $NOTIFY_SOCKET as an address ('@' = abstract namespace); false when unset or too long.
bool NotifyAddress(sockaddr_un* addr, socklen_t* alen) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (!path || !*path) return false;
  const size_t len = std::strlen(path);
  if (len >= sizeof addr->sun_path) return false;
  *addr = {};
  addr->sun_family = AF_UNIX;
  std::memcpy(addr->sun_path, path, len);
  if (path[0] == '@') addr->sun_path[0] = '\0';
  *alen = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  return true;
}

}  // namespace

bool SdNotifyConnect() {
  if (g_connected_fd >= 0) return true;
  sockaddr_un addr;
  socklen_t alen;
  if (!NotifyAddress(&addr, &alen)) return false;
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), alen) != 0) {
    ::close(fd);
    return false;
  }
  g_connected_fd = fd;
  return true;
}

bool SdNotify(std::string_view state) {
  if (g_connected_fd >= 0)
    return ::send(g_connected_fd, state.data(), state.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(state.size());
  sockaddr_un addr;
  socklen_t alen;
  if (!NotifyAddress(&addr, &alen)) return false;
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  ssize_t n = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                       reinterpret_cast<sockaddr*>(&addr), alen);
  ::close(fd);
  return n == static_cast<ssize_t>(state.size());
}

uint64_t WatchdogUsec() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (!usec) return 0;
  const char* wpid = std::getenv("WATCHDOG_PID");
  if (wpid && std::strtol(wpid, nullptr, 10) != static_cast<long>(getpid())) return 0;
  return std::strtoull(usec, nullptr, 10);
}

}  // namespace decnet
