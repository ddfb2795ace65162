#include "decnet/topology/compose.h"

#include <cstdio>

#include "decnet/topology/serialize.h"
#include "doc.h"

namespace decnet::topology {
namespace {

using internal::Doc;

std::string EnvName(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c >= 'a' && c <= 'z')
      out.push_back(static_cast<char>(c - 32));
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      out.push_back(c);
    else
      out.push_back('_');
  }
  return out;
}

Doc Labels(const ComposeOptions& o, const Decky& d, const std::string& role,
           const std::string& hash) {
  Doc l = Doc::Map();
  l.Set("decnet.scope", Doc::Str(o.scope));
  l.Set("decnet.decky", Doc::Str(d.name));
  l.Set("decnet.role", Doc::Str(role));
  l.Set("decnet.config-hash", Doc::Str(hash));
  return l;
}

Doc BaseService(const Topology& t, const Decky& d, const ComposeOptions& o,
                const std::string& hash) {
  Doc s = Doc::Map();
  const Distro* distro = FindDistro(d.distro);
  s.Set("image", Doc::Str(!o.base_image.empty()
                              ? o.base_image
                              : (distro != nullptr ? distro->image : "debian:bookworm-slim")));
  s.Set("container_name", Doc::Str(o.scope + "-" + d.name));
  if (!d.hostname.empty()) s.Set("hostname", Doc::Str(d.hostname));
  Doc& cmd = s.Set("command", Doc::List());
  cmd.Push(Doc::Str("sleep"));
  cmd.Push(Doc::Str("infinity"));
  s.Set("restart", Doc::Str("unless-stopped"));
  Doc& caps = s.Set("cap_add", Doc::List());
  caps.Push(Doc::Str("NET_ADMIN"));
  Doc& sysctls = s.Set("sysctls", Doc::Map());
  if (const OsProfile* os = FindOsProfile(d.os_profile.empty() ? "linux" : d.os_profile)) {
    for (const auto& [k, v] : os->sysctls) sysctls.Set(std::string(k), Doc::Str(std::string(v)));
  }
  sysctls.Set("net.ipv4.ip_forward", Doc::Str(d.forwards ? "1" : "0"));
  Doc& nets = s.Set("networks", Doc::Map());
  for (const Attachment& a : d.attachments) {
    Doc& n = nets.Set(a.lan, Doc::Map());
    n.Set("ipv4_address", Doc::Str(FormatIpv4(a.ip)));
  }
  if (!d.published.empty()) {
    Doc& ports = s.Set("ports", Doc::List());
    for (const PublishedPort& p : d.published) {
      ports.Push(Doc::Str(std::to_string(p.host_port) + ":" + std::to_string(p.container_port) +
                          "/" + ProtoName(p.proto)));
    }
  }
  s.Set("labels", Labels(o, d, "base", hash));
  (void)t;
  return s;
}

Doc ServiceContainer(const Topology& t, const Decky& d, const std::string& svc,
                     const ComposeOptions& o, const std::string& hash) {
  Doc s = Doc::Map();
  s.Set("image", Doc::Str(o.image_prefix + "/" + svc + ":" + o.image_tag));
  s.Set("container_name", Doc::Str(o.scope + "-" + d.name + "-" + svc));
  s.Set("network_mode", Doc::Str("service:" + d.name));
  Doc& deps = s.Set("depends_on", Doc::List());
  deps.Push(Doc::Str(d.name));
  s.Set("restart", Doc::Str("unless-stopped"));
  Doc& env = s.Set("environment", Doc::Map());
  env.Set("NODE_NAME", Doc::Str(d.name));
  env.Set("DECNET_SERVICE", Doc::Str(svc));
  if (!t.log_target.empty()) env.Set("LOG_TARGET", Doc::Str(t.log_target));
  auto it = d.settings.find(svc);
  if (it != d.settings.end()) {
    for (const Setting& st : it->second) {
      const std::string name = EnvName(st.key);
      if (name == "NODE_NAME" || name == "DECNET_SERVICE" || name == "LOG_TARGET") continue;
      env.Set(name, Doc::Str(st.env));
    }
  }
  Doc& vols = s.Set("volumes", Doc::List());
  vols.Push(Doc::Str(o.artifact_root + "/" + o.scope + "/" + d.name + "/" + svc +
                     ":/var/lib/decnet/artifacts"));
  Doc l = Labels(o, d, "service", hash);
  l.Set("decnet.service", Doc::Str(svc));
  s.Set("labels", std::move(l));
  return s;
}

Doc Network(const Topology& t, const Lan& lan, const ComposeOptions& o) {
  Doc n = Doc::Map();
  n.Set("name", Doc::Str(o.scope + "-" + lan.name));
  if (lan.external) {
    n.Set("driver", Doc::Str(t.ipvlan ? "ipvlan" : "macvlan"));
    Doc& dopts = n.Set("driver_opts", Doc::Map());
    dopts.Set("parent", Doc::Str(t.interface));
    if (t.ipvlan)
      dopts.Set("ipvlan_mode", Doc::Str("l2"));
    else
      dopts.Set("macvlan_mode", Doc::Str("bridge"));
  } else {
    n.Set("driver", Doc::Str("bridge"));
    // Only the DMZ reaches the host (for its published ports); every inner LAN is internal.
    n.Set("internal", Doc::Bool(!lan.is_dmz));
    Doc& dopts = n.Set("driver_opts", Doc::Map());
    dopts.Set("com.docker.network.bridge.name", Doc::Str(BridgeInterfaceName(o.scope, lan.name)));
  }
  Doc& ipam = n.Set("ipam", Doc::Map());
  Doc& config = ipam.Set("config", Doc::List());
  Doc& c = config.Push(Doc::Map());
  c.Set("subnet", Doc::Str(lan.subnet.ToString()));
  c.Set("gateway", Doc::Str(FormatIpv4(lan.gateway)));
  Doc& labels = n.Set("labels", Doc::Map());
  labels.Set("decnet.scope", Doc::Str(o.scope));
  labels.Set("decnet.lan", Doc::Str(lan.name));
  return n;
}

}  // namespace

bool IsValidScope(const std::string& s) {
  if (s.empty() || s.size() > 40) return false;
  auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!ok(s[0])) return false;
  for (char c : s)
    if (!ok(c) && c != '-' && c != '_') return false;
  return true;
}

std::string BridgeInterfaceName(const std::string& scope, const std::string& lan) {
  // FNV-1a 32: stable, and the name stays within the kernel's 15-character limit.
  uint32_t h = 2166136261u;
  for (char c : scope + "/" + lan) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "dn%08x", h);
  return buf;
}

std::string RenderInputs(const ComposeOptions& o) {
  return o.scope + "|" + o.image_prefix + "|" + o.image_tag + "|" + o.artifact_root + "|" +
         o.base_image;
}

Result<std::string> RenderCompose(const Topology& t, const ComposeOptions& o) {
  if (!IsValidScope(o.scope)) {
    return MakeError(
        Errc::kInvalidArgument,
        "scope '" + o.scope + "' must match [a-z0-9][a-z0-9_-]* and be at most 40 characters");
  }
  if (o.artifact_root.empty() || o.artifact_root[0] != '/') {
    return MakeError(Errc::kInvalidArgument,
                     "artifact root must be an absolute path, got '" + o.artifact_root + "'");
  }
  const std::string inputs = RenderInputs(o);
  Doc root = Doc::Map();
  Doc& services = root.Set("services", Doc::Map());
  for (const Decky& d : t.deckies) {
    const std::string hash = DeckyHash(t, d, inputs);
    services.Set(d.name, BaseService(t, d, o, hash));
    for (const std::string& svc : d.services)
      services.Set(d.name + "-" + svc, ServiceContainer(t, d, svc, o, hash));
  }
  Doc& networks = root.Set("networks", Doc::Map());
  for (const Lan& l : t.lans) networks.Set(l.name, Network(t, l, o));
  std::string out;
  if (o.json) {
    root.AppendJson(out);
    out.push_back('\n');
  } else {
    out = "# Generated by decnet for scope '" + o.scope + "' (topology '" + t.name +
          "'). Do not edit.\n";
    root.AppendYaml(out);
  }
  return out;
}

}  // namespace decnet::topology
