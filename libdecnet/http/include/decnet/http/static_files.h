// Serving a directory of static assets (the dashboard) safely.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "decnet/http/request.h"

namespace decnet::http {

// Maps a decoded URL path (after the mount prefix) to a file under root. Rejects, with nullopt, any path
// with a ".." or "." segment, a backslash, a NUL, or whose resolved real path (symlinks followed) leaves
// root. "" and paths ending in '/' map to index.html in that directory.
std::optional<std::string> ResolveStaticPath(const std::string& root_realpath, std::string_view url_path);

// Content-Type from the file extension (text/html, application/javascript, text/css, image/png, ...).
const char* ContentTypeFor(std::string_view path);

class StaticFiles {
 public:
  // `root` must exist; it is resolved once with realpath(3). max_file_bytes bounds what is read.
  explicit StaticFiles(const std::string& root, size_t max_file_bytes = 8 << 20);
  bool ok() const { return !root_.empty(); }
  const std::string& root() const { return root_; }
  // 200 with the file, 404 when missing or rejected (never says which), 413 when over the bound.
  Response Serve(std::string_view url_path) const;

 private:
  std::string root_;
  size_t max_file_bytes_;
};

}  // namespace decnet::http
