// The ldap service byte for byte through FakeConnection: binds (captured; accepted per `users`; 49
// as each product words it), the rootDSE of OpenLDAP and AD, searches with filters and size limits,
// extended operations, refused writes, and hostile BER (huge and indefinite lengths, deep nesting,
// truncation, garbage).
#include "decnet/services/directory/ldap.h"

#include <gtest/gtest.h>

#include <random>

#include "decnet/decoy/testing.h"
#include "ldap_fuzz_entry.h"

namespace decnet::services::directory {
namespace {

using decoy::testing::FakeConnection;
using decoy::testing::ParamOf;
using decoy::testing::TestDecky;
using namespace fuzz;

// One response: its messageID, protocolOp tag, and (for results) resultCode and diagnosticMessage;
// for entries the DN and the "name=value" pairs.
struct Reply {
  int64_t id = -1;
  uint8_t tag = 0;
  int64_t code = -1;
  std::string matched, diag, dn, extra;
  std::vector<std::string> attrs;
};

std::vector<Reply> Replies(const std::string& out) {
  std::vector<Reply> v;
  ber::Framer fr(1 << 20);
  fr.Feed(out);
  while (auto m = fr.Next()) {
    size_t pos = 0;
    ber::Tlv top;
    EXPECT_EQ(ber::ReadTlv(*m, &pos, &top, 1 << 20), ber::Status::kOk);
    ber::Reader r(top.value);
    Reply rep;
    rep.id = r.Int().value_or(-1);
    auto op = r.Next();
    EXPECT_TRUE(op);
    if (!op) break;
    rep.tag = op->tag;
    ber::Reader o(op->value);
    if (rep.tag == 0x64) {
      rep.dn = std::string(o.Octets().value_or(""));
      ber::Reader list(o.Expect(0x30)->value);
      while (!list.done()) {
        ber::Reader pa(list.Expect(0x30)->value);
        const std::string name(pa.Octets().value_or(""));
        ber::Reader vals(pa.Expect(0x31)->value);
        while (!vals.done())
          rep.attrs.push_back(name + "=" + std::string(vals.Octets().value_or("")));
      }
    } else {
      rep.code = o.Int(0x0A).value_or(-1);
      rep.matched = std::string(o.Octets().value_or(""));
      rep.diag = std::string(o.Octets().value_or(""));
      if (auto t = o.Optional(0x8B)) rep.extra = std::string(t->value);
    }
    v.push_back(rep);
  }
  EXPECT_FALSE(fr.failed());
  EXPECT_EQ(fr.buffered(), 0u);
  return v;
}

bool Has(const Reply& r, std::string_view kv) {
  return std::find(r.attrs.begin(), r.attrs.end(), kv) != r.attrs.end();
}

struct Client {
  explicit Client(std::string product = "openldap", std::string users = "")
      : decky(Inputs(product, users)), svc(MakeLdap(*decky.decky)), conn(*decky.decky, 389) {
    session = svc->NewSession(conn);
    session->OnOpen();
  }
  ~Client() { session->OnClose(decoy::CloseReason::kPeer); }
  static decoy::PersonaInputs Inputs(const std::string& product, const std::string& users) {
    decoy::PersonaInputs in;
    in.settings["ldap"]["product"] = product;
    in.settings["ldap"]["domain"] = "corp.local";
    if (!users.empty()) in.settings["ldap"]["users"] = users;
    return in;
  }
  std::string Raw(std::string_view bytes) {
    session->OnData(bytes);
    return conn.Take();
  }
  std::vector<Reply> Send(std::string_view bytes) { return Replies(Raw(bytes)); }
  TestDecky decky;
  std::unique_ptr<decoy::Service> svc;
  FakeConnection conn;
  std::unique_ptr<decoy::Session> session;
};

TEST(LdapBind, SuccessBytesAndCapture) {
  Client c("openldap", "cn=admin,dc=corp,dc=local:s3cret");
  // The exact BindResponse slapd writes: liblber's 4-octet lengths on the constructed elements.
  EXPECT_EQ(c.Raw(SimpleBind(1, "cn=admin, dc=corp,dc=local", "s3cret")),
            std::string("0\x84\0\0\0\x10\x02\x01\x01"
                        "a\x84\0\0\0\x07\x0a\x01\x00\x04\x00\x04\x00",
                        22));
  auto ev = c.decky.Events("bind");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ParamOf(ev[0], "principal"), "cn=admin, dc=corp,dc=local");
  EXPECT_EQ(ParamOf(ev[0], "secret_b64"), "czNjcmV0");
  EXPECT_EQ(ParamOf(ev[0], "secret_kind"), "plaintext");
  EXPECT_EQ(ParamOf(ev[0], "success"), "true");
  auto who = c.Send(ExtendedReq(2, "1.3.6.1.4.1.4203.1.11.3"));
  ASSERT_EQ(who.size(), 1u);
  EXPECT_EQ(who[0].tag, 0x78);
  EXPECT_EQ(who[0].code, 0);
  EXPECT_EQ(who[0].extra, "dn:cn=admin, dc=corp,dc=local");
}

TEST(LdapBind, FailureWordedPerProduct) {
  Client o("openldap");
  auto r = o.Send(SimpleBind(3, "cn=admin,dc=corp,dc=local", "t\xc3\xabst"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 3);
  EXPECT_EQ(r[0].code, 49);
  EXPECT_EQ(r[0].diag, "");
  EXPECT_EQ(ParamOf(o.decky.Events("bind")[0], "secret_b64"), "dMOrc3Q=");
  Client ad("ad");
  r = ad.Send(SimpleBind(1, "administrator@corp.local", "x"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].code, 49);
  EXPECT_EQ(
      r[0].diag,
      "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563");
}

TEST(LdapBind, UidFormAnonymousSaslAndV2) {
  Client c("openldap", "jdoe:pw");
  EXPECT_EQ(c.Send(SimpleBind(1, "uid=jdoe,ou=people,dc=corp,dc=local", "pw"))[0].code, 0);
  EXPECT_EQ(c.Send(SimpleBind(2, "uid=jdoe,ou=people,dc=corp,dc=local", "no"))[0].code, 49);
  EXPECT_EQ(c.Send(SimpleBind(3, "", ""))[0].code, 0);
  EXPECT_EQ(ParamOf(c.decky.Events("bind").back(), "anonymous"), "true");
  EXPECT_EQ(c.Send(SimpleBind(4, "cn=x", ""))[0].code, 53);  // unauthenticated bind refused
  auto sasl = c.Send(SaslBind(5, "DIGEST-MD5", "resp"));
  EXPECT_EQ(sasl[0].code, 7);
  EXPECT_EQ(ParamOf(c.decky.Events("bind").back(), "mechanism"), "DIGEST-MD5");
  EXPECT_EQ(ParamOf(c.decky.Events("bind").back(), "secret_kind"), "token");
  // nmap's LDAPBindReq probe; the answer is what its "OpenLDAP 2.4.X" match expects, byte for byte.
  const std::string v2 =
      c.Raw(std::string("\x30\x0c\x02\x01\x01\x60\x07\x02\x01\x02\x04\0\x80\0", 14));
  EXPECT_EQ(v2.substr(0, 15), std::string("0\x84\0\0\0I\x02\x01\x01"
                                          "a\x84\0\0\0@",
                                          15));
  EXPECT_EQ(v2.substr(15), std::string("\n\x01\x02\x04\0\x04"
                                       "9historical protocol version requested, use LDAPv3 instead",
                                       64));
}

TEST(LdapBind, UsersListWithDnCommas) {
  Client c("openldap", "cn=admin,dc=corp,dc=local:s3cret,jdoe:pw");
  EXPECT_EQ(c.Send(SimpleBind(1, "cn=admin,dc=corp,dc=local", "s3cret"))[0].code, 0);
  EXPECT_EQ(c.Send(SimpleBind(2, "uid=jdoe,ou=people,dc=corp,dc=local", "pw"))[0].code, 0);
  // A password is accepted only with its own principal.
  EXPECT_EQ(c.Send(SimpleBind(3, "cn=other,dc=corp,dc=local", "pw"))[0].code, 49);
  EXPECT_EQ(c.Send(SimpleBind(4, "dc=local", "s3cret"))[0].code, 49);
  EXPECT_EQ(c.Send(SimpleBind(5, "cn=admin,dc=corp,dc=local", "pw"))[0].code, 49);
}

TEST(LdapBind, ProductDefaultsByOsProfile) {
  for (const char* os : {"windows", "windows_server", "linux"}) {
    decoy::PersonaInputs in;
    in.os_profile = os;
    TestDecky d(in);
    auto svc = MakeLdap(*d.decky);
    FakeConnection conn(*d.decky, 389);
    auto s = svc->NewSession(conn);
    s->OnData(SimpleBind(1, "cn=x", "y"));
    auto r = Replies(conn.Take());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].diag.empty(), std::string_view(os) == "linux") << os;
    s->OnClose(decoy::CloseReason::kPeer);
  }
}

TEST(LdapSearch, RootDseOpenLdap) {
  Client c;
  auto r = c.Send(SearchReq(2, "", 0, Present("objectClass")));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].tag, 0x64);
  EXPECT_EQ(r[0].attrs,
            (std::vector<std::string>{"objectClass=top", "objectClass=OpenLDAProotDSE"}));
  EXPECT_EQ(r[1].tag, 0x65);
  EXPECT_EQ(r[1].code, 0);
  r = c.Send(SearchReq(3, "", 0, Present("objectClass"), {"+"}));
  EXPECT_TRUE(Has(r[0], "namingContexts=dc=corp,dc=local"));
  EXPECT_TRUE(Has(r[0], "supportedLDAPVersion=3"));
  EXPECT_TRUE(Has(r[0], "subschemaSubentry=cn=Subschema"));
  EXPECT_TRUE(Has(r[0], "supportedExtension=1.3.6.1.4.1.4203.1.11.3"));
  auto ev = c.decky.Events("search");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ParamOf(ev[1], "base"), "");
  EXPECT_EQ(ParamOf(ev[1], "scope"), "base");
  EXPECT_EQ(ParamOf(ev[1], "filter"), "(objectClass=*)");
  EXPECT_EQ(ParamOf(ev[1], "attributes"), "+");
}

TEST(LdapSearch, RootDseAdAndBindRequired) {
  Client c("ad", "administrator:P@ss");
  auto r = c.Send(SearchReq(1, "", 0, Present("objectClass")));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(Has(r[0], "defaultNamingContext=DC=corp,DC=local"));
  EXPECT_TRUE(Has(r[0], "domainFunctionality=7"));
  bool dns = false;
  for (const auto& a : r[0].attrs)
    dns |= a.rfind("dnsHostName=", 0) == 0 && a.ends_with(".corp.local");
  EXPECT_TRUE(dns);
  r = c.Send(SearchReq(2, "DC=corp,DC=local", 2, Present("objectClass")));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].code, 1);
  EXPECT_EQ(r[0].diag.substr(0, 9), "000004DC:");
  EXPECT_EQ(c.Send(SimpleBind(3, "CORP\\Administrator", "P@ss"))[0].code, 0);
  r = c.Send(SearchReq(4, "DC=corp,DC=local", 2, Present("sAMAccountName")));
  EXPECT_GE(r.size(), 5u);
  EXPECT_EQ(r.back().code, 0);
}

TEST(LdapSearch, FiltersScopesAndSizeLimit) {
  Client c;
  auto all = c.Send(SearchReq(2, "ou=people,dc=corp,dc=local", 1, Present("uid"), {"uid"}));
  ASSERT_EQ(all.size(), 5u);  // four people, then done
  const std::string uid = all[0].attrs.at(0).substr(4);
  EXPECT_EQ(all[0].attrs.size(), 1u);  // only what was asked for
  // (&(objectClass=posixAccount)(uid=<first two letters>*)) finds that person.
  const std::string sub = ber::Encode(
      0xA4, ber::Octets("uid") + ber::Encode(0x30, ber::Octets(uid.substr(0, 2), 0x80)));
  auto r = c.Send(SearchReq(3, "dc=corp,dc=local", 2,
                            ber::Encode(0xA0, Eq("objectClass", "posixAccount") + sub)));
  ASSERT_GE(r.size(), 2u);
  EXPECT_EQ(r[0].dn, "uid=" + uid + ",ou=people,dc=corp,dc=local");
  EXPECT_EQ(ParamOf(c.decky.Events("search").back(), "filter"),
            "(&(objectClass=posixAccount)(uid=" + uid.substr(0, 2) + "*))");
  r = c.Send(SearchReq(4, "dc=corp,dc=local", 2, Eq("UID", uid)));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(Has(r[0], "homeDirectory=/home/" + uid));
  r = c.Send(SearchReq(5, "dc=corp,dc=local", 2, ber::Encode(0xA2, Present("uid"))));
  EXPECT_EQ(r.back().code, 0);
  for (size_t i = 0; i + 1 < r.size(); ++i) EXPECT_EQ(r[i].dn.find("uid="), std::string::npos);
  r = c.Send(SearchReq(6, "dc=corp,dc=local", 2, Present("objectClass"), {}, 2));
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[2].code, 4);  // sizeLimitExceeded after two entries
  r = c.Send(SearchReq(7, "ou=nope,dc=corp,dc=local", 2, Present("objectClass")));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].code, 32);
  EXPECT_EQ(r[0].matched, "dc=corp,dc=local");
}

TEST(LdapFilter, TextEscapes) {
  ldap::Filter f;
  const std::string b = ber::Encode(0xA1, Eq("cn", std::string("a*(b)\\\0", 7)) + Present("mail"));
  size_t pos = 0;
  ber::Tlv t;
  ASSERT_EQ(ber::ReadTlv(b, &pos, &t, 1024), ber::Status::kOk);
  ASSERT_TRUE(ldap::ParseFilter(t, &f));
  EXPECT_EQ(ldap::FilterText(f), "(|(cn=a\\2a\\28b\\29\\5c\\00)(mail=*))");
}

TEST(LdapOps, ExtendedWritesUnbindAbandon) {
  Client c;
  auto r = c.Send(ExtendedReq(1, "1.3.6.1.4.1.1466.20037"));
  EXPECT_EQ(r[0].code, 52);
  EXPECT_EQ(c.Send(ExtendedReq(2, "1.3.6.1.4.1.4203.1.11.3"))[0].extra, "");  // anonymous
  EXPECT_EQ(c.Send(ExtendedReq(3, "1.2.3.4"))[0].code, 2);
  r = c.Send(
      Msg(4, ber::Encode(0x66, ber::Octets("uid=x,dc=corp,dc=local") + ber::Encode(0x30, ""))));
  EXPECT_EQ(r[0].tag, 0x67);
  EXPECT_EQ(r[0].code, 50);
  r = c.Send(Msg(5, ber::Octets("uid=x,dc=corp,dc=local", 0x4A)));
  EXPECT_EQ(r[0].tag, 0x6B);
  EXPECT_EQ(r[0].code, 50);
  EXPECT_EQ(ParamOf(c.decky.Events("delete")[0], "dn"), "uid=x,dc=corp,dc=local");
  EXPECT_TRUE(c.Send(Msg(6, ber::Int(4, 0x50))).empty());
  EXPECT_EQ(c.decky.Events("abandon").size(), 1u);
  EXPECT_EQ(c.decky.Events("extended").size(), 3u);
  EXPECT_FALSE(c.conn.closed);
  EXPECT_TRUE(c.Send(Msg(7, ber::Encode(0x42, ""))).empty());
  EXPECT_TRUE(c.conn.closed);
  EXPECT_EQ(c.decky.Events("unbind").size(), 1u);
}

TEST(LdapHostile, HugeAndIndefiniteLengthsDrop) {
  for (std::string bytes : {std::string("\x30\x84\x80\x00\x00\x00", 6),      // 2^31
                            std::string("\x30\x80\x02\x01\x01\0\0", 7),      // indefinite
                            std::string("\x30\x85\x01\x00\x00\x00\x00", 7),  // 5 length octets
                            std::string("\x30\x83\x04\x00\x01", 5)}) {       // 256 KiB + 1
    Client c;
    EXPECT_EQ(c.Raw(bytes), "");
    EXPECT_TRUE(c.conn.closed);
    EXPECT_EQ(c.decky.Events("protocol_error").size(), 1u);
  }
}

TEST(LdapHostile, DeepNestingTruncationGarbage) {
  {
    // A filter of 10,000 nested ANDs: framed, but beyond the depth bound: notice of disconnection.
    std::string f = Present("a");
    for (int i = 0; i < 10000; ++i) f = ber::Encode(0xA0, f);
    Client c;
    auto r = c.Send(SearchReq(1, "", 2, f));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].id, 0);
    EXPECT_EQ(r[0].code, 2);
    EXPECT_TRUE(c.conn.closed);
  }
  {
    std::string s = ber::Int(1);
    for (int i = 0; i < 10000; ++i) s = ber::Encode(0x30, s);
    Client c;
    c.Raw(s);
    EXPECT_TRUE(c.conn.closed);
  }
  {
    Client c;  // a message in pieces is answered once whole
    const std::string m = SimpleBind(9, "", "");
    EXPECT_EQ(c.Raw(m.substr(0, 5)), "");
    EXPECT_FALSE(c.conn.closed);
    EXPECT_EQ(c.Send(m.substr(5))[0].id, 9);
  }
  {
    Client c;  // inner lengths that overrun their parent
    c.Raw(std::string("\x30\x05\x02\x09\x01\x60\x00", 7));
    EXPECT_TRUE(c.conn.closed);
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    std::string g(1 + rng() % 600, '\0');
    for (char& ch : g) ch = static_cast<char>(rng());
    if (i % 2) g[0] = 0x30;
    LdapBytes(reinterpret_cast<const uint8_t*>(g.data()), g.size());
  }
}

TEST(LdapHostile, ConnectionBoundsAreCounted) {
  {
    // 8 MiB of input per connection: 200 KiB binds are answered until the bound, then closed.
    Client c;
    const std::string bind = SimpleBind(1, "cn=x", std::string(200 << 10, 'p'));
    int answered = 0;
    for (int i = 0; i < 60 && !c.conn.closed; ++i) answered += c.Send(bind).size();
    EXPECT_TRUE(c.conn.closed);
    EXPECT_EQ(answered, (8 << 20) / static_cast<int>(bind.size()));
    EXPECT_EQ(c.decky.Events("protocol_error").size(), 1u);
  }
  {
    // 10,000 logged operations per connection; the rest answered (abandon: no answer) and counted.
    Client c;
    std::string many;
    for (int i = 0; i < 10005; ++i) many += Msg(2, ber::Int(1, 0x50));
    c.Raw(many);
    EXPECT_EQ(c.decky.Events("abandon").size(), 10000u);
    std::string health;
    c.svc->AddHealth(&health);
    EXPECT_NE(health.find("\"ldap_ops_unlogged\":5"), std::string::npos) << health;
  }
}

TEST(LdapHostile, FuzzEntryOnRealRequests) {
  const std::string all =
      SimpleBind(1, "cn=admin", "x") + SearchReq(2, "", 0, Present("objectClass")) +
      SearchReq(3, "dc=corp,dc=local", 2, Eq("uid", "a")) +
      ExtendedReq(4, "1.3.6.1.4.1.4203.1.11.3") + SaslBind(5, "PLAIN", std::string("\0u\0p", 4)) +
      Msg(6, ber::Encode(0x42, ""));
  LdapBytes(reinterpret_cast<const uint8_t*>(all.data()), all.size());
}

}  // namespace
}  // namespace decnet::services::directory
