// Network commands: the interfaces and sockets of the persona, and the downloaders. Downloads are
// logged (file_download_attempt) and fail the way the real tool fails when the host is unreachable;
// ShellState::Download is the seam where operator-enabled real fetching would go.
#include <time.h>

#include <algorithm>

#include "cmdutil.h"
#include "decnet/core/text.h"

namespace decnet::services::shell {
namespace {

struct Url {
  std::string scheme = "http", host, path = "/";
  int port = 80;
};

Url ParseUrl(std::string_view text) {
  Url u;
  if (const size_t s = text.find("://"); s != std::string_view::npos) {
    u.scheme = AsciiLower(text.substr(0, s));
    text.remove_prefix(s + 3);
  }
  u.port = u.scheme == "https" ? 443 : u.scheme == "ftp" ? 21 : u.scheme == "tftp" ? 69 : 80;
  const size_t slash = text.find('/');
  std::string_view hostport = text.substr(0, slash);
  if (slash != std::string_view::npos) u.path = std::string(text.substr(slash));
  if (const size_t at = hostport.rfind('@'); at != std::string_view::npos)
    hostport.remove_prefix(at + 1);
  const size_t colon = hostport.rfind(':');
  if (colon != std::string_view::npos && hostport.find(']') == std::string_view::npos) {
    u.port = std::atoi(std::string(hostport.substr(colon + 1)).c_str());
    hostport = hostport.substr(0, colon);
  }
  u.host = std::string(hostport);
  return u;
}

bool IsIpLiteral(std::string_view h) {
  return !h.empty() &&
         (h.find_first_not_of("0123456789.") == std::string_view::npos || h.front() == '[');
}

std::string FileNameOf(const Url& u) {
  std::string name(Basename(u.path.substr(0, u.path.find('?'))));
  return name.empty() || name == "/" ? "index.html" : name;
}

std::string WgetStamp(const ShellState& sh) {
  const time_t t = static_cast<time_t>(sh.Now());
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

int Wget(Ctx& c) {
  Args a = ParseArgs(c.argv, "OoPtTUe");
  if (a.operands.empty()) {
    c.Error(
        "wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more "
        "options.\n");
    return 1;
  }
  const bool quiet = a.Has('q');
  int status = 0;
  for (const std::string& url : a.operands) {
    const Url u = ParseUrl(url);
    const std::string out = a.values.count('O') ? a.values['O'] : FileNameOf(u);
    c.sh.Download({url, "wget", out});
    // wget -O creates (truncates) its file before it connects: a failed download leaves it empty.
    if (a.values.count('O') && out != "-" && !c.sh.facts.busybox)
      c.sh.fs.Write(c.sh.Abs(out), "", false, c.sh.Now());
    if (c.sh.facts.busybox) {
      if (!quiet)
        c.Error("Connecting to " + u.host + " (" + u.host + ":" + std::to_string(u.port) + ")\n");
      c.PauseOutput(1200);
      c.Error("wget: can't connect to remote host (" + u.host + "): Connection refused\n");
      status = 1;
      continue;
    }
    if (!quiet) c.Error("--" + WgetStamp(c.sh) + "--  " + url + "\n");
    if (!IsIpLiteral(u.host)) {
      if (!quiet) c.Error("Resolving " + u.host + " (" + u.host + ")... ");
      c.PauseOutput(1500);
      if (!quiet) c.Error("failed: Temporary failure in name resolution.\n");
      c.Error("wget: unable to resolve host address \xe2\x80\x98" + u.host + "\xe2\x80\x99\n");
      status = 4;
      continue;
    }
    if (!quiet) c.Error("Connecting to " + u.host + ":" + std::to_string(u.port) + "... ");
    c.PauseOutput(1500);
    if (!quiet) c.Error("failed: Connection refused.\n");
    status = 4;
  }
  return status;
}

int Curl(Ctx& c) {
  Args a = ParseArgs(c.argv, "oXdHAuxeTmrwbcKE");
  if (a.operands.empty()) {
    c.Error("curl: try 'curl --help' or 'curl --manual' for more information\n");
    return 2;
  }
  const bool silent = a.Has('s') && !a.Has('S');
  const Url u = ParseUrl(a.operands[0]);
  const std::string out = a.values.count('o') ? a.values['o'] : a.Has('O') ? FileNameOf(u) : "-";
  c.sh.Download({a.operands[0], "curl", out});
  c.PauseOutput(1200);
  if (!IsIpLiteral(u.host)) {
    if (!silent) c.Error("curl: (6) Could not resolve host: " + u.host + "\n");
    return 6;
  }
  if (!silent)
    c.Error("curl: (7) Failed to connect to " + u.host + " port " + std::to_string(u.port) +
            " after 1203 ms: Couldn't connect to server\n");
  return 7;
}

// busybox tftp -g -r FILE [-l LOCAL] HOST [PORT]; tftp-hpa: tftp HOST -c get FILE.
int Tftp(Ctx& c) {
  Args a = ParseArgs(c.argv, "rlc");
  std::string host = a.operands.empty() ? "" : a.operands[0];
  std::string file = a.values.count('r') ? a.values['r'] : "";
  if (file.empty()) {
    for (size_t i = 0; i + 1 < a.operands.size(); ++i)
      if (a.operands[i] == "get") file = a.operands[i + 1];
    if (a.values.count('c') && a.values['c'] == "get" && a.operands.size() > 1)
      file = a.operands[1];
  }
  if (host.empty()) {
    c.Error("BusyBox v1.36.1 multi-call binary.\n\nUsage: tftp [OPTIONS] HOST [PORT]\n");
    return 1;
  }
  const std::string local = a.values.count('l') ? a.values['l'] : std::string(Basename(file));
  c.sh.Download({"tftp://" + host + "/" + file, "tftp", local});
  c.PauseOutput(3000);
  c.Error(c.sh.facts.busybox || a.Has('g') ? "tftp: timeout\n" : "Transfer timed out.\n");
  return 1;
}

// ftpget [-u USER -p PASS -P PORT] HOST LOCAL REMOTE
int Ftpget(Ctx& c) {
  Args a = ParseArgs(c.argv, "upP");
  if (a.operands.size() < 2) {
    c.Error(
        "BusyBox v1.36.1 multi-call binary.\n\nUsage: ftpget [OPTIONS] HOST [LOCAL_FILE] "
        "REMOTE_FILE\n");
    return 1;
  }
  const std::string& host = a.operands[0];
  const std::string remote = a.operands.back();
  const std::string local = a.operands.size() > 2 ? a.operands[1] : std::string(Basename(remote));
  c.sh.Download({"ftp://" + host + "/" + remote, "ftpget", local});
  c.PauseOutput(1200);
  c.Error("ftpget: can't connect to remote host (" + host + "): Connection refused\n");
  return 1;
}

std::string Prefix(const std::string& ip) { return ip.substr(0, ip.rfind('.')); }

int Ifconfig(Ctx& c) {
  const HostFacts& f = c.sh.facts;
  const uint64_t rx = 900'000'000 + f.boot_epoch % 800'000'000, tx = rx / 7;
  c.Print(
      "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n        inet " + f.ip +
      "  netmask 255.255.255.0  broadcast " + Prefix(f.ip) + ".255\n        ether " + f.mac +
      "  txqueuelen 1000  (Ethernet)\n" +
      Fmt("        RX packets %llu  bytes %llu (%.1f MiB)\n",
          static_cast<unsigned long long>(rx / 700), static_cast<unsigned long long>(rx),
          static_cast<double>(rx) / 1048576) +
      "        RX errors 0  dropped 0  overruns 0  frame 0\n" +
      Fmt("        TX packets %llu  bytes %llu (%.1f MiB)\n",
          static_cast<unsigned long long>(tx / 300), static_cast<unsigned long long>(tx),
          static_cast<double>(tx) / 1048576) +
      "        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n"
      "lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536\n        inet 127.0.0.1  netmask 255.0.0.0\n"
      "        inet6 ::1  prefixlen 128  scopeid 0x10<host>\n        loop  txqueuelen 1000  (Local "
      "Loopback)\n"
      "        RX packets 2048  bytes 174080 (170.0 KiB)\n        RX errors 0  dropped 0  overruns "
      "0  frame 0\n"
      "        TX packets 2048  bytes 174080 (170.0 KiB)\n"
      "        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n");
  return 0;
}

int Ip(Ctx& c) {
  const HostFacts& f = c.sh.facts;
  Args a = ParseArgs(c.argv);
  const std::string obj = a.operands.empty() ? "" : a.operands[0];
  if (obj.empty()) {
    c.Error(
        "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n       ip [ -force ] -batch filename\n"
        "where  OBJECT := { address | link | route | rule | neigh | tunnel | maddress | netns }\n");
    return 255;
  }
  if (obj[0] == 'r') {
    c.Print("default via " + f.gateway + " dev eth0 \n" + Prefix(f.ip) +
            ".0/24 dev eth0 proto kernel scope link src " + f.ip + " \n");
    return 0;
  }
  if (obj[0] == 'a' || obj[0] == 'l') {
    const bool link_only = obj[0] == 'l';
    std::string out =
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen "
        "1000\n"
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n";
    if (!link_only)
      out +=
          "    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n"
          "    inet6 ::1/128 scope host noprefixroute \n       valid_lft forever preferred_lft "
          "forever\n";
    out +=
        "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default "
        "qlen 1000\n"
        "    link/ether " +
        f.mac + " brd ff:ff:ff:ff:ff:ff\n";
    if (!link_only)
      out += "    inet " + f.ip + "/24 brd " + Prefix(f.ip) +
             ".255 scope global eth0\n"
             "       valid_lft forever preferred_lft forever\n";
    c.Print(out);
    return 0;
  }
  c.Error("Object \"" + obj + "\" is unknown, try \"ip help\".\n");
  return 1;
}

int Netstat(Ctx& c) {
  const uint16_t port = c.sh.conn.local().port ? c.sh.conn.local().port : 22;
  // The listener the attacker came through, named as the service runs it.
  const bool telnet = c.sh.options.service == "telnet";
  const char* prog = telnet ? "inetd" : "sshd";
  const int pid = 400 + static_cast<int>(c.sh.facts.boot_epoch % 300) + 230;
  const bool ss = c.argv[0] == "ss";
  if (ss) {
    c.Print("Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n" +
            Fmt("tcp   LISTEN 0      128          0.0.0.0:%-5u      0.0.0.0:*    "
                "users:((\"%s\",pid=%d,fd=3))\n",
                port, prog, pid) +
            Fmt("tcp   LISTEN 0      128             [::]:%-5u         [::]:*    "
                "users:((\"%s\",pid=%d,fd=4))\n",
                port, prog, pid) +
            "udp   UNCONN 0      0          127.0.0.1:323        0.0.0.0:*    "
            "users:((\"chronyd\",pid=" +
            std::to_string(pid - 20) + ",fd=5))\n");
    return 0;
  }
  c.Print(
      "Active Internet connections (only servers)\n"
      "Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program "
      "name    \n" +
      Fmt("tcp        0      0 0.0.0.0:%-5u           0.0.0.0:*               LISTEN      "
          "%d/%-18s\n",
          port, pid, telnet ? "inetd" : "sshd: /usr/sbin") +
      Fmt("tcp6       0      0 :::%-5u                :::*                    LISTEN      "
          "%d/%-18s\n",
          port, pid, telnet ? "inetd" : "sshd: /usr/sbin") +
      Fmt("udp        0      0 127.0.0.1:323           0.0.0.0:*                           "
          "%d/chronyd          \n",
          pid - 20));
  return 0;
}

int Ping(Ctx& c) {
  Args a = ParseArgs(c.argv, "cWiws");
  if (a.operands.empty()) {
    c.Error("ping: usage error: Destination address required\n");
    return 1;
  }
  const std::string& host = a.operands.back();
  if (!IsIpLiteral(host)) {
    c.PauseOutput(1000);
    c.Error("ping: " + host + ": Temporary failure in name resolution\n");
    return 2;
  }
  c.Print("PING " + host + " (" + host + ") 56(84) bytes of data.\n");
  c.PauseOutput(3000);
  c.Print(
      "\n--- " + host +
      " ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 2043ms\n\n");
  return 1;
}

int Nc(Ctx& c) {
  Args a = ParseArgs(c.argv, "pwsqe");
  if (a.Has('l')) return 0;  // a listener: nothing connects to it
  c.PauseOutput(1500);
  if (a.operands.size() >= 2 && a.Has('v'))
    c.Error("nc: connect to " + a.operands[0] + " port " + a.operands[1] +
            " (tcp) failed: Connection refused\n");
  return 1;
}

}  // namespace

void AddNetworkCommands(CommandTable& t) {
  t.insert({{"wget", Wget},
            {"curl", Curl},
            {"tftp", Tftp},
            {"ftpget", Ftpget},
            {"ifconfig", Ifconfig},
            {"ip", Ip},
            {"netstat", Netstat},
            {"ss", Netstat},
            {"ping", Ping},
            {"nc", Nc},
            {"ncat", Nc},
            {"netcat", Nc}});
}

}  // namespace decnet::services::shell
