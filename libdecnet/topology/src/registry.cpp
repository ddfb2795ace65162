#include "decnet/topology/registry.h"

namespace decnet::topology {
namespace {

constexpr Proto T = Proto::kTcp;
constexpr Proto U = Proto::kUdp;

const std::vector<ServiceDef>& ServiceTable() {
  static const std::vector<ServiceDef> kServices = {
      {"conpot", "ICS/SCADA honeypot: Modbus, SNMP, HTTP", {{502, T}, {161, U}, {80, T}}, {}},
      {"dns", "DNS resolver honeypot", {{53, U}, {53, T}}, {}},
      {"docker_api", "exposed Docker Engine API", {{2375, T}, {2376, T}}, {}},
      {"elasticsearch", "Elasticsearch REST API", {{9200, T}}, {}},
      {"ftp",
       "FTP server",
       {{21, T}},
       {{"banner", FieldType::kString, {}, "greeting line"},
        {"anonymous", FieldType::kBool, {}, "accept anonymous logins"},
        {"product", FieldType::kEnum, {"vsftpd", "proftpd", "pureftpd"}, "FTP server product"},
        {"users", FieldType::kString, {}, "name:password pairs that may log in, comma separated"},
        {"idle_timeout", FieldType::kInt, {}, "seconds before the product's idle 421"}}},
      {"http",
       "HTTP server",
       {{80, T}, {443, T}},
       {{"server_header", FieldType::kString, {}, "value of the Server: header"},
        {"response_code", FieldType::kInt, {}, "default response code"},
        {"fake_app",
         FieldType::kEnum,
         {"none", "wordpress", "phpmyadmin", "tomcat", "jenkins"},
         "application skin"},
        {"extra_headers", FieldType::kTextarea, {}, "extra response headers"},
        {"custom_body", FieldType::kTextarea, {}, "custom response body"},
        {"http_versions", FieldType::kMultiEnum, {"http/1.1", "http/2"}, "protocol versions"},
        {"server", FieldType::kEnum, {"nginx", "apache"}, "web server product"},
        {"foxio_licensed", FieldType::kBool, {}, "log JA4H (FoxIO License 1.1)"}}},
      {"https",
       "HTTPS server",
       {{443, T}},
       {{"server_header", FieldType::kString, {}, "value of the Server: header"},
        {"tls_cn", FieldType::kString, {}, "certificate common name"}}},
      {"imap",
       "IMAP mail access",
       {{143, T}, {993, T}},
       {{"banner", FieldType::kString, {}, "greeting"}}},
      {"k8s", "Kubernetes API server", {{6443, T}, {8080, T}}, {}},
      {"ldap",
       "LDAP directory",
       {{389, T}, {636, T}},
       {{"product",
         FieldType::kEnum,
         {"openldap", "ad"},
         "OpenLDAP slapd or an AD domain controller (default: ad on a windows OS profile)"},
        {"domain", FieldType::kString, {}, "naming context domain (default: the hostname's)"},
        {"users", FieldType::kString, {}, "binds that succeed, dn:password or uid:password,..."}}},
      {"llmnr", "LLMNR/mDNS poisoning detector", {{5355, U}, {5353, U}}, {}},
      {"mongodb",
       "MongoDB",
       {{27017, T}},
       {{"version", FieldType::kString, {}, "version (default: 6.0/5.0/4.4/3.6 per persona)"},
        {"auth", FieldType::kEnum, {"none", "scram"}, "none (open: default) or SCRAM-SHA-256"},
        {"users", FieldType::kString, {}, "SCRAM logins, user:password,... (none)"}}},
      {"mqtt", "MQTT broker", {{1883, T}}, {}},
      {"mssql",
       "Microsoft SQL Server",
       {{1433, T}},
       {{"version", FieldType::kString, {}, "2017, 2019, 2022 or a build (default 2019)"},
        {"os", FieldType::kEnum, {"windows", "linux"}, "@@VERSION platform (default windows)"},
        {"instance", FieldType::kString, {}, "named instance (default: MSSQLSERVER)"},
        {"users", FieldType::kString, {}, "logins that succeed, user:password,... (none)"}}},
      {"mysql",
       "MySQL server",
       {{3306, T}},
       {{"version", FieldType::kString, {}, "server version string (default: the distro's)"},
        {"product",
         FieldType::kEnum,
         {"mysql", "mariadb"},
         "server family (default: the distro's)"},
        {"version_comment", FieldType::kString, {}, "@@version_comment (default: the distro's)"},
        {"auth_plugin",
         FieldType::kEnum,
         {"mysql_native_password", "caching_sha2_password"},
         "plugin of the greeting (default: caching_sha2 on MySQL 8, else native)"},
        {"users",
         FieldType::kString,
         {},
         "logins that succeed, user:password,... (none by default)"},
        {"max_packet", FieldType::kInt, {}, "bytes of one packet after login (default 1048576)"}}},
      {"pop3",
       "POP3 mail access",
       {{110, T}, {995, T}},
       {{"banner", FieldType::kString, {}, "greeting"}}},
      {"postgres",
       "PostgreSQL server",
       {{5432, T}},
       {{"auth",
         FieldType::kEnum,
         {"cleartext", "md5", "scram-sha-256"},
         "password method asked (default: the version's distro pg_hba.conf: md5 <= 13, "
         "scram-sha-256 >= 14)"},
        {"users",
         FieldType::kString,
         {},
         "logins that succeed, user:password,... (none by default)"},
        {"version", FieldType::kString, {}, "server_version shown (default: the distro's)"}}},
      {"rdp", "Remote Desktop", {{3389, T}}, {}},
      {"real_ssh", "real interactive SSH (deaddeck entry point)", {{22, T}}, {}, false, false},
      {"redis",
       "Redis server",
       {{6379, T}},
       {{"auth", FieldType::kEnum, {"required", "none"}, "password-protected or open"},
        {"password", FieldType::kPassword, {}, "the one password AUTH accepts"},
        {"version", FieldType::kString, {}, "redis_version shown (default: the distro's)"}}},
      {"sip", "SIP VoIP endpoint", {{5060, U}, {5060, T}}, {}},
      {"smb", "SMB file sharing", {{445, T}, {139, T}}, {}},
      {"smtp",
       "SMTP mail server",
       {{25, T}, {587, T}},
       {{"banner", FieldType::kString, {}, "greeting"},
        {"open_relay", FieldType::kBool, {}, "pretend to relay mail"}}},
      {"sniffer", "passive capture of the decoy LAN (fleet-wide)", {}, {}, true, false},
      {"snmp", "SNMP agent", {{161, U}}, {{"community", FieldType::kString, {}, "read community"}}},
      {"ssh",
       "SSH honeypot (cowrie)",
       {{22, T}, {2222, T}},
       {{"kernel_version", FieldType::kString, {}, "uname -r shown to attackers"},
        {"users",
         FieldType::kString,
         {},
         "user:password pairs that log in ('*' any, '!pw' refused)"},
        {"password_auth", FieldType::kBool, {}, "accept password logins"},
        {"accept", FieldType::kEnum, {"list", "nth", "never", "any"}, "who gets in"},
        {"accept_after", FieldType::kInt, {}, "attempts from one source before 'nth' lets it in"},
        {"version", FieldType::kString, {}, "identification string (default: the distro's sshd)"},
        {"fetch", FieldType::kEnum, {"off", "capture"}, "fetch wget/curl payloads (off)"},
        {"fetch_max_bytes", FieldType::kInt, {}, "payload capture bound in bytes (2 MiB)"},
        {"fetch_timeout_ms", FieldType::kInt, {}, "payload capture bound in time (15 s)"},
        {"fetch_allow_private", FieldType::kBool, {}, "capture from non-public addresses too"},
        {"kbd_interactive",
         FieldType::kBool,
         {},
         "offer keyboard-interactive (default per distro)"},
        {"fail_delay_ms",
         FieldType::kInt,
         {},
         "delay before a failed password is answered (PAM: 2000)"}}},
      {"telnet",
       "Telnet server",
       {{23, T}},
       {{"banner", FieldType::kString, {}, "login banner"},
        {"users",
         FieldType::kString,
         {},
         "user:password pairs that log in ('*' any, '!pw' refused)"},
        {"accept", FieldType::kEnum, {"list", "nth", "never", "any"}, "who gets in"},
        {"accept_after", FieldType::kInt, {}, "attempts from one source before 'nth' lets it in"},
        {"product", FieldType::kEnum, {"linux", "busybox"}, "telnetd played (default per distro)"},
        {"fail_delay_ms", FieldType::kInt, {}, "delay before 'Login incorrect' (login: 3000)"},
        {"fetch", FieldType::kEnum, {"off", "capture"}, "fetch wget/curl payloads (off)"},
        {"fetch_max_bytes", FieldType::kInt, {}, "payload capture bound in bytes (2 MiB)"},
        {"fetch_timeout_ms", FieldType::kInt, {}, "payload capture bound in time (15 s)"},
        {"fetch_allow_private", FieldType::kBool, {}, "capture from non-public addresses too"},
        {"max_attempts", FieldType::kInt, {}, "failed logins before the connection closes (3)"}}},
      {"tftp", "TFTP server", {{69, U}}, {}},
      {"vnc", "VNC remote desktop", {{5900, T}}, {}},
  };
  return kServices;
}

const std::vector<Archetype>& ArchetypeTable() {
  static const std::vector<Archetype> kArchetypes = {
      {"windows-workstation",
       "Windows Workstation",
       "corporate Windows desktop: SMB + RDP",
       {"smb", "rdp"},
       {"debian", "ubuntu22"},
       "windows"},
      {"windows-server",
       "Windows Server",
       "domain member: SMB, RDP, LDAP",
       {"smb", "rdp", "ldap"},
       {"debian", "ubuntu22"},
       "windows"},
      {"domain-controller",
       "Domain Controller",
       "Active Directory DC: LDAP, SMB, RDP, LLMNR",
       {"ldap", "smb", "rdp", "llmnr"},
       {"debian", "ubuntu22"},
       "windows"},
      {"linux-server",
       "Linux Server",
       "general-purpose Linux host: SSH + HTTP",
       {"ssh", "http"},
       {"debian", "ubuntu22", "rocky9", "fedora"},
       "linux"},
      {"web-server",
       "Web Server",
       "public web host: HTTP + FTP",
       {"http", "ftp"},
       {"debian", "ubuntu22", "ubuntu20"},
       "linux"},
      {"database-server",
       "Database Server",
       "data tier: MySQL, PostgreSQL, Redis",
       {"mysql", "postgres", "redis"},
       {"debian", "ubuntu22"},
       "linux"},
      {"mail-server",
       "Mail Server",
       "SMTP/IMAP/POP3 relay",
       {"smtp", "pop3", "imap"},
       {"debian", "ubuntu22"},
       "linux"},
      {"file-server",
       "File Server",
       "SMB/FTP/SFTP storage",
       {"smb", "ftp", "ssh"},
       {"debian", "ubuntu22", "rocky9"},
       "linux"},
      {"printer",
       "Network Printer",
       "network printer: SNMP + FTP",
       {"snmp", "ftp"},
       {"alpine", "debian"},
       "embedded"},
      {"iot-device",
       "IoT Device",
       "embedded device: MQTT, SNMP, Telnet",
       {"mqtt", "snmp", "telnet"},
       {"alpine"},
       "embedded"},
      {"industrial-control",
       "Industrial Control System",
       "ICS/SCADA node: Conpot",
       {"conpot"},
       {"debian"},
       "embedded"},
      {"voip-server", "VoIP Server", "SIP PBX", {"sip"}, {"debian", "ubuntu22"}, "linux"},
      {"monitoring-node",
       "Monitoring Node",
       "monitoring host: SNMP + SSH",
       {"snmp", "ssh"},
       {"debian", "rocky9"},
       "linux"},
      {"devops-host",
       "DevOps Host",
       "CI/CD host: Docker API, SSH, K8s",
       {"docker_api", "ssh", "k8s"},
       {"ubuntu22", "debian"},
       "linux"},
      {"deaddeck",
       "Deaddeck (Entry Point)",
       "internet-facing entry point with real SSH",
       {"real_ssh"},
       {"debian", "ubuntu22"},
       "linux"},
  };
  return kArchetypes;
}

const std::vector<Distro>& DistroTable() {
  static const std::vector<Distro> kDistros = {
      {"debian", "debian:bookworm-slim", "Debian 12 (Bookworm)", "generic"},
      {"ubuntu22", "ubuntu:22.04", "Ubuntu 22.04 LTS (Jammy)", "generic"},
      {"ubuntu20", "ubuntu:20.04", "Ubuntu 20.04 LTS (Focal)", "generic"},
      {"rocky9", "rockylinux:9-minimal", "Rocky Linux 9", "rhel"},
      {"centos7", "centos:7", "CentOS 7", "rhel"},
      {"alpine", "alpine:3.19", "Alpine Linux 3.19", "minimal"},
      {"fedora", "fedora:39", "Fedora 39", "rhel"},
      {"kali", "kalilinux/kali-rolling", "Kali Linux (Rolling)", "rolling"},
      {"arch", "archlinux:latest", "Arch Linux", "rolling"},
  };
  return kDistros;
}

// Sysctls per OS family: all network-namespace scoped, so they can be set per container.
OsProfile MakeProfile(const char* slug, const char* ttl, const char* syn_retries,
                      const char* timestamps, const char* wscale, const char* sack, const char* ecn,
                      const char* no_pmtu, const char* fin_timeout, const char* icmp_rl,
                      const char* icmp_mask) {
  return OsProfile{slug,
                   {{"net.ipv4.icmp_ratelimit", icmp_rl},
                    {"net.ipv4.icmp_ratemask", icmp_mask},
                    {"net.ipv4.ip_default_ttl", ttl},
                    {"net.ipv4.ip_no_pmtu_disc", no_pmtu},
                    {"net.ipv4.tcp_ecn", ecn},
                    {"net.ipv4.tcp_fin_timeout", fin_timeout},
                    {"net.ipv4.tcp_sack", sack},
                    {"net.ipv4.tcp_syn_retries", syn_retries},
                    {"net.ipv4.tcp_timestamps", timestamps},
                    {"net.ipv4.tcp_window_scaling", wscale}}};
}

const std::vector<OsProfile>& OsTable() {
  static const std::vector<OsProfile> kProfiles = {
      MakeProfile("linux", "64", "6", "1", "1", "1", "2", "0", "60", "1000", "6168"),
      MakeProfile("windows", "128", "2", "1", "1", "1", "0", "0", "30", "0", "0"),
      MakeProfile("windows_server", "128", "2", "1", "1", "1", "1", "0", "30", "0", "0"),
      MakeProfile("bsd", "64", "6", "1", "1", "1", "0", "0", "60", "250", "6168"),
      MakeProfile("embedded", "255", "3", "0", "0", "0", "0", "1", "15", "0", "0"),
      MakeProfile("cisco", "255", "2", "0", "0", "0", "0", "1", "15", "0", "0"),
  };
  return kProfiles;
}

template <typename T, typename F>
std::string JoinNames(const std::vector<T>& table, F name) {
  std::string out;
  for (const T& row : table) {
    if (!out.empty()) out += ", ";
    out += name(row);
  }
  return out;
}

}  // namespace

const char* ProtoName(Proto p) { return p == Proto::kTcp ? "tcp" : "udp"; }

const char* FieldTypeName(FieldType t) {
  switch (t) {
    case FieldType::kString:
      return "string";
    case FieldType::kPassword:
      return "password";
    case FieldType::kInt:
      return "int";
    case FieldType::kBool:
      return "bool";
    case FieldType::kTextarea:
      return "textarea";
    case FieldType::kEnum:
      return "enum";
    case FieldType::kMultiEnum:
      return "multi_enum";
  }
  return "?";
}

std::span<const ServiceDef> Services() { return ServiceTable(); }
std::span<const Archetype> Archetypes() { return ArchetypeTable(); }
std::span<const Distro> Distros() { return DistroTable(); }
std::span<const OsProfile> OsProfiles() { return OsTable(); }

const ServiceDef* FindService(std::string_view name) {
  for (const ServiceDef& s : ServiceTable())
    if (name == s.name) return &s;
  return nullptr;
}
const Archetype* FindArchetype(std::string_view slug) {
  for (const Archetype& a : ArchetypeTable())
    if (slug == a.slug) return &a;
  return nullptr;
}
const Distro* FindDistro(std::string_view slug) {
  for (const Distro& d : DistroTable())
    if (slug == d.slug) return &d;
  return nullptr;
}
const OsProfile* FindOsProfile(std::string_view slug) {
  for (const OsProfile& o : OsTable())
    if (slug == o.slug) return &o;
  return nullptr;
}
const ConfigField* FindField(const ServiceDef& svc, std::string_view key) {
  for (const ConfigField& f : svc.schema)
    if (key == f.key) return &f;
  return nullptr;
}

std::string ServiceNames() {
  return JoinNames(ServiceTable(), [](const ServiceDef& s) { return s.name; });
}
std::string ArchetypeNames() {
  return JoinNames(ArchetypeTable(), [](const Archetype& a) { return a.slug; });
}
std::string DistroNames() {
  return JoinNames(DistroTable(), [](const Distro& d) { return d.slug; });
}
std::string OsProfileNames() {
  return JoinNames(OsTable(), [](const OsProfile& o) { return o.slug; });
}

}  // namespace decnet::topology
