// Where this process and its files are: the executable's directory (to find files installed next to
// it, in the build tree and in /usr/lib layouts) and absolute paths for children that chdir.
#pragma once

#include <string>
#include <string_view>

namespace decnet {

// The directory holding this process's executable (read from /proc/self/exe), without a trailing
// slash; "" when the link cannot be read.
std::string SelfExeDir();

// `path` made absolute against the current directory. Returned unchanged when it is already
// absolute or the current directory cannot be read.
std::string AbsolutePath(const std::string& path);

// `path` read as absolute ("a/b" as "/a/b"), with empty and "." components dropped and ".."
// resolved lexically, never above "/"; "/" for nothing left. The fake filesystems of the decky (the
// shell, SFTP) resolve every attacker path with it; nothing here touches the real filesystem.
std::string LexicallyNormalAbsolute(std::string_view path);

}  // namespace decnet
