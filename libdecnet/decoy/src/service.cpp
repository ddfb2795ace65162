#include "decnet/decoy/service.h"

#include "decnet/topology/registry.h"

namespace decnet::decoy {

const char* CloseReasonName(CloseReason r) {
  switch (r) {
    case CloseReason::kPeer:
      return "peer";
    case CloseReason::kService:
      return "service";
    case CloseReason::kIdle:
      return "idle";
    case CloseReason::kDuration:
      return "duration";
    case CloseReason::kOutputLimit:
      return "output_limit";
    case CloseReason::kShutdown:
      return "shutdown";
    case CloseReason::kError:
      return "error";
  }
  return "?";
}

void ServiceRegistry::Add(std::string name, ServiceMaker maker, std::vector<PortBinding> ports) {
  if (ports.empty()) {
    if (const topology::ServiceDef* def = topology::FindService(name)) {
      for (const topology::PortSpec& p : def->ports)
        ports.push_back({p.port, p.proto == topology::Proto::kTcp ? Transport::kTcp : Transport::kUdp});
    }
  }
  entries_.push_back({std::move(name), std::move(maker), std::move(ports)});
}

const ServiceRegistry::Entry* ServiceRegistry::Find(std::string_view name) const {
  for (const Entry& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

std::vector<std::string> ServiceRegistry::Names() const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) out.push_back(e.name);
  return out;
}

}  // namespace decnet::decoy
