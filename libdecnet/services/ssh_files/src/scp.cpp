#include "decnet/services/ssh_files/scp.h"

#include "decnet/decoy/service.h"
#include "decnet/services/ssh_files/tree.h"

namespace decnet::services::ssh_files {

bool ParseScpSinkCommand(std::string_view, std::vector<std::string>*) { return false; }

struct ScpSink::Impl {
  bool closed = false;
};

ScpSink::ScpSink(decoy::Connection&, ChannelIo, TransferContext, std::vector<std::string>)
    : impl_(new Impl) {}
ScpSink::~ScpSink() = default;
void ScpSink::Feed(std::string_view) {}
void ScpSink::Eof() {}
bool ScpSink::closed() const { return impl_->closed; }

}  // namespace decnet::services::ssh_files
