// The entry of the ldap fuzz target (tests/fuzz/svc_directory.cpp), shared with the gtest that
// feeds it hostile inputs in every normal build: any bytes, in any split, through the BER framer
// and reader, the filter decoder, and whole sessions of both products (anonymous, and after a bind
// the fuzz input cannot fail), must neither crash nor grow without bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/decoy/testing.h"
#include "decnet/services/directory/ber.h"
#include "decnet/services/directory/ldap.h"

namespace decnet::services::directory::fuzz {

// Requests as ldapsearch/ldapwhoami encode them (short-form lengths).
inline std::string Msg(int64_t id, const std::string& op) {
  return ber::Encode(0x30, ber::Int(id) + op);
}
inline std::string SimpleBind(int64_t id, std::string_view dn, std::string_view pw,
                              int version = 3) {
  return Msg(id, ber::Encode(0x60, ber::Int(version) + ber::Octets(dn) + ber::Octets(pw, 0x80)));
}
inline std::string SaslBind(int64_t id, std::string_view mech, std::string_view creds) {
  return Msg(id, ber::Encode(0x60, ber::Int(3) + ber::Octets("") +
                                       ber::Encode(0xA3, ber::Octets(mech) + ber::Octets(creds))));
}
inline std::string Present(std::string_view attr) { return ber::Octets(attr, 0x87); }
inline std::string Eq(std::string_view attr, std::string_view v) {
  return ber::Encode(0xA3, ber::Octets(attr) + ber::Octets(v));
}
inline std::string SearchReq(int64_t id, std::string_view base, int scope,
                             const std::string& filter, const std::vector<std::string>& attrs = {},
                             int size_limit = 0) {
  std::string a;
  for (const std::string& x : attrs) a += ber::Octets(x);
  return Msg(id, ber::Encode(0x63, ber::Octets(base) + ber::Enum(scope) + ber::Enum(0) +
                                       ber::Int(size_limit) + ber::Int(0) + ber::Bool(false) +
                                       filter + ber::Encode(0x30, a)));
}
inline std::string ExtendedReq(int64_t id, std::string_view oid) {
  return Msg(id, ber::Encode(0x77, ber::Octets(oid, 0x80)));
}

inline void LdapBytes(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t pos = 0;
  ber::Tlv t;
  while (ber::ReadTlv(in, &pos, &t, 1 << 16) == ber::Status::kOk) {
    ldap::Filter f;
    if (ldap::ParseFilter(t, &f)) {
      ldap::FilterText(f);
      ldap::Matches(f, ldap::Entry{"uid=a,dc=x", {{"uid", {"a"}, false}}});
    }
  }
  const size_t chunk = size ? 1 + static_cast<unsigned char>(data[size - 1]) % 13 : 1;
  ber::Framer fr(4096);
  for (size_t at = 0; at < size && !fr.failed(); at += chunk) {
    fr.Feed(in.substr(at, chunk));
    while (auto m = fr.Next()) {
      ber::Reader r(*m);
      while (r.ok() && !r.done()) r.Next();
    }
  }
  static const char* kProducts[] = {"openldap", "ad"};
  for (const char* product : kProducts) {
    for (int bound = 0; bound < 2; ++bound) {
      decoy::PersonaInputs pi;
      pi.settings["ldap"]["product"] = product;
      pi.settings["ldap"]["users"] = "admin:secret";
      auto decky = std::make_unique<decoy::testing::TestDecky>(pi);
      auto svc = MakeLdap(*decky->decky);
      decoy::testing::FakeConnection c(*decky->decky, 389);
      auto s = svc->NewSession(c);
      s->OnOpen();
      if (bound) s->OnData(SimpleBind(1, "cn=admin", "secret"));
      for (size_t at = 0; at < size && !c.closed; at += chunk) {
        s->OnData(in.substr(at, chunk));
        c.Take();
      }
      s->OnClose(decoy::CloseReason::kPeer);
    }
  }
}

}  // namespace decnet::services::directory::fuzz
