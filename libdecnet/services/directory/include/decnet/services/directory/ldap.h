// LDAPv3 (RFC 4511) on port 389 as OpenLDAP's slapd (Linux personas) or an Active Directory domain
// controller (Windows personas) answers it. Every operation is an event:
//   bind     simple binds capture the DN and the password (secret_kind plaintext); anonymous binds
//            are logged as such; SASL binds log the mechanism (credentials, if any, as a token) and
//            get authMethodNotSupported. A `users` pair accepts; anything else gets 49
//            invalidCredentials with the product's diagnosticMessage (AD's "80090308: ... data
//            52e"). LDAPv2 binds get slapd's "historical protocol version requested" (what nmap -sV
//            keys on).
//   search   base, scope, the filter in its RFC 4515 text form, the attributes and the size limit;
//            answered from the rootDSE and a small directory per persona (ou=people, ou=groups;
//            CN=Users on AD), filters evaluated (and/or/not, equality, presence, substrings, >=,
//            <=). AD refuses anonymous searches beyond the rootDSE (operationsError 000004DC).
//   extended WhoAmI answered; StartTLS unavailable (no TLS here); others protocolError.
//   modify, add, delete, modrdn, compare: insufficientAccessRights. unbind, abandon: logged.
// Bounds: a message of at most 256 KiB, definite lengths only (else the connection is dropped as
// slapd drops it), filters of depth 32 and 256 nodes, 64 requested attributes, 8 MiB of input and
// 10,000 logged operations per connection (the rest counted).
//
// Persona settings (topology `ldap.<key>`): product ("openldap" | "ad"; default ad on a Windows
// os_profile, else openldap), domain (default the hostname's domain, else one per persona: the
// naming context is dc=<label>,...), users ("dn:password" or "uid:password", comma separated, the
// commas of a DN allowed, a password without ','; a uid matches a DN's first RDN value, and on AD
// also user@domain and DOMAIN\user; none by default, so every bind with a password fails).
// Not served: TLS (636, StartTLS), SASL mechanisms, the subschema entry, paged results and other
// controls (ignored), referrals.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/decoy/service.h"
#include "decnet/services/directory/ber.h"

namespace decnet::services::directory {

std::unique_ptr<decoy::Service> MakeLdap(decoy::Host& host);

namespace ldap {

constexpr int kMaxFilterDepth = 32;
constexpr size_t kMaxFilterNodes = 256;

// A search filter (RFC 4511 §4.5.1), bounded by kMaxFilterDepth and kMaxFilterNodes.
struct Filter {
  enum Kind : uint8_t { kAnd, kOr, kNot, kEq, kSub, kGe, kLe, kPresent, kApprox, kExt };
  Kind kind = kPresent;
  std::string attr, value;  // value: the assertion (kEq, kGe, kLe, kApprox, kExt)
  bool has_initial = false, has_final = false;
  std::string initial, final_;   // kSub
  std::vector<std::string> any;  // kSub
  std::vector<Filter> children;  // kAnd, kOr, kNot
};

// Decodes one Filter element; false on anything malformed or beyond the bounds.
bool ParseFilter(const ber::Tlv& t, Filter* out);
// The RFC 4515 string form ("(&(uid=a*)(objectClass=*))"), assertion values escaped.
std::string FilterText(const Filter& f);

// An entry as the evaluator sees it: attribute names and values compared case-insensitively
// (the directory strings here all use caseIgnoreMatch).
struct Attribute {
  std::string name;
  std::vector<std::string> values;
  bool operational = false;  // returned only when asked for by name or "+"
};
struct Entry {
  std::string dn;
  std::vector<Attribute> attrs;
};
bool Matches(const Filter& f, const Entry& e);

}  // namespace ldap
}  // namespace decnet::services::directory
