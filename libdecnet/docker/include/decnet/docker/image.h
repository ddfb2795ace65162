// The decky image, built locally with no registry (`decnet images build`): FROM scratch, holding
// decnet-decky, exactly the shared libraries it loads (its DT_NEEDED closure as the dynamic loader
// resolves it, plus the loader itself) and a minimal /etc (passwd and group with the unprivileged
// user the decky drops to, nsswitch.conf for the files backend). The root filesystem is written as
// one deterministic tar (fixed owners, modes and mtime, sorted), so the same inputs give the same
// bytes; its hash is a label of the image, and a build whose hash is already tagged reuses it.
//
// The image is imported with `docker import` (one layer, no base image to pull, no builder): its
// entrypoint is the decky, its default command `--log-target stdout` (Docker mode: the collector
// follows container stdout through the Engine API).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/core/result.h"

namespace decnet::docker {

// One file of the image: read from host_path, stored at image_path.
struct ImageFile {
  std::string host_path;
  std::string image_path;
};

// The loader and the libraries named in `ldd`'s output (the loader's own resolution, so the loader
// in the image finds each library where it looks on the host). kNotFound when a library is missing;
// an empty list for a static executable. Exposed for tests.
Result<std::vector<ImageFile>> ParseLdd(std::string_view ldd_output);

// Runs `ldd <exe>` (the loader in trace mode) and parses it.
Result<std::vector<ImageFile>> LibraryClosure(const std::string& exe);

// One entry of the image's tar: a directory (content empty, is_dir) or a regular file.
struct TarEntry {
  std::string path;  // relative, no leading '/', e.g. "etc/passwd"
  bool is_dir = false;
  uint32_t mode = 0644;
  uint32_t uid = 0, gid = 0;
  std::string content;
};

// A POSIX ustar archive of `entries` in the given order, mtime fixed at 0 (reproducible bytes).
// kInvalidArgument for a path ustar cannot hold (over 100 bytes without a '/' split into 155+100).
Result<std::string> WriteTar(const std::vector<TarEntry>& entries);

struct DeckyImageOptions {
  std::string executable;  // host path of decnet-decky
  std::string work_dir;    // where the stripped executable and decky-rootfs.tar are written
  std::string repository = "decnet/decky";
  std::string version;            // tag; the image is also tagged "latest"
  std::string docker = "docker";  // the docker CLI
  bool force = false;             // import even when an image with the same content is tagged
};

struct BuiltImage {
  std::string reference;     // <repository>:<version>
  std::string content_hash;  // label decnet.content: FNV-1a 64 of the tar, hex
  bool reused = false;       // an image with this content was already tagged
  uint64_t tar_bytes = 0;    // uncompressed root filesystem
  uint64_t image_bytes = 0;  // as the engine reports it (docker image inspect .Size)
  std::vector<ImageFile> files;
};

// The entries of the decky image's root filesystem: /etc, the executable at
// /usr/sbin/decnet-decky (a copy without debug sections written to `stripped` when that is
// non-empty and strip(1) works), its loader and libraries. *files lists what was packaged.
Result<std::vector<TarEntry>> DeckyRootfs(const std::string& executable,
                                          std::vector<ImageFile>* files,
                                          const std::string& stripped = "");

// Builds (or reuses) and tags <repository>:<version> and <repository>:latest.
Result<BuiltImage> BuildDeckyImage(const DeckyImageOptions& opts);

// Where decnet-decky is installed in the image, and the state directory it is given there.
inline constexpr const char* kDeckyImageExe = "/usr/sbin/decnet-decky";
inline constexpr const char* kDeckyImageStateDir = "/var/lib/decnet";

// Runs argv (no shell) and collects its stdout (at most max_out bytes; the rest is read and
// dropped); its stderr is the caller's unless quiet_stderr. Returns the exit status, 127 when it
// cannot start.
int RunCapture(const std::vector<std::string>& argv, std::string* out, size_t max_out = 1 << 20,
               bool quiet_stderr = false);

}  // namespace decnet::docker
