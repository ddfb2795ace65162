// Where this process and its files are: the executable's directory (to find files installed next to
// it, in the build tree and in /usr/lib layouts) and absolute paths for children that chdir.
#pragma once

#include <string>

namespace decnet {

// The directory holding this process's executable (read from /proc/self/exe), without a trailing
// slash; "" when the link cannot be read.
std::string SelfExeDir();

// `path` made absolute against the current directory. Returned unchanged when it is already
// absolute or the current directory cannot be read.
std::string AbsolutePath(const std::string& path);

}  // namespace decnet
