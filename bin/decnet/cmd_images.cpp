// decnet images build: the decky image for the docker runtime, built locally (no registry).
// Compiled only when the CLI links decnet::docker_image (bin/CMakeLists.txt).
#if __has_include(<decnet/docker/image.h>)
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cxxopts.hpp>

#include "cli.h"
#include "decnet/core/json.h"
#include "decnet/core/paths.h"
#include "decnet/docker/image.h"

namespace decnet::cli {
namespace {

int Fail(const std::string& msg, int code = 1) {
  std::fprintf(stderr, "decnet images: %s\n", msg.c_str());
  return code;
}

// decnet-decky beside this program (the build tree, /usr/sbin next to /usr/sbin/decnet), then the
// installed path.
std::string DefaultDeckyBin() {
  const std::string here = SelfExeDir();
  for (const std::string& c : {here + "/decnet-decky", here + "/../sbin/decnet-decky",
                               std::string("/usr/sbin/decnet-decky")}) {
    if (::access(c.c_str(), X_OK) == 0) return c;
  }
  return "";
}

std::string DefaultWorkDir() {
  const char* state = std::getenv("DECNET_STATE_DIR");
  return std::string(state != nullptr && *state ? state : "/var/lib/decnet") + "/images";
}

int Build(int argc, char** argv) {
  cxxopts::Options o("decnet images build",
                     "Build the decky image (FROM scratch: decnet-decky, the shared libraries it "
                     "loads, a minimal /etc) and tag it <repository>:<tag> and :latest.");
  o.add_options()("decky-bin", "decnet-decky to package (default: beside this program)",
                  cxxopts::value<std::string>()->default_value(""))(
      "work-dir", "where the root filesystem tar is written (default $DECNET_STATE_DIR/images)",
      cxxopts::value<std::string>()->default_value(""))(
      "repository", "image repository",
      cxxopts::value<std::string>()->default_value("decnet/decky"))(
      "tag", "version tag (also tagged latest)",
      cxxopts::value<std::string>()->default_value(DECNET_VERSION_STRING))(
      "force", "import even when an image with the same content is already tagged")(
      "json", "print JSON")("h,help", "show this help");
  cxxopts::ParseResult r;
  try {
    r = o.parse(argc, argv);
  } catch (const std::exception& e) {
    return Fail(e.what(), 2);
  }
  if (r.count("help")) {
    std::printf("%s\n", o.help().c_str());
    return 0;
  }
  if (!r.unmatched().empty()) return Fail("unexpected argument '" + r.unmatched()[0] + "'", 2);
  docker::DeckyImageOptions opts;
  opts.executable = r["decky-bin"].as<std::string>();
  if (opts.executable.empty()) opts.executable = DefaultDeckyBin();
  if (opts.executable.empty()) return Fail("decnet-decky not found: pass --decky-bin", 2);
  opts.executable = AbsolutePath(opts.executable);
  opts.work_dir = r["work-dir"].as<std::string>();
  if (opts.work_dir.empty()) opts.work_dir = DefaultWorkDir();
  opts.repository = r["repository"].as<std::string>();
  opts.version = r["tag"].as<std::string>();
  opts.force = r.count("force") > 0;
  if (const char* d = std::getenv("DECNET_DOCKER"); d != nullptr && *d) opts.docker = d;
  auto img = docker::BuildDeckyImage(opts);
  if (!img) return Fail(img.error().message);
  if (r.count("json")) {
    std::string files = "[";
    for (size_t i = 0; i < img->files.size(); ++i) {
      files += i ? "," : "";
      json::AppendQuoted(files, img->files[i].image_path);
    }
    json::JsonWriter w;
    w.Str("image", img->reference)
        .Str("latest", opts.repository + ":latest")
        .Str("content", img->content_hash)
        .Bool("reused", img->reused)
        .Uint("tar_bytes", img->tar_bytes)
        .Uint("image_bytes", img->image_bytes)
        .Raw("files", files + "]");
    std::printf("%s\n", w.Finish().c_str());
  } else {
    std::printf("%s %s (and %s:latest): %zu files, %.1f MiB, content %s\n",
                img->reused ? "reused" : "built", img->reference.c_str(), opts.repository.c_str(),
                img->files.size(), static_cast<double>(img->image_bytes) / (1024.0 * 1024.0),
                img->content_hash.c_str());
    for (const docker::ImageFile& f : img->files) std::printf("  %s\n", f.image_path.c_str());
  }
  return 0;
}

int ImagesCmd(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "build") == 0) return Build(argc - 1, argv + 1);
  const bool help = argc >= 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"));
  std::fprintf(
      help ? stdout : stderr,
      "Usage: decnet images build [--decky-bin PATH] [--tag VERSION] [--force] [--json]\n");
  return help ? 0 : 2;
}

}  // namespace

DECNET_COMMAND("images", "build the decky image for the docker runtime (no registry)", ImagesCmd);

}  // namespace decnet::cli
#endif
