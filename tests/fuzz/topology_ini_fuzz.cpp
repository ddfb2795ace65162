// libFuzzer target for the INI deploy-file reader (uploaded through the API, so
// attacker-reachable): parse, and when the file is accepted, generate, validate and render the
// fleet it describes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decnet/topology/compose.h"
#include "decnet/topology/generator.h"
#include "decnet/topology/ini.h"
#include "decnet/topology/validator.h"

namespace decnet::topology {

// The fuzz entry; also called by topology_test with hostile inputs so it runs in CI.
int FuzzIni(const uint8_t* data, size_t size) {
  IniLimits limits;
  limits.max_bytes = 64 * 1024;
  limits.max_deckies = 64;
  IniResult r = ParseIni(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (!r.ok() || r.config.deckies.empty()) return 0;
  FleetConfig cfg;
  cfg.specs = r.config.deckies;
  for (DeckySpec& s : cfg.specs) s.services.randomize = true;
  if (r.config.subnet) cfg.subnet = *r.config.subnet;
  if (cfg.subnet.prefix > 28 || cfg.subnet.prefix < 8) return 0;
  cfg.gateway = r.config.gateway;
  auto t = GenerateFleet(cfg);
  if (!t) return 0;
  (void)Validate(*t);
  ComposeOptions opts;
  opts.scope = "fuzz";
  (void)RenderCompose(*t, opts);
  return 0;
}

}  // namespace decnet::topology

#ifndef DECNET_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return decnet::topology::FuzzIni(data, size);
}
#endif
