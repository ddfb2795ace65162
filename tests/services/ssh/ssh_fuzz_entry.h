// The entry of the SSH fuzz target (tests/fuzz/svc_ssh.cpp), shared with the gtest that feeds it
// hostile inputs in every build: any bytes as the whole client stream (identification, packets), as
// a stream after a valid identification and KEXINIT, and as an encrypted session's packets after a
// real key exchange must neither crash nor leave the session unbounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decnet/decoy/testing.h"
#include "decnet/services/ssh/ssh.h"
#include "decnet/services/ssh/transport.h"
#include "decnet/services/ssh/wire.h"
#include "ssh_test_client.h"

namespace decnet::services::ssh::fuzz {

struct Decky {
  Decky() {
    decoy::PersonaInputs in;
    in.distro = "debian";
    in.settings["ssh"]["fail_delay_ms"] = "0";
    in.settings["ssh"]["kbd_interactive"] = "true";
    decky = std::make_unique<decoy::testing::TestDecky>(in);
    svc = MakeSsh(*decky->decky);
  }
  std::unique_ptr<decoy::testing::TestDecky> decky;
  std::unique_ptr<decoy::Service> svc;
};

inline Decky& SharedDecky() {
  static Decky d;  // host keys are made once
  return d;
}

inline void Feed(decoy::Session& s, decoy::testing::FakeConnection& c, std::string_view bytes) {
  // Split in two at a data-dependent point: reassembly must not matter.
  const size_t cut = bytes.empty() ? 0 : static_cast<uint8_t>(bytes[0]) % (bytes.size() + 1);
  s.OnData(bytes.substr(0, cut));
  if (!c.closed) s.OnData(bytes.substr(cut));
  c.Take();
}

inline void SshSessionBytes(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  KexInit k;
  ParseKexInit(in, &k);
  Reader r(in);
  std::string_view s;
  while (r.Str(&s)) {
  }
  Decky& d = SharedDecky();
  for (int mode = 0; mode < 3; ++mode) {
    decoy::testing::FakeConnection conn(*d.decky->decky, 22);
    auto session = d.svc->NewSession(conn);
    session->OnOpen();
    conn.Take();
    if (mode == 0) {
      Feed(*session, conn, in);
    } else if (mode == 1) {
      session->OnData("SSH-2.0-fuzz\r\n");
      testing::TestClient c(conn, *session);
      session->OnData(
          c.Frame(testing::TestClient::KexInit("curve25519-sha256", "aes128-ctr", "hmac-sha1")));
      Feed(*session, conn, in);
    } else {
      testing::TestClient c(conn, *session);
      if (c.Handshake("aes128-ctr", "hmac-sha1", false)) {
        // Each input chunk framed as a valid encrypted packet: the layers above see hostile
        // payloads.
        for (size_t off = 0; off < in.size() && !conn.closed; off += 64) {
          c.Send(in.substr(off, 64));
        }
      }
    }
    session->OnClose(decoy::CloseReason::kPeer);
  }
}

}  // namespace decnet::services::ssh::fuzz
