#include "decnet/http/static_files.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace decnet::http {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string RealPath(const std::string& p) {
  char buf[PATH_MAX];
  if (realpath(p.c_str(), buf) == nullptr) return {};
  return buf;
}

}  // namespace

std::optional<std::string> ResolveStaticPath(const std::string& root_realpath, std::string_view url_path) {
  if (root_realpath.empty()) return std::nullopt;
  std::string rel;
  // Check every segment: no "..", no ".", no backslash or NUL anywhere (Windows-style and C-string tricks).
  size_t start = 0;
  while (start <= url_path.size()) {
    size_t slash = url_path.find('/', start);
    std::string_view seg = url_path.substr(start, slash == std::string_view::npos ? url_path.npos : slash - start);
    if (seg == ".." || seg == ".") return std::nullopt;
    if (seg.find('\\') != seg.npos || seg.find('\0') != seg.npos) return std::nullopt;
    if (!seg.empty()) {
      rel.push_back('/');
      rel.append(seg);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (rel.empty() || url_path.empty() || url_path.back() == '/') rel += "/index.html";
  std::string real = RealPath(root_realpath + rel);
  if (real.empty()) return std::nullopt;
  // Symlinks inside root may point anywhere: the resolved path must still be under root.
  if (real.compare(0, root_realpath.size(), root_realpath) != 0 ||
      (real.size() > root_realpath.size() && real[root_realpath.size()] != '/')) {
    return std::nullopt;
  }
  struct stat st;
  if (stat(real.c_str(), &st) != 0) return std::nullopt;
  if (S_ISDIR(st.st_mode)) {
    std::string index = RealPath(real + "/index.html");
    if (index.empty() || index.compare(0, root_realpath.size(), root_realpath) != 0) return std::nullopt;
    return index;
  }
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  return real;
}

const char* ContentTypeFor(std::string_view path) {
  if (EndsWith(path, ".html")) return "text/html; charset=utf-8";
  if (EndsWith(path, ".js") || EndsWith(path, ".mjs")) return "application/javascript; charset=utf-8";
  if (EndsWith(path, ".css")) return "text/css; charset=utf-8";
  if (EndsWith(path, ".json")) return "application/json";
  if (EndsWith(path, ".svg")) return "image/svg+xml";
  if (EndsWith(path, ".png")) return "image/png";
  if (EndsWith(path, ".ico")) return "image/x-icon";
  if (EndsWith(path, ".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

StaticFiles::StaticFiles(const std::string& root, size_t max_file_bytes)
    : root_(RealPath(root)), max_file_bytes_(max_file_bytes) {}

Response StaticFiles::Serve(std::string_view url_path) const {
  auto path = ResolveStaticPath(root_, url_path);
  if (!path) return Response::Text(404, "not found\n");
  int fd = open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Response::Text(404, "not found\n");
  struct stat st;
  if (fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) > max_file_bytes_) {
    close(fd);
    return Response::Text(413, "file too large\n");
  }
  Response r;
  r.content_type = ContentTypeFor(*path);
  r.body.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < r.body.size()) {
    ssize_t n = read(fd, r.body.data() + got, r.body.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  r.body.resize(got);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace decnet::http
