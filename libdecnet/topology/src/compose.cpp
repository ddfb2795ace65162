#include "decnet/topology/compose.h"

#include <cstdio>

#include "decnet/topology/serialize.h"
#include "doc.h"

namespace decnet::topology {
namespace {

using internal::Doc;

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// The label the collector's Docker input follows (its default docker_labels): the Python original's
// two, by kind, so a collector configured for either picks the deckies up.
const char* FollowLabel(const Topology& t) {
  return t.kind == Kind::kMaze ? "decnet.topology.service" : "decnet.fleet.service";
}

// The decky's command line after the image's entrypoint (decnet-decky).
Doc DeckyCommand(const Topology& t, const Decky& d, const ComposeOptions& o, bool settings) {
  Doc cmd = Doc::List();
  auto flag = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    cmd.Push(Doc::Str(name));
    cmd.Push(Doc::Str(value));
  };
  flag("--decky", d.name);
  flag("--services", Join(d.services));
  flag("--hostname", d.hostname);
  flag("--distro", d.distro);
  flag("--os-profile", d.os_profile);
  flag("--fleet-seed", o.fleet_seed);
  if (settings) flag("--settings", kComposeSettingsPath);
  // Docker mode: events to stdout, which the collector follows through the Engine API. A topology
  // with its own log target (a remote collector) sends them there over UDP instead.
  flag("--log-target", t.log_target.empty() ? "stdout" : "udp:" + t.log_target);
  return cmd;
}

// One container per decky: decnet-decky serves every service of the decky and holds its
// addresses, hostname and OS-fingerprint sysctls itself (no holder container).
Doc DeckyService(const Topology& t, const Decky& d, const ComposeOptions& o,
                 const std::string& hash) {
  Doc s = Doc::Map();
  s.Set("image", Doc::Str(DeckyImage(o)));
  s.Set("container_name", Doc::Str(o.scope + "-" + d.name));
  if (!d.hostname.empty()) s.Set("hostname", Doc::Str(d.hostname));
  const bool settings = !o.settings_root.empty() && !d.settings.empty();
  s.Set("command", DeckyCommand(t, d, o, settings));
  s.Set("restart", Doc::Str("unless-stopped"));
  // It starts as root to bind its ports, then drops to nobody and every capability.
  Doc& drop = s.Set("cap_drop", Doc::List());
  drop.Push(Doc::Str("ALL"));
  Doc& caps = s.Set("cap_add", Doc::List());
  for (const char* c : {"NET_BIND_SERVICE", "SETUID", "SETGID", "CHOWN", "FOWNER", "DAC_OVERRIDE"})
    caps.Push(Doc::Str(c));
  Doc& sec = s.Set("security_opt", Doc::List());
  sec.Push(Doc::Str("no-new-privileges:true"));
  s.Set("read_only", Doc::Bool(true));
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
  // State (persona.json, host keys, artifacts) outlives a recreate; the rest of the root is
  // read-only.
  Doc& vols = s.Set("volumes", Doc::List());
  vols.Push(Doc::Str(o.artifact_root + "/" + o.scope + "/" + d.name + ":" + kComposeStateDir));
  if (settings) {
    vols.Push(Doc::Str(o.settings_root + "/" + d.name + "/settings.json:" + kComposeSettingsPath +
                       ":ro"));
  }
  Doc& tmpfs = s.Set("tmpfs", Doc::List());
  tmpfs.Push(Doc::Str("/tmp:size=1m"));
  Doc l = Doc::Map();
  l.Set("decnet.scope", Doc::Str(o.scope));
  l.Set("decnet.decky", Doc::Str(d.name));
  l.Set("decnet.role", Doc::Str("decky"));
  l.Set("decnet.services", Doc::Str(Join(d.services)));
  l.Set("decnet.config-hash", Doc::Str(hash));
  l.Set(FollowLabel(t), Doc::Str("true"));
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

std::string DeckyImage(const ComposeOptions& o) {
  return !o.base_image.empty() ? o.base_image : o.image_prefix + "/decky:" + o.image_tag;
}

std::vector<std::string> ComposeServicesOf(const Decky& d) { return {d.name}; }

std::string RenderInputs(const ComposeOptions& o) {
  return o.scope + "|" + o.image_prefix + "|" + o.image_tag + "|" + o.artifact_root + "|" +
         o.base_image + "|" + o.fleet_seed + "|" + o.settings_root;
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
  if (!o.settings_root.empty() && o.settings_root[0] != '/') {
    return MakeError(Errc::kInvalidArgument,
                     "settings root must be an absolute path, got '" + o.settings_root + "'");
  }
  const std::string inputs = RenderInputs(o);
  Doc root = Doc::Map();
  Doc& services = root.Set("services", Doc::Map());
  for (const Decky& d : t.deckies) {
    const std::string hash = DeckyHash(t, d, inputs);
    services.Set(d.name, DeckyService(t, d, o, hash));
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
