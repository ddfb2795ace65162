// The worker runtime's process-wide set-up.
#include "decnet/core/runtime.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace decnet {
namespace {

// A worker writing to a peer that already closed (the bus stopping first during a fleet stop) must
// see EPIPE and carry on; before the runtime ignored SIGPIPE the process died with exit 141.
TEST(RuntimeTest, WriteToAClosedPeerIsEpipeNotSigpipe) {
  Runtime rt("runtime-test", "test");
  char arg0[] = "decnet-runtime-test";
  char* argv[] = {arg0, nullptr};
  ASSERT_FALSE(rt.Init(1, argv).has_value());
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  close(sv[1]);
  EXPECT_EQ(write(sv[0], "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
  close(sv[0]);
}

}  // namespace
}  // namespace decnet
