// The ldap service: LDAPMessages framed and decoded within bounds (ber.h), each operation logged
// and answered as slapd or an AD domain controller answers it. See ldap.h.
#include "decnet/services/directory/ldap.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "decnet/decoy/persona.h"

namespace decnet::services::directory {
namespace {

using ldap::Attribute;
using ldap::Entry;
using ldap::Filter;

constexpr std::string_view kService = "ldap";
constexpr size_t kMaxMessage = 256 << 10;        // one LDAPMessage (slapd: sockbuf_max_incoming)
constexpr size_t kMaxConnectionBytes = 8 << 20;  // all input of one connection; then closed
constexpr size_t kMaxLoggedOps = 10000;          // events per connection; then only counted
constexpr size_t kMaxAttrs = 64;                 // requested attributes of one search
constexpr size_t kServerSizeLimit = 500;         // slapd's default sizelimit

constexpr std::string_view kStartTls = "1.3.6.1.4.1.1466.20037";
constexpr std::string_view kWhoAmI = "1.3.6.1.4.1.4203.1.11.3";
constexpr std::string_view kNoticeOfDisconnection = "1.3.6.1.4.1.1466.20036";

// resultCodes (RFC 4511 §4.1.9).
enum Code : int {
  kSuccess = 0,
  kOperationsError = 1,
  kProtocolError = 2,
  kSizeLimitExceeded = 4,
  kAuthMethodNotSupported = 7,
  kNoSuchObject = 32,
  kInvalidCredentials = 49,
  kInsufficientAccess = 50,
  kUnavailable = 52,
  kUnwillingToPerform = 53,
};

// The diagnosticMessages Active Directory (2016 functional level) sends.
constexpr std::string_view kAdBadCreds =
    "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563";
constexpr std::string_view kAdNeedBind =
    "000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful "
    "bind must be completed on the connection., data 0, v4563";
constexpr std::string_view kAdNoAccess =
    "00000005: SecErr: DSID-03152612, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0\n";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// DNs compared as slapd normalises them: case and the spaces around ',' and '=' ignored.
std::string NormDn(std::string_view dn) {
  std::string out;
  for (size_t i = 0; i < dn.size(); ++i) {
    const char c = dn[i];
    if (c == ' ' && (out.empty() || out.back() == ',' || out.back() == '=' ||
                     (i + 1 < dn.size() && (dn[i + 1] == ',' || dn[i + 1] == '='))))
      continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

// The value of a DN's first RDN ("uid=jsmith,ou=people,..." -> "jsmith").
std::string FirstRdnValue(std::string_view dn) {
  const size_t eq = dn.find('='), comma = dn.find(',');
  if (eq == std::string_view::npos || (comma != std::string_view::npos && comma < eq))
    return std::string(dn);
  return std::string(dn.substr(eq + 1, comma == std::string_view::npos ? dn.npos : comma - eq - 1));
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= s.size()) {
    size_t end = s.find(sep, at);
    if (end == std::string_view::npos) end = s.size();
    if (end > at) out.emplace_back(s.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

struct Person {
  std::string_view uid, given, sn;
};
constexpr Person kPeople[] = {
    {"jsmith", "John", "Smith"},   {"mgarcia", "Maria", "Garcia"},
    {"dchen", "David", "Chen"},    {"akowalski", "Anna", "Kowalski"},
    {"rpatel", "Raj", "Patel"},    {"lmartin", "Laura", "Martin"},
    {"tnguyen", "Tuan", "Nguyen"}, {"sjohnson", "Sarah", "Johnson"},
};
constexpr std::string_view kDomains[] = {"corp.local", "example.internal", "office.lan",
                                         "acme.local", "internal.net"};

struct Health {
  uint64_t binds = 0, binds_ok = 0, searches = 0, ops = 0, unlogged = 0, protocol_errors = 0,
           oversize = 0;
};

class Ldap final : public decoy::Service {
 public:
  explicit Ldap(decoy::Host& host) : host_(host) {
    const decoy::Persona& p = host.persona();
    ad_ = p.Setting(kService, "product",
                    p.os_profile().rfind("windows", 0) == 0 ? "ad" : "openldap") == "ad";
    const size_t dot = p.hostname().find('.');
    std::string def_domain = dot != std::string::npos
                                 ? p.hostname().substr(dot + 1)
                                 : std::string(kDomains[p.Hash(kService, "domain") % 5]);
    domain_ = Lower(p.Setting(kService, "domain", def_domain));
    host_short_ = p.hostname().substr(0, dot);
    for (const std::string& label : Split(domain_, '.'))
      base_ += (base_.empty() ? "" : ",") + std::string(ad_ ? "DC=" : "dc=") + label;
    ParseUsers(p.Setting(kService, "users", ""));
    BuildDirectory(p);
  }
  std::string_view name() const override { return kService; }
  std::unique_ptr<decoy::Session> NewSession(decoy::Connection& conn) override;
  void AddHealth(std::string* j) const override {
    *j += ",\"ldap_sessions\":" + std::to_string(live_) +
          ",\"ldap_binds\":" + std::to_string(h_.binds) +
          ",\"ldap_binds_ok\":" + std::to_string(h_.binds_ok) +
          ",\"ldap_searches\":" + std::to_string(h_.searches) +
          ",\"ldap_ops\":" + std::to_string(h_.ops) +
          ",\"ldap_ops_unlogged\":" + std::to_string(h_.unlogged) +
          ",\"ldap_protocol_errors\":" + std::to_string(h_.protocol_errors) +
          ",\"ldap_oversize\":" + std::to_string(h_.oversize);
  }

  // A configured pair accepts the DN itself, or its first RDN's value (uid / cn / sAMAccountName),
  // or AD's user@domain and DOMAIN\user forms.
  bool Accepts(std::string_view dn, std::string_view pass) const {
    std::string who = NormDn(dn);
    if (const size_t at = who.find('@'); ad_ && at != std::string::npos) who = who.substr(0, at);
    if (const size_t bs = who.find('\\'); ad_ && bs != std::string::npos) who = who.substr(bs + 1);
    const std::string rdn = Lower(FirstRdnValue(who));
    for (const auto& [u, pw] : users_)
      if (pw == pass && (NormDn(u) == who || Lower(u) == rdn)) return true;
    return false;
  }

  Entry RootDse() const;
  const std::vector<Entry>& entries() const { return entries_; }
  const std::string& base() const { return base_; }
  bool ad() const { return ad_; }

  decoy::Host& host_;
  Health h_;
  size_t live_ = 0;

 private:
  void BuildDirectory(const decoy::Persona& p);
  // "dn:password,uid:password": a DN has commas of its own, so a piece without ':' belongs to the
  // DN of the next one (a password cannot contain ',').
  void ParseUsers(std::string_view list) {
    std::string cur;
    for (const std::string& piece : Split(list, ',')) {
      cur += piece;
      const size_t colon = cur.rfind(':');
      if (colon == std::string::npos) {
        cur += ',';
        continue;
      }
      users_.emplace_back(cur.substr(0, colon), cur.substr(colon + 1));
      cur.clear();
    }
  }

  bool ad_ = false;
  std::string domain_, host_short_, base_;
  std::vector<std::pair<std::string, std::string>> users_;
  std::vector<Entry> entries_;
};

Attribute A(std::string name, std::vector<std::string> values, bool operational = false) {
  return {std::move(name), std::move(values), operational};
}

void Ldap::BuildDirectory(const decoy::Persona& p) {
  const std::string dc = Split(domain_, '.').empty() ? "corp" : Split(domain_, '.')[0];
  const std::string people = ad_ ? "CN=Users," + base_ : "ou=people," + base_;
  const std::string groups = ad_ ? "CN=Users," + base_ : "ou=groups," + base_;
  entries_.push_back(
      {base_,
       {A("objectClass", ad_ ? std::vector<std::string>{"top", "domain", "domainDNS"}
                             : std::vector<std::string>{"top", "dcObject", "organization"}),
        A("dc", {dc}), A("o", {dc})}});
  if (ad_) {
    entries_.push_back({people, {A("objectClass", {"top", "container"}), A("cn", {"Users"})}});
  } else {
    entries_.push_back({"cn=admin," + base_,
                        {A("objectClass", {"simpleSecurityObject", "organizationalRole"}),
                         A("cn", {"admin"}), A("description", {"LDAP administrator"})}});
    entries_.push_back(
        {people, {A("objectClass", {"top", "organizationalUnit"}), A("ou", {"people"})}});
    entries_.push_back(
        {groups, {A("objectClass", {"top", "organizationalUnit"}), A("ou", {"groups"})}});
  }
  // Four people per persona, starting at a persona-chosen offset, so deckies differ.
  const size_t first = p.Hash(kService, "people") % std::size(kPeople);
  std::vector<std::string> members;
  for (size_t i = 0; i < 4; ++i) {
    const Person& x = kPeople[(first + i) % std::size(kPeople)];
    const std::string uid(x.uid), cn = std::string(x.given) + " " + std::string(x.sn);
    const std::string number = std::to_string(10001 + i);
    members.push_back(uid);
    if (ad_) {
      entries_.push_back(
          {"CN=" + cn + "," + people,
           {A("objectClass", {"top", "person", "organizationalPerson", "user"}), A("cn", {cn}),
            A("sn", {std::string(x.sn)}), A("givenName", {std::string(x.given)}),
            A("sAMAccountName", {uid}), A("userPrincipalName", {uid + "@" + domain_}),
            A("mail", {uid + "@" + domain_})}});
    } else {
      entries_.push_back(
          {"uid=" + uid + "," + people,
           {A("objectClass", {"top", "inetOrgPerson", "posixAccount", "shadowAccount"}),
            A("uid", {uid}), A("cn", {cn}), A("sn", {std::string(x.sn)}),
            A("givenName", {std::string(x.given)}), A("mail", {uid + "@" + domain_}),
            A("uidNumber", {number}), A("gidNumber", {"10000"}),
            A("homeDirectory", {"/home/" + uid}), A("loginShell", {"/bin/bash"})}});
    }
  }
  if (ad_) {
    entries_.push_back(
        {"CN=Domain Admins," + groups,
         {A("objectClass", {"top", "group"}), A("cn", {"Domain Admins"}),
          A("sAMAccountName", {"Domain Admins"}), A("member", {"CN=Administrator," + people})}});
  } else {
    entries_.push_back({"cn=staff," + groups,
                        {A("objectClass", {"top", "posixGroup"}), A("cn", {"staff"}),
                         A("gidNumber", {"10000"}), A("memberUid", members)}});
    entries_.push_back({"cn=admins," + groups,
                        {A("objectClass", {"top", "posixGroup"}), A("cn", {"admins"}),
                         A("gidNumber", {"10001"}), A("memberUid", {members[0]})}});
  }
}

Entry Ldap::RootDse() const {
  if (!ad_) {
    return {"",
            {A("objectClass", {"top", "OpenLDAProotDSE"}),
             A("structuralObjectClass", {"OpenLDAProotDSE"}, true),
             A("configContext", {"cn=config"}, true), A("namingContexts", {base_}, true),
             A("supportedControl",
               {"2.16.840.1.113730.3.4.18", "2.16.840.1.113730.3.4.2", "1.3.6.1.4.1.4203.1.10.1",
                "1.3.6.1.1.22", "1.2.840.113556.1.4.319", "1.2.826.0.1.3344810.2.3",
                "1.3.6.1.1.13.2", "1.3.6.1.1.13.1", "1.3.6.1.1.12"},
               true),
             A("supportedExtension",
               {"1.3.6.1.4.1.4203.1.11.1", std::string(kWhoAmI), "1.3.6.1.1.8"}, true),
             A("supportedFeatures",
               {"1.3.6.1.1.14", "1.3.6.1.4.1.4203.1.5.1", "1.3.6.1.4.1.4203.1.5.2",
                "1.3.6.1.4.1.4203.1.5.3", "1.3.6.1.4.1.4203.1.5.4", "1.3.6.1.4.1.4203.1.5.5"},
               true),
             A("supportedLDAPVersion", {"3"}, true), A("entryDN", {""}, true),
             A("subschemaSubentry", {"cn=Subschema"}, true)}};
  }
  const std::string config = "CN=Configuration," + base_, fqdn = Lower(host_short_) + "." + domain_;
  std::string upper_host = host_short_;
  for (char& c : upper_host) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string server =
      "CN=" + upper_host + ",CN=Servers,CN=Default-First-Site-Name,CN=Sites," + config;
  char now[32];
  const std::time_t t = host_.WallUs() / 1000000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(now, sizeof now, "%Y%m%d%H%M%S.0Z", &tm);
  std::string realm = domain_;
  for (char& c : realm) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return {"",
          {A("currentTime", {now}),
           A("subschemaSubentry", {"CN=Aggregate,CN=Schema," + config}),
           A("dsServiceName", {"CN=NTDS Settings," + server}),
           A("namingContexts", {base_, config, "CN=Schema," + config, "DC=DomainDnsZones," + base_,
                                "DC=ForestDnsZones," + base_}),
           A("defaultNamingContext", {base_}),
           A("rootDomainNamingContext", {base_}),
           A("configurationNamingContext", {config}),
           A("schemaNamingContext", {"CN=Schema," + config}),
           A("serverName", {server}),
           A("supportedControl",
             {"1.2.840.113556.1.4.319", "1.2.840.113556.1.4.801", "1.2.840.113556.1.4.473",
              "1.2.840.113556.1.4.528", "1.2.840.113556.1.4.417", "2.16.840.1.113730.3.4.9"}),
           A("supportedLDAPVersion", {"3", "2"}),
           A("supportedSASLMechanisms", {"GSSAPI", "GSS-SPNEGO", "EXTERNAL", "DIGEST-MD5"}),
           A("dnsHostName", {fqdn}),
           A("ldapServiceName", {domain_ + ":" + Lower(host_short_) + "$@" + realm}),
           A("supportedCapabilities", {"1.2.840.113556.1.4.800", "1.2.840.113556.1.4.1670",
                                       "1.2.840.113556.1.4.1791", "1.2.840.113556.1.4.1935"}),
           A("isSynchronized", {"TRUE"}),
           A("isGlobalCatalogReady", {"TRUE"}),
           A("domainFunctionality", {"7"}),
           A("forestFunctionality", {"7"}),
           A("domainControllerFunctionality", {"7"})}};
}

// ---- encoding of responses ----------------------------------------------------------------------

std::string Message(int64_t id, std::string_view op) {
  return ber::Seq(0x30, ber::Int(id) + std::string(op));
}

std::string Result(uint8_t tag, int code, std::string_view matched, std::string_view diag,
                   std::string_view tail = {}) {
  return ber::Seq(tag,
                  ber::Enum(code) + ber::Octets(matched) + ber::Octets(diag) + std::string(tail));
}

std::string EncodeEntry(const Entry& e, const std::vector<std::string>& want, bool types_only) {
  bool all_user = want.empty(), all_op = false;
  std::vector<std::string> named;
  for (const std::string& w : want) {
    if (w == "*")
      all_user = true;
    else if (w == "+")
      all_op = true;
    else if (w != "1.1")
      named.push_back(Lower(w));
  }
  std::string attrs;
  for (const Attribute& a : e.attrs) {
    const bool asked = std::find(named.begin(), named.end(), Lower(a.name)) != named.end();
    if (!asked && !(a.operational ? all_op : all_user)) continue;
    std::string vals;
    if (!types_only)
      for (const std::string& v : a.values) vals += ber::Octets(v);
    attrs += ber::Seq(0x30, ber::Octets(a.name) + ber::Seq(0x31, vals));
  }
  return ber::Seq(0x64, ber::Octets(e.dn) + ber::Seq(0x30, attrs));
}

bool EndsWithDn(const std::string& dn, const std::string& base) {
  if (base.empty()) return true;
  return dn == base ||
         (dn.size() > base.size() && dn.compare(dn.size() - base.size(), base.size(), base) == 0 &&
          dn[dn.size() - base.size() - 1] == ',');
}

size_t Depth(const std::string& dn) {
  return dn.empty() ? 0 : std::count(dn.begin(), dn.end(), ',') + 1;
}

const char* ScopeName(int64_t s) {
  return s == 0 ? "base" : s == 1 ? "one" : s == 2 ? "sub" : "unknown";
}

// ---- the session --------------------------------------------------------------------------------

struct Search {
  std::string base;
  int64_t scope = 0, size_limit = 0;
  bool types_only = false;
  Filter filter;
  std::vector<std::string> attrs;
};

class LdapSession final : public decoy::Session {
 public:
  LdapSession(Ldap& svc, decoy::Connection& conn) : svc_(svc), conn_(conn), framer_(kMaxMessage) {
    ++svc_.live_;
  }
  ~LdapSession() override { --svc_.live_; }

  void OnData(std::string_view bytes) override {
    if (closing_) return;
    in_bytes_ += bytes.size();
    if (in_bytes_ > kMaxConnectionBytes) return Drop("connection_input_limit");
    framer_.Feed(bytes);
    while (!closing_) {
      auto m = framer_.Next();
      if (!m) break;
      HandleMessage(*m);
    }
    // A bad length or an indefinite form: nothing tells where the next message starts, and slapd
    // closes the connection without a word.
    if (framer_.failed() && !closing_) {
      ++svc_.h_.oversize;
      Drop("bad_ber_framing");
    }
  }

 private:
  decoy::EventLog::Event Event(std::string_view type) {
    return svc_.host_.log().New(kService, type).From(conn_);
  }
  // Operations beyond kMaxLoggedOps are answered but only counted.
  bool Loggable() {
    ++svc_.h_.ops;
    if (++ops_ <= static_cast<int64_t>(kMaxLoggedOps)) return true;
    ++svc_.h_.unlogged;
    return false;
  }
  void Drop(std::string_view why) {
    ++svc_.h_.protocol_errors;
    Event("protocol_error").Add("error", why).Emit();
    closing_ = true;
    conn_.Close();
  }
  // A message that frames but does not decode: slapd's Notice of Disconnection, then close.
  void Disconnect(std::string_view why) {
    conn_.Write(Message(0, Result(0x78, kProtocolError, "", "decoding error",
                                  ber::Octets(kNoticeOfDisconnection, 0x8A))));
    Drop(why);
  }
  void Send(int64_t id, const std::string& op) { conn_.Write(Message(id, op)); }

  void HandleMessage(std::string_view msg) {
    size_t pos = 0;
    ber::Tlv top;
    if (ber::ReadTlv(msg, &pos, &top, kMaxMessage) != ber::Status::kOk || top.tag != 0x30)
      return Drop("not_ldap_message");
    ber::Reader r(top.value);
    auto id = r.Int();
    auto op = r.Next();
    if (!r.ok() || *id < 0 || *id > 0x7FFFFFFF) return Disconnect("bad_message_header");
    r.Optional(0xA0);  // controls: none changes what this server answers
    if (!r.ok() || !r.done()) return Disconnect("bad_message_trailer");
    Dispatch(*id, *op);
  }

  void Dispatch(int64_t id, const ber::Tlv& op) {
    switch (op.tag) {
      case 0x60:
        return Bind(id, op.value);
      case 0x42:
        return Unbind();
      case 0x63:
        return SearchOp(id, op.value);
      case 0x50:
        return Abandon(op.value);
      case 0x77:
        return Extended(id, op.value);
      case 0x66:
        return Refuse(id, "modify", 0x67, op.value, true);
      case 0x68:
        return Refuse(id, "add", 0x69, op.value, true);
      case 0x4A:
        return Refuse(id, "delete", 0x6B, op.value, false);
      case 0x6C:
        return Refuse(id, "modrdn", 0x6D, op.value, true);
      case 0x6E:
        return Refuse(id, "compare", 0x6F, op.value, true);
      default:
        if (Loggable()) Event("unknown_operation").Add("tag", int64_t{op.tag}).Emit();
        return Disconnect("unknown_operation");
    }
  }

  void Bind(int64_t id, std::string_view body) {
    ber::Reader r(body);
    auto version = r.Int();
    auto dn = r.Octets();
    auto auth = r.Next();
    if (!r.ok() || !r.done()) return Disconnect("bad_bind");
    ++svc_.h_.binds;
    if (*version != 3 && !(svc_.ad() && *version == 2)) {
      if (Loggable())
        Event("bind").Add("principal", *dn).Add("version", *version).Add("success", "false").Emit();
      return Send(id, Result(0x61, kProtocolError, "",
                             "historical protocol version requested, use LDAPv3 instead"));
    }
    if (auth->tag == 0xA3) return SaslBind(id, *dn, auth->value);
    if (auth->tag != 0x80) return Send(id, Result(0x61, kAuthMethodNotSupported, "", ""));
    SimpleBind(id, *dn, auth->value);
  }

  void SimpleBind(int64_t id, std::string_view dn, std::string_view password) {
    if (password.empty()) {
      // RFC 4513 §5.1.2: a DN without a password is an unauthenticated bind; slapd refuses it, AD
      // treats it as anonymous.
      const bool refused = !dn.empty() && !svc_.ad();
      if (Loggable())
        Event("bind")
            .Add("principal", dn)
            .Add("anonymous", "true")
            .Add("success", refused ? "false" : "true")
            .Emit();
      bound_.clear();
      if (refused)
        return Send(id, Result(0x61, kUnwillingToPerform, "",
                               "unauthenticated bind (DN with no password) disallowed"));
      return Send(id, Result(0x61, kSuccess, "", ""));
    }
    const bool ok = svc_.Accepts(dn, password);
    if (ok) ++svc_.h_.binds_ok;
    if (Loggable())
      Event("bind")
          .Secret(dn, password, "plaintext")
          .Add("method", "simple")
          .Add("success", ok ? "true" : "false")
          .Emit();
    bound_ = ok ? std::string(dn) : "";
    if (ok) return Send(id, Result(0x61, kSuccess, "", ""));
    Send(id, Result(0x61, kInvalidCredentials, "", svc_.ad() ? kAdBadCreds : ""));
  }

  void SaslBind(int64_t id, std::string_view dn, std::string_view body) {
    ber::Reader r(body);
    auto mech = r.Octets();
    auto creds = r.Optional(0x04);
    if (!r.ok() || !r.done()) return Disconnect("bad_sasl_bind");
    if (Loggable()) {
      auto e = Event("bind");
      e.Add("method", "sasl").Add("mechanism", *mech).Add("success", "false");
      if (creds && !creds->value.empty())
        e.Secret(dn, creds->value, "token");
      else
        e.Add("principal", dn);
      e.Emit();
    }
    bound_.clear();
    Send(id, Result(0x61, kAuthMethodNotSupported, "",
                    svc_.ad() ? "00002027: LdapErr: DSID-0C0904B1, comment: Unknown authentication "
                                "mechanism, data 0, v4563"
                              : "SASL(-4): no mechanism available: "));
  }

  void Unbind() {
    if (Loggable()) Event("unbind").Emit();
    closing_ = true;
    conn_.Close();
  }

  void Abandon(std::string_view body) {
    auto target = ber::DecodeInt(body);
    if (Loggable()) Event("abandon").Add("target", target ? *target : -1).Emit();
  }

  bool ParseSearch(std::string_view body, Search* s) {
    ber::Reader r(body);
    auto base = r.Octets();
    auto scope = r.Int(0x0A);
    r.Int(0x0A);  // derefAliases: there are no aliases here
    auto size = r.Int();
    r.Int();  // timeLimit: every answer is immediate
    auto types = r.Bool();
    auto filter = r.Next();
    auto attrs = r.Expect(0x30);
    if (!r.ok() || !r.done() || !ldap::ParseFilter(*filter, &s->filter)) return false;
    s->base = std::string(*base);
    s->scope = *scope;
    s->size_limit = *size;
    s->types_only = *types;
    ber::Reader ar(attrs->value);
    while (!ar.done() && s->attrs.size() < kMaxAttrs) {
      auto a = ar.Octets();
      if (!a) return false;
      s->attrs.emplace_back(*a);
    }
    return ar.ok();
  }

  void SearchOp(int64_t id, std::string_view body) {
    Search s;
    if (!ParseSearch(body, &s)) return Disconnect("bad_search");
    ++svc_.h_.searches;
    std::string attrs;
    for (const std::string& a : s.attrs) attrs += (attrs.empty() ? "" : ",") + a;
    int code = kSuccess;
    std::string matched, diag;
    const size_t sent = Answer(id, s, &code, &matched, &diag);
    if (Loggable())
      Event("search")
          .Add("principal", bound_)
          .Add("base", s.base)
          .Add("scope", ScopeName(s.scope))
          .Add("filter", ldap::FilterText(s.filter))
          .Add("attributes", attrs)
          .Add("size_limit", s.size_limit)
          .Add("entries", static_cast<int64_t>(sent))
          .Add("result", code)
          .Emit();
    Send(id, Result(0x65, code, matched, diag));
  }

  // Sends the matching entries; returns how many, and sets the SearchResultDone's fields.
  size_t Answer(int64_t id, const Search& s, int* code, std::string* matched, std::string* diag) {
    if (s.base.empty() && s.scope == 0) {
      const Entry root = svc_.RootDse();
      if (!ldap::Matches(s.filter, root)) return 0;
      Send(id, EncodeEntry(root, s.attrs, s.types_only));
      return 1;
    }
    if (svc_.ad() && bound_.empty()) {
      *code = kOperationsError;
      *diag = std::string(kAdNeedBind);
      return 0;
    }
    const std::string base = NormDn(s.base);
    const auto& all = svc_.entries();
    const bool exists =
        std::any_of(all.begin(), all.end(), [&](const Entry& e) { return NormDn(e.dn) == base; });
    if (!exists) {
      *code = kNoSuchObject;
      if (EndsWithDn(base, NormDn(svc_.base()))) *matched = svc_.base();
      return 0;
    }
    const size_t limit =
        s.size_limit > 0 ? std::min<size_t>(s.size_limit, kServerSizeLimit) : kServerSizeLimit;
    size_t sent = 0;
    for (const Entry& e : all) {
      const std::string dn = NormDn(e.dn);
      const bool in_scope = s.scope == 0   ? dn == base
                            : s.scope == 1 ? EndsWithDn(dn, base) && Depth(dn) == Depth(base) + 1
                                           : EndsWithDn(dn, base);
      if (!in_scope || !ldap::Matches(s.filter, e)) continue;
      if (sent == limit) {
        *code = kSizeLimitExceeded;
        break;
      }
      Send(id, EncodeEntry(e, s.attrs, s.types_only));
      ++sent;
    }
    return sent;
  }

  void Extended(int64_t id, std::string_view body) {
    ber::Reader r(body);
    auto name = r.Expect(0x80);
    auto value = r.Optional(0x81);
    if (!r.ok() || !r.done()) return Disconnect("bad_extended");
    const std::string oid(name->value);
    int code = kProtocolError;
    std::string tail, diag = "unsupported extended operation";
    if (oid == kWhoAmI) {
      code = kSuccess;
      diag.clear();
      tail = ber::Octets(bound_.empty() ? "" : "dn:" + bound_, 0x8B);
    } else if (oid == kStartTls) {
      code = kUnavailable;  // no certificate configured: what slapd says without TLSCertificateFile
      diag = svc_.ad() ? "00000000: LdapErr: DSID-0C09118C, comment: Error initializing SSL/TLS, "
                         "data 0, v4563"
                       : "Could not initialize TLS";
      tail = ber::Octets(kStartTls, 0x8A);
    }
    if (Loggable())
      Event("extended")
          .Add("principal", bound_)
          .Add("oid", oid)
          .Add("value_bytes", static_cast<int64_t>(value ? value->value.size() : 0))
          .Add("result", code)
          .Emit();
    Send(id, Result(0x78, code, "", diag, tail));
  }

  // Writes of any kind are refused; the target DN (and an add's attribute names) are logged.
  void Refuse(int64_t id, std::string_view what, uint8_t reply, std::string_view body,
              bool constructed) {
    std::string dn(body);
    if (constructed) {
      ber::Reader r(body);
      auto d = r.Octets();
      if (!r.ok()) return Disconnect("bad_write");
      dn = std::string(*d);
    }
    if (Loggable())
      Event(what).Add("principal", bound_).Add("dn", dn).Add("success", "false").Emit();
    Send(id, Result(reply, kInsufficientAccess, "", svc_.ad() ? kAdNoAccess : "no write access"));
  }

  Ldap& svc_;
  decoy::Connection& conn_;
  ber::Framer framer_;
  size_t in_bytes_ = 0;
  int64_t ops_ = 0;
  bool closing_ = false;
  std::string bound_;
};

std::unique_ptr<decoy::Session> Ldap::NewSession(decoy::Connection& conn) {
  return std::make_unique<LdapSession>(*this, conn);
}

}  // namespace

std::unique_ptr<decoy::Service> MakeLdap(decoy::Host& host) { return std::make_unique<Ldap>(host); }

}  // namespace decnet::services::directory
