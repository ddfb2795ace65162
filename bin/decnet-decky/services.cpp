#include "services.h"

#include "decnet/services/db/redis.h"
#include "decnet/services/files/ftp.h"
#include "decnet/services/udp/tftp.h"
#include "decnet/services/web/http.h"

// Families register explicitly: a self-registering object in a static archive would be dropped by the
// linker (EXAMPLES.md, Envoy).
void RegisterAllServices(decnet::decoy::ServiceRegistry& registry) {
  using namespace decnet::services;
  registry.Add("tftp", udp::MakeTftp);
  registry.Add("redis", db::MakeRedis);
  registry.Add("http", web::MakeHttp);
  registry.Add("ftp", files::MakeFtp);
}
