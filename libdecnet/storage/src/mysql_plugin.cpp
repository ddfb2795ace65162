// decnet-storage-mysql.so: the MySQL/MariaDB backend, loaded by storage::Open() with dlopen.
//
// The pool is bounded (db_pool_size, default 2). Workers are single-threaded, so one connection is in use
// at a time; the bound is what a worker may hold open (the Python original defaulted to 20 per process).
// A connection that fails with a connection error is closed and replaced on the next call: that is the
// reconnect. A transaction pins its connection; if that connection dies the transaction is lost and the
// caller (e.g. the ingester) retries the whole batch, which is why offsets live in the same transaction.
#include <memory>
#include <vector>

#include "mysql_conn.h"
#include "decnet/storage/mysql_plugin.h"

namespace decnet::storage {
namespace {

class MysqlPool final : public ConnSource {
 public:
  MysqlPool(MysqlParams p, size_t max) : params_(std::move(p)), max_(max ? max : 1) {}

  Result<SqlConn*> Get() override {
    if (pinned_) return static_cast<SqlConn*>(pinned_);
    if (!conns_.empty()) return static_cast<SqlConn*>(conns_[next_++ % conns_.size()].get());
    return Grow();
  }
  void Failed(SqlConn* c, const Error& e) override {
    if (e.code != Errc::kUnavailable) return;
    auto* mc = static_cast<MysqlConn*>(c);
    unsigned err = mysql_errno(mc->handle());
    if (!IsConnectionError(err) && mysql_ping(mc->handle()) == 0) return;  // lock timeout: keep it
    if (pinned_ == mc) pinned_ = nullptr;
    for (auto it = conns_.begin(); it != conns_.end(); ++it) {
      if (it->get() == mc) {
        conns_.erase(it);
        break;
      }
    }
  }
  void TxBegun(bool in_tx) override {
    if (!in_tx) {
      pinned_ = nullptr;
      return;
    }
    auto c = Get();
    pinned_ = c ? static_cast<MysqlConn*>(*c) : nullptr;
  }

  Result<SqlConn*> Grow() {
    if (conns_.size() >= max_) return static_cast<SqlConn*>(conns_.front().get());
    auto c = MysqlConn::Connect(params_);
    if (!c) return c.error();
    conns_.push_back(std::move(*c));
    return static_cast<SqlConn*>(conns_.back().get());
  }

 private:
  MysqlParams params_;
  size_t max_;
  std::vector<std::unique_ptr<MysqlConn>> conns_;
  MysqlConn* pinned_ = nullptr;
  size_t next_ = 0;
};

Result<std::unique_ptr<Repository>> OpenMysql(const DbConfig& cfg) {
  auto params = ResolveMysqlParams(cfg);
  if (!params) return params.error();
  auto first = MysqlConn::Connect(*params);
  if (!first) return first.error();
  // Several workers may start at once: one migrates, the others wait for it.
  if (Status s = (*first)->Exec("DO GET_LOCK('decnet_schema_migration', 60)"); !s) return s.error();
  Status m = Migrate(**first, cfg.migrate_to);
  (void)(*first)->Exec("DO RELEASE_LOCK('decnet_schema_migration')");
  if (!m) return m.error();
  auto pool = std::make_unique<MysqlPool>(*params, static_cast<size_t>(cfg.pool_size));
  return MakeSqlRepository(std::move(pool), "mysql");
}

}  // namespace
}  // namespace decnet::storage

extern "C" __attribute__((visibility("default"))) int decnet_storage_mysql_open(
    const decnet::storage::DbConfig* cfg, std::unique_ptr<decnet::storage::Repository>* out,
    decnet::Error* err) {
  if (cfg && out) {
    auto r = decnet::storage::OpenMysql(*cfg);
    if (r) *out = std::move(*r);
    else if (err) *err = r.error();
  }
  return decnet::storage::kMysqlPluginAbi;
}
