#include "decnet/decoy/artifacts.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "decnet/core/runtime.h"

namespace decnet::decoy {
namespace {

std::string Hex(const unsigned char* p, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[p[i] >> 4];
    out[2 * i + 1] = kHex[p[i] & 15];
  }
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return Hex(digest, sizeof digest);
}

struct ArtifactStore::Upload::Impl {
  ArtifactStore* store = nullptr;
  crypto_hash_sha256_state sha;
  int fd = -1;
  std::string tmp_path;
  uint64_t size = 0, stored = 0;
  bool finished = false;
};

ArtifactStore::ArtifactStore(std::string dir, const Limits& limits, Counters& counters)
    : dir_(std::move(dir)), limits_(limits), counters_(counters) {}

ArtifactStore::~ArtifactStore() {
  if (dir_fd_ >= 0) close(dir_fd_);
}

Status ArtifactStore::Open(uint32_t trusted_uid) {
  if (dir_.empty() || dir_fd_ >= 0) return Ok();
  if (Status s = MakeDirs(dir_, trusted_uid); !s) return s;
  dir_fd_ = open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_fd_ < 0) return MakeError(Errc::kIo, "open " + dir_ + ": " + std::strerror(errno));
  return Ok();
}

std::unique_ptr<ArtifactStore::Upload> ArtifactStore::Begin() {
  auto impl = std::make_unique<Upload::Impl>();
  impl->store = this;
  crypto_hash_sha256_init(&impl->sha);
  if (stored_bytes_ < limits_.max_artifacts_total && (dir_fd_ >= 0 || Open())) {
    impl->tmp_path = ".incoming." + std::to_string(getpid()) + "." + std::to_string(++seq_);
    impl->fd = openat(dir_fd_, impl->tmp_path.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (impl->fd < 0) impl->tmp_path.clear();
  }
  return std::unique_ptr<Upload>(new Upload(std::move(impl)));
}

ArtifactStore::Upload::Upload(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ArtifactStore::Upload::~Upload() {
  if (impl_->fd >= 0) close(impl_->fd);
  if (!impl_->finished && !impl_->tmp_path.empty())
    unlinkat(impl_->store->dir_fd_, impl_->tmp_path.c_str(), 0);
}

void ArtifactStore::Upload::Append(std::string_view bytes) {
  Impl& u = *impl_;
  crypto_hash_sha256_update(&u.sha, reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size());
  u.size += bytes.size();
  ArtifactStore& s = *u.store;
  size_t keep = 0;
  if (u.fd >= 0) {
    const uint64_t room_file =
        u.stored < s.limits_.max_artifact_bytes ? s.limits_.max_artifact_bytes - u.stored : 0;
    const uint64_t room_total = s.stored_bytes_ < s.limits_.max_artifacts_total
                                    ? s.limits_.max_artifacts_total - s.stored_bytes_
                                    : 0;
    keep = static_cast<size_t>(std::min<uint64_t>({bytes.size(), room_file, room_total}));
    size_t done = 0;
    while (done < keep) {
      ssize_t n = write(u.fd, bytes.data() + done, keep - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // disk full: the hash still covers every byte
      done += static_cast<size_t>(n);
    }
    keep = done;
    u.stored += keep;
    s.stored_bytes_ += keep;
  }
  s.counters_.artifact_bytes_dropped += bytes.size() - keep;
}

Result<ArtifactStore::Upload::Done> ArtifactStore::Upload::Finish() {
  Impl& u = *impl_;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&u.sha, digest);
  Done d;
  d.sha256 = Hex(digest, sizeof digest);
  d.size = u.size;
  d.stored = u.stored;
  u.finished = true;
  ++u.store->counters_.artifacts;
  u.store->counters_.artifact_bytes += u.size;
  if (u.fd < 0) return d;
  close(u.fd);
  u.fd = -1;
  const int dfd = u.store->dir_fd_;
  if (u.stored == 0) {
    unlinkat(dfd, u.tmp_path.c_str(), 0);
    return d;
  }
  // A cut file is named apart from a whole one: its bytes do not hash to the recorded sha256.
  const std::string name = d.sha256 + (u.stored < u.size ? ".partial" : "");
  d.path = u.store->dir_ + "/" + name;
  if (renameat(dfd, u.tmp_path.c_str(), dfd, name.c_str()) != 0) {
    const int err = errno;
    unlinkat(dfd, u.tmp_path.c_str(), 0);
    d.path.clear();
    return MakeError(Errc::kIo, "store artifact: " + std::string(std::strerror(err)));
  }
  return d;
}

}  // namespace decnet::decoy
