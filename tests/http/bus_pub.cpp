// http_bus_pub SOCKET TOPIC JSON: publish one event on the bus and exit (the API tests' event source; the
// same as `decnet bus pub`, without depending on the CLI being built).
#include <cstdio>

#include "decnet/bus/client.h"
#include "decnet/core/loop.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: http_bus_pub SOCKET TOPIC JSON\n");
    return 2;
  }
  uv_loop_t loop;
  uv_loop_init(&loop);
  int rc = 1;
  {
    decnet::bus::Client client(&loop, argv[1], "http-test-pub");
    decnet::Timer timeout(&loop);
    client.OnConnected([&] {
      client.Publish(argv[2], "test", argv[3]);
      rc = 0;
      client.Close([&] { timeout.Stop(); });
    });
    timeout.Start(5000, 0, [&] { client.Close(); });
    client.Start();
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  decnet::CloseAllHandles(&loop);
  uv_loop_close(&loop);
  return rc;
}
