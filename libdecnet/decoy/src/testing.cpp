#include "decnet/decoy/testing.h"

#include <stdlib.h>

#include <filesystem>
#include <system_error>

#include "decnet/core/loop.h"

namespace decnet::decoy::testing {
namespace {

PersonaInputs WithDefaults(PersonaInputs in) {
  if (in.decky.empty()) in.decky = "test-decky";
  if (in.fleet_seed.empty()) in.fleet_seed = "test-seed";
  return in;
}

}  // namespace

TestDecky::TestDecky(PersonaInputs inputs)
    : persona(Persona::Derive(WithDefaults(std::move(inputs)), 1'780'000'000)) {
  uv_loop_init(&loop);
  auto s = std::make_unique<MemorySink>();
  sink = s.get();
  log = std::make_unique<EventLog>(persona.decky(), std::move(s), limits, counters);
  char tmpl[] = "/tmp/decoy-test-XXXXXX";
  artifact_dir = mkdtemp(tmpl) ? std::string(tmpl) + "/artifacts" : "";
  artifacts = std::make_unique<ArtifactStore>(artifact_dir, limits, counters);
  decky = std::make_unique<Decky>(&loop, persona, *log, *artifacts, limits, counters, "127.0.0.1");
}

TestDecky::~TestDecky() {
  decky->Stop();
  decky.reset();
  CloseAllHandles(&loop);
  uv_loop_close(&loop);
  // In process, not `rm -rf` through system(): the fuzz targets build a TestDecky per input, and a
  // fork per input held them to tens of runs per second.
  if (!artifact_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(artifact_dir.substr(0, artifact_dir.rfind('/')), ec);
  }
}

void TestDecky::RunUntil(const std::function<bool()>& done, uint64_t max_ms) {
  const uint64_t deadline = uv_now(&loop) + max_ms;
  while (!done() && uv_now(&loop) < deadline) {
    uv_run(&loop, UV_RUN_NOWAIT);
    uv_sleep(1);
    uv_update_time(&loop);
  }
}

std::vector<std::string> TestDecky::Events(std::string_view type) const {
  std::vector<std::string> out;
  const std::string needle = " - " + std::string(type) + " ";
  for (const std::string& l : sink->lines)
    if (l.find(needle) != std::string::npos) out.push_back(l);
  return out;
}

FakeConnection::FakeConnection(Host& host, uint16_t local_port) : host_(host) {
  local_.port = local_port;
}

void FakeConnection::Write(std::string_view bytes) {
  if (!closed) output.append(bytes);
}

void FakeConnection::SetTimer(uint64_t ms, std::function<void()> fn) {
  timer_ms = ms;
  timer_fn_ = ms ? std::move(fn) : nullptr;
}

void FakeConnection::FireTimer() {
  if (!timer_fn_) return;
  auto fn = std::move(timer_fn_);
  timer_fn_ = nullptr;
  timer_ms = 0;
  fn();
}

std::string FakeConnection::Take() {
  std::string out = std::move(output);
  output.clear();
  return out;
}

std::string ParamOf(const std::string& line, std::string_view key) {
  const std::string needle = " " + std::string(key) + "=\"";
  const size_t at = line.find(needle);
  if (at == std::string::npos) return "";
  std::string out;
  for (size_t i = at + needle.size(); i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) {
      out.push_back(line[++i]);
    } else if (line[i] == '"') {
      break;
    } else {
      out.push_back(line[i]);
    }
  }
  return out;
}

}  // namespace decnet::decoy::testing
