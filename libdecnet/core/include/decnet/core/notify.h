// The sd_notify protocol written by hand (no libsystemd): one datagram to $NOTIFY_SOCKET.
// Both systemd and the local fleet launcher (decnet fleet up) listen there.
#pragma once

#include <cstdint>
#include <string_view>

namespace decnet {

// Sends `state` (e.g. "READY=1\nSTATUS=listening") to $NOTIFY_SOCKET. Returns false when there is no
// socket or the send failed; never blocks.
bool SdNotify(std::string_view state);

// Connects to $NOTIFY_SOCKET now and sends every later notification through that socket. For a
// process about to give up the access the socket's path needs (the decky drops to `nobody` after
// binding). False when there is no socket or it cannot be reached.
bool SdNotifyConnect();

// The watchdog interval systemd asked for ($WATCHDOG_USEC, honouring $WATCHDOG_PID), in microseconds;
// 0 when there is none.
uint64_t WatchdogUsec();

}  // namespace decnet
