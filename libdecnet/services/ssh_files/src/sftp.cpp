#include "decnet/services/ssh_files/sftp.h"

#include "decnet/decoy/service.h"
#include "decnet/services/ssh_files/tree.h"

namespace decnet::services::ssh_files {

struct SftpServer::Impl {
  bool closed = false;
};

SftpServer::SftpServer(decoy::Connection&, ChannelIo, TransferContext) : impl_(new Impl) {}
SftpServer::~SftpServer() = default;
void SftpServer::Feed(std::string_view) {}
void SftpServer::Eof() {}
bool SftpServer::closed() const { return impl_->closed; }

}  // namespace decnet::services::ssh_files
