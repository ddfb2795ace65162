// The entry of the http fuzz target (tests/fuzz/svc_web.cpp), shared with the gtest that feeds it
// hostile inputs in every normal build: any bytes, in any split, through a whole session of each
// product, must neither crash nor leave the session in a state the runtime cannot close.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/testing.h"
#include "decnet/services/web/http.h"

namespace decnet::services::web {

inline void FuzzHttpSession(const char* server, std::string_view in) {
  decoy::PersonaInputs pi;
  pi.settings["http"]["server"] = server;
  pi.settings["http"]["foxio_licensed"] = "true";  // reach the JA4H path too
  auto decky = std::make_unique<decoy::testing::TestDecky>(pi);
  auto svc = MakeHttp(*decky->decky);
  decoy::testing::FakeConnection c(*decky->decky, 80);
  auto s = svc->NewSession(c);
  s->OnOpen();
  // The first byte picks a split size, so one input exercises many chunkings.
  const size_t chunk = in.empty() ? 1 : 1 + static_cast<unsigned char>(in[0]) % 23;
  for (size_t at = 0; at < in.size() && !c.closed; at += chunk) {
    s->OnData(in.substr(at, chunk));
    c.Take();
  }
  if (!c.closed) c.FireTimer();
  s->OnClose(decoy::CloseReason::kPeer);
}

inline void FuzzHttpBytes(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  FuzzHttpSession("nginx/1.22.1", in);
  FuzzHttpSession("Apache/2.4.57 (Debian)", in);
}

}  // namespace decnet::services::web
