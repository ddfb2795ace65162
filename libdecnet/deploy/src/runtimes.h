// The two runtimes behind decnet::deploy::Runtime (private to the component).
#pragma once

#include <memory>
#include <string>

#include "decnet/deploy/deploy.h"

namespace decnet::deploy {

std::unique_ptr<Runtime> MakeDockerRuntime(const std::string& state_dir,
                                           const std::string& private_dir);
std::unique_ptr<Runtime> MakeNetnsRuntime(const std::string& state_dir,
                                          const std::string& private_dir);
// `name` as is when it holds a '/', else the first executable in $PATH, /usr/sbin, /sbin; "" if none.
std::string FindInPath(const std::string& name);

}  // namespace decnet::deploy
