#include "services.h"

#include "decnet/services/db/mongodb.h"
#include "decnet/services/db/mssql.h"
#include "decnet/services/db/mysql.h"
#include "decnet/services/db/postgres.h"
#include "decnet/services/db/redis.h"
#include "decnet/services/directory/ldap.h"
#include "decnet/services/files/ftp.h"
#include "decnet/services/ssh/ssh.h"
#include "decnet/services/telnet/telnet.h"
#include "decnet/services/udp/tftp.h"
#include "decnet/services/web/http.h"

// Families register explicitly: a self-registering object in a static archive would be dropped by
// the linker (EXAMPLES.md, Envoy).
void RegisterAllServices(decnet::decoy::ServiceRegistry& registry) {
  using namespace decnet::services;
  registry.Add("tftp", udp::MakeTftp);
  registry.Add("redis", db::MakeRedis);
  registry.Add("postgres", db::MakePostgres);
  registry.Add("mysql", db::MakeMysql);
  registry.Add("mssql", db::MakeMssql);
  registry.Add("mongodb", db::MakeMongodb);
  // Port 80 only: the registry also lists 443, which a plaintext server must not answer.
  registry.Add("http", web::MakeHttp, {{80, decnet::decoy::Transport::kTcp}});
  registry.Add("ftp", files::MakeFtp);
  registry.Add("ssh", ssh::MakeSsh, {{22, decnet::decoy::Transport::kTcp}});  // not 2222
  registry.Add("telnet", telnet::MakeTelnet);
  // Port 389 only: the registry also lists 636 (LDAPS), which a plaintext server must not answer.
  registry.Add("ldap", directory::MakeLdap, {{389, decnet::decoy::Transport::kTcp}});
}
