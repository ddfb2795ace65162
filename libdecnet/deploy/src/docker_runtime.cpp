// The docker runtime: topology::RenderCompose renders one compose file per topology and
// `docker compose` applies it incrementally. The file lives in the private directory (root runs
// `docker compose -f` on it; issue 14 finding 1), written with O_EXCL|O_NOFOLLOW.
#include <cstdio>

#include "runtimes.h"

namespace decnet::deploy {

namespace {

std::vector<std::string> ComposeServicesOf(const topology::Topology& t,
                                           const std::vector<std::string>& deckies) {
  std::vector<std::string> out;
  for (const std::string& n : deckies) {
    const topology::Decky* d = t.FindDecky(n);
    if (d == nullptr) continue;
    // One container per decky (topology/compose.h): the renderer names its compose services.
    for (std::string& s : topology::ComposeServicesOf(*d)) out.push_back(std::move(s));
  }
  return out;
}

class DockerRuntime : public Runtime {
 public:
  DockerRuntime(std::string state_dir, std::string private_dir)
      : state_dir_(std::move(state_dir)), private_dir_(std::move(private_dir)) {}
  const char* Name() const override { return "docker"; }

  Status Probe() override {
    docker_ = ProbeDocker();
    if (!docker_.available) return MakeError(Errc::kUnavailable, docker_.reason);
    return Ok();
  }

  Result<std::string> Prepare(const TopologyRecord& rec, const DeployOptions& opts) override {
    auto yaml = topology::RenderCompose(rec.topology, opts.compose);
    if (!yaml) return yaml.error();
    if (auto d = PrivateDir(state_dir_); !d) return d.error();
    const std::string path = ComposePath(private_dir_, rec);
    if (auto st = WriteFileAtomic(path, *yaml, 0600); !st) return st.error();
    return path;
  }

  // Compose reconciles containers itself (`up` recreates what is missing).
  bool Present(const TopologyRecord&, const std::string&) override { return true; }

  Status Apply(const TopologyRecord& rec, const Plan& plan, const DeployOptions&) override {
    std::vector<std::string> base = docker_.compose;
    base.insert(base.end(), {"-p", rec.Scope(), "-f", ComposePath(private_dir_, rec)});
    // 1: create what is new and drop what was removed, leaving running containers alone.
    std::vector<std::string> up = base;
    up.insert(up.end(), {"up", "-d", "--remove-orphans", "--no-recreate"});
    int rc = Run(up);
    // 2: recreate exactly the deckies whose configuration changed.
    if (rc == 0 && !plan.recreate.empty()) {
      std::vector<std::string> re = base;
      re.insert(re.end(), {"up", "-d", "--no-deps", "--force-recreate"});
      for (const std::string& s : ComposeServicesOf(rec.topology, plan.recreate)) re.push_back(s);
      rc = Run(re);
    }
    if (rc != 0) return MakeError(Errc::kIo, "docker compose failed with status " + std::to_string(rc));
    return Ok();
  }

  Status Teardown(const TopologyRecord& rec) override {
    std::vector<std::string> down = docker_.compose;
    down.insert(down.end(), {"-p", rec.Scope(), "-f", ComposePath(private_dir_, rec), "down",
                             "--remove-orphans", "--volumes"});
    const int rc = Run(down);
    if (rc != 0)
      return MakeError(Errc::kIo, "docker compose down failed with status " + std::to_string(rc));
    return Ok();
  }

 private:
  std::string state_dir_, private_dir_;
  DockerInfo docker_;
};

}  // namespace

std::unique_ptr<Runtime> MakeDockerRuntime(const std::string& state_dir,
                                           const std::string& private_dir) {
  return std::make_unique<DockerRuntime>(state_dir, private_dir);
}

}  // namespace decnet::deploy
