// The protocols this decnet-decky executable serves: one Register call per family it links.
#pragma once

#include "decnet/decoy/service.h"

void RegisterAllServices(decnet::decoy::ServiceRegistry& registry);
