// The intel fuzz entry, shared by the libFuzzer target and the gtest that runs it on hostile
// inputs. Input: lines "ip", "event_type", then "key=value" fields; the bytes are also tried as a
// stored state and as a headers object.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/intel/engine.h"

int IntelFuzzOne(const uint8_t* data, size_t size) {
  using namespace decnet::intel;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= in.size() && lines.size() < 64) {
    const size_t nl = in.find('\n', start);
    const size_t end = nl == std::string_view::npos ? in.size() : nl;
    lines.push_back(in.substr(start, end - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  std::vector<Field> fields;
  for (size_t i = 2; i < lines.size(); ++i) {
    const size_t eq = lines[i].find('=');
    if (eq == std::string_view::npos) continue;
    fields.push_back(Field{lines[i].substr(0, eq), lines[i].substr(eq + 1)});
  }
  EngineOptions opts;
  opts.max_ips = 2;
  Engine engine(nullptr, opts);
  Event e;
  e.ts = 1.7e9;
  e.decky = "decky-01";
  e.service = "svc";
  e.attacker_ip = lines.empty() ? std::string_view() : lines[0];
  e.event_type = lines.size() > 1 ? lines[1] : std::string_view("command");
  e.fields = fields;
  for (int i = 0; i < 3; ++i) {
    e.ts += i;
    engine.Ingest(e);
  }
  if (const AttackerProfile* p = engine.Find(e.attacker_ip)) {
    AttackerProfile copy(p->ip());
    (void)copy.LoadState(p->StateJson());
    (void)p->AttackerRowJson({}, 1);
    (void)p->BehaviorRowJson(1);
  }
  AttackerProfile fresh("x");
  (void)fresh.LoadState(in);
  std::vector<uint8_t> hits;
  (void)DetectHeaderTools(in, hits);
  return 0;
}
