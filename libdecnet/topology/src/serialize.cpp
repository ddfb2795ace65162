#include "decnet/topology/serialize.h"

#include <openssl/evp.h>

#include <algorithm>

#include "decnet/core/json.h"
#include "doc.h"

namespace decnet::topology {
namespace {

using internal::Doc;

Doc LanDoc(const Lan& l) {
  Doc d = Doc::Map();
  d.Set("name", Doc::Str(l.name));
  d.Set("subnet", Doc::Str(l.subnet.ToString()));
  d.Set("gateway", Doc::Str(FormatIpv4(l.gateway)));
  d.Set("dmz", Doc::Bool(l.is_dmz));
  d.Set("external", Doc::Bool(l.external));
  d.Set("parent", Doc::Str(l.parent));
  return d;
}

Doc DeckyDoc(const Decky& dk, bool canonical) {
  Doc d = Doc::Map();
  d.Set("name", Doc::Str(dk.name));
  d.Set("hostname", Doc::Str(dk.hostname));
  d.Set("distro", Doc::Str(dk.distro));
  d.Set("archetype", Doc::Str(dk.archetype));
  d.Set("os_profile", Doc::Str(dk.os_profile));
  std::vector<std::string> services = dk.services;
  if (canonical) std::sort(services.begin(), services.end());
  Doc& svc = d.Set("services", Doc::List());
  for (const std::string& s : services) svc.Push(Doc::Str(s));
  std::vector<Attachment> att = dk.attachments;
  Doc& nets = d.Set("attachments", Doc::List());
  for (const Attachment& a : att) {
    Doc& one = nets.Push(Doc::Map());
    one.Set("lan", Doc::Str(a.lan));
    one.Set("ip", Doc::Str(FormatIpv4(a.ip)));
  }
  d.Set("forwards", Doc::Bool(dk.forwards));
  d.Set("gateway", Doc::Bool(dk.gateway));
  std::vector<PublishedPort> pub = dk.published;
  if (canonical) {
    std::sort(pub.begin(), pub.end(), [](const PublishedPort& a, const PublishedPort& b) {
      return std::tie(a.host_port, a.proto, a.container_port) <
             std::tie(b.host_port, b.proto, b.container_port);
    });
  }
  Doc& ports = d.Set("published", Doc::List());
  for (const PublishedPort& p : pub) {
    Doc& one = ports.Push(Doc::Map());
    one.Set("host", Doc::Int(p.host_port));
    one.Set("container", Doc::Int(p.container_port));
    one.Set("proto", Doc::Str(ProtoName(p.proto)));
  }
  Doc& settings = d.Set("settings", Doc::Map());
  for (const auto& [service, list] : dk.settings) {
    Doc& per = settings.Set(service, Doc::Map());
    for (const Setting& s : list) {
      Doc& one = per.Set(s.key, Doc::Map());
      one.Set("type", Doc::Str(FieldTypeName(s.type)));
      one.Set("value", Doc::RawJson(s.json));
      one.Set("env", Doc::Str(s.env));
    }
  }
  return d;
}

Doc TopologyDoc(const Topology& t, bool canonical) {
  Doc d = Doc::Map();
  d.Set("name", Doc::Str(t.name));
  d.Set("kind", Doc::Str(KindName(t.kind)));
  d.Set("interface", Doc::Str(t.interface));
  d.Set("ipvlan", Doc::Bool(t.ipvlan));
  d.Set("log_target", Doc::Str(t.log_target));
  if (!canonical)
    d.Set("seed", Doc::Str(std::to_string(t.seed)));  // string: JSON numbers lose 64-bit precision
  std::vector<const Lan*> lans;
  for (const Lan& l : t.lans) lans.push_back(&l);
  std::vector<const Decky*> deckies;
  for (const Decky& k : t.deckies) deckies.push_back(&k);
  if (canonical) {
    std::sort(lans.begin(), lans.end(), [](auto* a, auto* b) { return a->name < b->name; });
    std::sort(deckies.begin(), deckies.end(), [](auto* a, auto* b) { return a->name < b->name; });
  }
  Doc& ld = d.Set("lans", Doc::List());
  for (const Lan* l : lans) ld.Push(LanDoc(*l));
  Doc& dd = d.Set("deckies", Doc::List());
  for (const Decky* k : deckies) dd.Push(DeckyDoc(*k, canonical));
  return d;
}

// ---- reading back

struct Reader {
  std::string error;

  std::string Str(const rapidjson::Value& o, const char* key) {
    auto it = o.FindMember(key);
    if (it == o.MemberEnd()) return "";
    if (!it->value.IsString()) {
      Fail(key);
      return "";
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
  }
  bool Bool(const rapidjson::Value& o, const char* key) {
    auto it = o.FindMember(key);
    if (it == o.MemberEnd()) return false;
    if (!it->value.IsBool()) {
      Fail(key);
      return false;
    }
    return it->value.GetBool();
  }
  int64_t Int(const rapidjson::Value& o, const char* key) {
    auto it = o.FindMember(key);
    if (it == o.MemberEnd() || !it->value.IsInt64()) {
      Fail(key);
      return 0;
    }
    return it->value.GetInt64();
  }
  const rapidjson::Value* Array(const rapidjson::Value& o, const char* key) {
    auto it = o.FindMember(key);
    if (it == o.MemberEnd()) return nullptr;
    if (!it->value.IsArray()) {
      Fail(key);
      return nullptr;
    }
    return &it->value;
  }
  uint32_t Ip(const rapidjson::Value& o, const char* key) {
    auto ip = ParseIpv4(Str(o, key));
    if (!ip) {
      Fail(key);
      return 0;
    }
    return *ip;
  }
  void Fail(const char* key) {
    if (error.empty()) error = std::string("bad or missing value for '") + key + "'";
  }
};

Lan ReadLan(Reader& r, const rapidjson::Value& v) {
  Lan l;
  if (!v.IsObject()) {
    r.Fail("lans");
    return l;
  }
  l.name = r.Str(v, "name");
  auto c = ParseCidr(r.Str(v, "subnet"), true);
  if (c)
    l.subnet = *c;
  else
    r.Fail("subnet");
  l.gateway = r.Ip(v, "gateway");
  l.is_dmz = r.Bool(v, "dmz");
  l.external = r.Bool(v, "external");
  l.parent = r.Str(v, "parent");
  return l;
}

FieldType TypeFromName(const std::string& n) {
  for (FieldType t : {FieldType::kString, FieldType::kPassword, FieldType::kInt, FieldType::kBool,
                      FieldType::kTextarea, FieldType::kEnum, FieldType::kMultiEnum})
    if (n == FieldTypeName(t)) return t;
  return FieldType::kString;
}

Decky ReadDecky(Reader& r, const rapidjson::Value& v) {
  Decky d;
  if (!v.IsObject()) {
    r.Fail("deckies");
    return d;
  }
  d.name = r.Str(v, "name");
  d.hostname = r.Str(v, "hostname");
  d.distro = r.Str(v, "distro");
  d.archetype = r.Str(v, "archetype");
  d.os_profile = r.Str(v, "os_profile");
  if (auto* a = r.Array(v, "services")) {
    for (const auto& s : a->GetArray()) {
      if (s.IsString())
        d.services.emplace_back(s.GetString(), s.GetStringLength());
      else
        r.Fail("services");
    }
  }
  if (auto* a = r.Array(v, "attachments"))
    for (const auto& s : a->GetArray()) {
      if (!s.IsObject()) {
        r.Fail("attachments");
        continue;
      }
      d.attachments.push_back({r.Str(s, "lan"), r.Ip(s, "ip")});
    }
  d.forwards = r.Bool(v, "forwards");
  d.gateway = r.Bool(v, "gateway");
  if (auto* a = r.Array(v, "published"))
    for (const auto& s : a->GetArray()) {
      if (!s.IsObject()) {
        r.Fail("published");
        continue;
      }
      const int64_t host = r.Int(s, "host"), cont = r.Int(s, "container");
      if (host < 1 || host > 65535 || cont < 1 || cont > 65535) r.Fail("published");
      d.published.push_back({static_cast<uint16_t>(host), static_cast<uint16_t>(cont),
                             r.Str(s, "proto") == "udp" ? Proto::kUdp : Proto::kTcp});
    }
  auto st = v.FindMember("settings");
  if (st != v.MemberEnd() && st->value.IsObject()) {
    for (const auto& svc : st->value.GetObject()) {
      if (!svc.value.IsObject()) {
        r.Fail("settings");
        continue;
      }
      std::vector<Setting>& list = d.settings[svc.name.GetString()];
      for (const auto& kv : svc.value.GetObject()) {
        if (!kv.value.IsObject()) {
          r.Fail("settings");
          continue;
        }
        Setting s;
        s.key = kv.name.GetString();
        s.type = TypeFromName(r.Str(kv.value, "type"));
        auto val = kv.value.FindMember("value");
        s.json = val == kv.value.MemberEnd() ? "null" : json::Serialize(val->value);
        s.env = r.Str(kv.value, "env");
        list.push_back(std::move(s));
      }
    }
  }
  return d;
}

}  // namespace

std::string ToJson(const Topology& t) {
  std::string out;
  TopologyDoc(t, false).AppendJson(out, true);
  return out;
}

std::string CanonicalJson(const Topology& t) {
  std::string out;
  TopologyDoc(t, true).AppendJson(out, true);
  return out;
}

Result<Topology> FromJson(std::string_view text) {
  rapidjson::Document doc;
  if (auto st = json::ParseObject(text, doc, json::ParseLimits{64u << 20, 16}); !st)
    return st.error();
  Reader r;
  Topology t;
  t.name = r.Str(doc, "name");
  t.kind = r.Str(doc, "kind") == "maze" ? Kind::kMaze : Kind::kFleet;
  t.interface = r.Str(doc, "interface");
  t.ipvlan = r.Bool(doc, "ipvlan");
  t.log_target = r.Str(doc, "log_target");
  t.seed = std::strtoull(r.Str(doc, "seed").c_str(), nullptr, 10);
  if (auto* a = r.Array(doc, "lans"))
    for (const auto& v : a->GetArray()) t.lans.push_back(ReadLan(r, v));
  if (auto* a = r.Array(doc, "deckies"))
    for (const auto& v : a->GetArray()) t.deckies.push_back(ReadDecky(r, v));
  if (!r.error.empty()) return MakeError(Errc::kCorrupt, "topology document: " + r.error);
  return t;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string CanonicalHash(const Topology& t) { return Sha256Hex(CanonicalJson(t)); }

std::string DeckyHash(const Topology& t, const Decky& d, std::string_view render_inputs) {
  Doc doc = Doc::Map();
  doc.Set("decky", DeckyDoc(d, true));
  Doc& lans = doc.Set("lans", Doc::List());
  for (const Attachment& a : d.attachments)
    if (const Lan* l = t.FindLan(a.lan)) lans.Push(LanDoc(*l));
  doc.Set("kind", Doc::Str(KindName(t.kind)));
  doc.Set("interface", Doc::Str(t.interface));
  doc.Set("ipvlan", Doc::Bool(t.ipvlan));
  doc.Set("log_target", Doc::Str(t.log_target));
  doc.Set("render", Doc::Str(std::string(render_inputs)));
  std::string out;
  doc.AppendJson(out, true);
  return Sha256Hex(out);
}

}  // namespace decnet::topology
