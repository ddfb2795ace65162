#include "decnet/docker/image.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "decnet/core/runtime.h"

extern char** environ;

namespace decnet::docker {
namespace {

bool ReadWholeFile(const std::string& path, std::string* out) {
  FILE* f = std::fopen(path.c_str(), "rbe");
  if (f == nullptr) return false;
  out->clear();
  char buf[64 * 1024];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out->append(buf, n);
  const bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// "path (0x...)" -> "path".
std::string_view DropAddress(std::string_view s) {
  const size_t paren = s.rfind(" (0x");
  return Trim(paren == std::string_view::npos ? s : s.substr(0, paren));
}

void PutOctal(char* field, size_t width, uint64_t v) {
  // width-1 digits, NUL-terminated, zero-padded (what GNU tar writes).
  field[width - 1] = '\0';
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (v & 7));
    v >>= 3;
  }
}

uint64_t Fnv1a64(std::string_view data) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string DirName(const std::string& p) {
  const size_t slash = p.rfind('/');
  return slash == std::string::npos ? std::string() : p.substr(0, slash);
}

}  // namespace

Result<std::vector<ImageFile>> ParseLdd(std::string_view text) {
  std::vector<ImageFile> out;
  std::set<std::string> seen;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    if (line.find("not a dynamic executable") != std::string_view::npos ||
        line == "statically linked") {
      return std::vector<ImageFile>{};
    }
    std::string path;
    const size_t arrow = line.find(" => ");
    if (arrow != std::string_view::npos) {
      std::string_view target = DropAddress(line.substr(arrow + 4));
      if (target == "not found" || target.empty()) {
        return MakeError(Errc::kNotFound,
                         "shared library " + std::string(line.substr(0, arrow)) + " not found");
      }
      path.assign(target);
    } else {
      path.assign(DropAddress(line));  // the loader itself, or the vDSO (no path)
    }
    if (path.empty() || path[0] != '/') continue;
    if (seen.insert(path).second) out.push_back(ImageFile{path, path});
  }
  return out;
}

int RunCapture(const std::vector<std::string>& argv, std::string* out, size_t max_out,
               bool quiet_stderr) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return 127;
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  if (quiet_stderr) posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return 127;
  }
  if (out != nullptr) out->clear();
  char buf[16 * 1024];
  while (true) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (out != nullptr && out->size() < max_out) {
      out->append(buf, std::min(static_cast<size_t>(n), max_out - out->size()));
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

Result<std::vector<ImageFile>> LibraryClosure(const std::string& exe) {
  std::string out;
  const int rc = RunCapture({"ldd", exe}, &out);
  if (rc == 127) return MakeError(Errc::kNotFound, "cannot run ldd (libc-bin)");
  auto libs = ParseLdd(out);
  if (!libs) return libs;
  if (rc != 0 && !libs->empty()) {
    return MakeError(Errc::kIo, "ldd " + exe + " failed with status " + std::to_string(rc));
  }
  return libs;
}

Result<std::string> WriteTar(const std::vector<TarEntry>& entries) {
  std::string tar;
  for (const TarEntry& e : entries) {
    std::string name = e.path + (e.is_dir ? "/" : "");
    std::string prefix;
    if (name.size() > 100) {
      // ustar: split at a '/' so that prefix <= 155 and name <= 100.
      size_t cut = name.rfind('/', name.size() - 2);
      while (cut != std::string::npos && (cut > 155 || name.size() - cut - 1 > 100)) {
        cut = cut == 0 ? std::string::npos : name.rfind('/', cut - 1);
      }
      if (cut == std::string::npos || cut > 155 || name.size() - cut - 1 > 100) {
        return MakeError(Errc::kInvalidArgument, "path too long for ustar: " + e.path);
      }
      prefix = name.substr(0, cut);
      name = name.substr(cut + 1);
    }
    char h[512];
    std::memset(h, 0, sizeof h);
    std::memcpy(h, name.data(), name.size());
    PutOctal(h + 100, 8, e.mode & 07777);
    PutOctal(h + 108, 8, e.uid);
    PutOctal(h + 116, 8, e.gid);
    PutOctal(h + 124, 12, e.is_dir ? 0 : e.content.size());
    PutOctal(h + 136, 12, 0);  // mtime: fixed, so equal inputs give equal bytes
    h[156] = e.is_dir ? '5' : '0';
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memcpy(h + 345, prefix.data(), prefix.size());
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h + 148, 8, "%06o", sum);  // six digits, NUL, and the space already there
    h[155] = ' ';
    tar.append(h, sizeof h);
    if (!e.is_dir) {
      tar.append(e.content);
      tar.append((512 - e.content.size() % 512) % 512, '\0');
    }
  }
  tar.append(1024, '\0');  // two zero blocks end the archive
  return tar;
}

Result<std::vector<TarEntry>> DeckyRootfs(const std::string& executable,
                                          std::vector<ImageFile>* files,
                                          const std::string& stripped) {
  auto libs = LibraryClosure(executable);
  if (!libs) return libs.error();
  std::vector<ImageFile> all;
  all.push_back(ImageFile{executable, kDeckyImageExe});
  // A RelWithDebInfo build is mostly DWARF (46 MB of a 3 MB program): the image gets a stripped
  // copy when binutils' strip can make one; debugging stays with the build tree's file.
  if (!stripped.empty() &&
      RunCapture({"strip", "--strip-debug", "-o", stripped, executable}, nullptr, 0, true) == 0) {
    all.front().host_path = stripped;
  }
  for (ImageFile& f : *libs) all.push_back(std::move(f));

  // Directories first (sorted, parents before children), then the files in sorted order.
  std::set<std::string> dirs = {"etc", "tmp", "var", "var/lib", "var/lib/decnet"};
  std::set<std::pair<std::string, const ImageFile*>> sorted;
  for (const ImageFile& f : all) {
    sorted.insert({f.image_path.substr(1), &f});
    for (std::string d = DirName(f.image_path.substr(1)); !d.empty(); d = DirName(d))
      dirs.insert(d);
  }
  std::vector<TarEntry> entries;
  for (const std::string& d : dirs) {
    TarEntry e;
    e.path = d;
    e.is_dir = true;
    e.mode = d == "tmp" ? 01777 : 0755;
    entries.push_back(std::move(e));
  }
  // The user the decky drops to (run_as = nobody), and the files backend for getpwnam (built into
  // glibc since 2.34, so no libnss_*.so is needed).
  entries.push_back(TarEntry{"etc/group", false, 0644, 0, 0, "root:x:0:\nnogroup:x:65534:\n"});
  entries.push_back(TarEntry{"etc/nsswitch.conf", false, 0644, 0, 0,
                             "passwd: files\ngroup: files\nshadow: files\nhosts: files\n"});
  entries.push_back(TarEntry{"etc/passwd", false, 0644, 0, 0,
                             "root:x:0:0:root:/:/nonexistent\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/nonexistent\n"});
  for (const auto& [path, f] : sorted) {
    TarEntry e;
    e.path = path;
    e.mode = 0755;
    if (!ReadWholeFile(f->host_path, &e.content)) {
      return MakeError(Errc::kIo, "cannot read " + f->host_path + ": " + std::strerror(errno));
    }
    entries.push_back(std::move(e));
  }
  if (files != nullptr) *files = std::move(all);
  return entries;
}

Result<BuiltImage> BuildDeckyImage(const DeckyImageOptions& o) {
  if (o.version.empty()) return MakeError(Errc::kInvalidArgument, "no image version");
  BuiltImage img;
  img.reference = o.repository + ":" + o.version;
  if (Status st = MakeDirs(o.work_dir); !st) return st.error();
  auto entries = DeckyRootfs(o.executable, &img.files, o.work_dir + "/decnet-decky.stripped");
  if (!entries) return entries.error();
  auto tar = WriteTar(*entries);
  if (!tar) return tar.error();
  img.tar_bytes = tar->size();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(Fnv1a64(*tar)));
  img.content_hash = hex;

  std::string have;
  // Absent the first time: its "no such image" is expected, so stderr is dropped.
  const int inspect_rc =
      RunCapture({o.docker, "image", "inspect", "--format",
                  "{{.Id}} {{index .Config.Labels \"decnet.content\"}}", img.reference},
                 &have, 4096, /*quiet_stderr=*/true);
  std::string_view old_id = Trim(have), old_hash;
  if (const size_t sp = old_id.find(' '); sp != std::string_view::npos) {
    old_hash = Trim(old_id.substr(sp + 1));
    old_id = old_id.substr(0, sp);
  }
  img.reused = !o.force && inspect_rc == 0 && old_hash == img.content_hash;
  std::string replaced;  // the image id this build takes the tags from
  if (!img.reused) {
    const std::string tar_path = o.work_dir + "/decky-rootfs.tar";
    const std::string tmp = tar_path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "wbe");
    if (f == nullptr)
      return MakeError(Errc::kIo, "cannot write " + tmp + ": " + std::strerror(errno));
    const bool ok = std::fwrite(tar->data(), 1, tar->size(), f) == tar->size();
    if (std::fclose(f) != 0 || !ok || std::rename(tmp.c_str(), tar_path.c_str()) != 0) {
      return MakeError(Errc::kIo, "cannot write " + tar_path);
    }
    std::vector<std::string> argv = {
        o.docker,   "import",
        "--change", std::string("ENTRYPOINT [\"") + kDeckyImageExe + "\"]",
        "--change", "CMD [\"--log-target\", \"stdout\"]",
        "--change", std::string("ENV DECNET_STATE_DIR=") + kDeckyImageStateDir,
        "--change", "WORKDIR /",
        "--change", "LABEL decnet.content=" + img.content_hash,
        "--change", "LABEL decnet.version=" + o.version,
        "--change", "LABEL decnet.role=decky-image",
        tar_path,   img.reference};
    std::string id;
    if (int rc = RunCapture(argv, &id); rc != 0) {
      return MakeError(Errc::kIo, "docker import failed with status " + std::to_string(rc));
    }
    if (inspect_rc == 0 && !old_id.empty() && Trim(id) != old_id) replaced.assign(old_id);
  }
  if (o.version != "latest") {
    if (int rc = RunCapture({o.docker, "tag", img.reference, o.repository + ":latest"}, nullptr);
        rc != 0) {
      return MakeError(Errc::kIo, "docker tag failed with status " + std::to_string(rc));
    }
  }
  // The image this build replaced would stay behind untagged; a container still using it keeps it
  // (rmi refuses), which is what we want.
  if (!replaced.empty()) RunCapture({o.docker, "rmi", replaced}, nullptr, 0, true);
  std::string size;
  if (RunCapture({o.docker, "image", "inspect", "--format", "{{.Size}}", img.reference}, &size) ==
      0) {
    img.image_bytes = std::strtoull(std::string(Trim(size)).c_str(), nullptr, 10);
  }
  return img;
}

}  // namespace decnet::docker
