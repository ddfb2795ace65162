#include "decnet/services/ssh_files/common.h"

#include <string>

namespace decnet::services::ssh_files {

void AppendHealth(const TransferCounters& c, std::string* out) {
  auto add = [out](const char* key, uint64_t v) {
    *out += ",\"ssh_files_";
    *out += key;
    *out += "\":";
    *out += std::to_string(v);
  };
  add("sftp_sessions", c.sftp_sessions);
  add("scp_sessions", c.scp_sessions);
  add("uploads", c.uploads);
  add("upload_bytes", c.upload_bytes);
  add("packets_too_long", c.packets_too_long);
  add("input_overflow", c.input_overflow);
  add("malformed", c.malformed);
  add("handles_refused", c.handles_refused);
  add("writes_out_of_order", c.writes_out_of_order);
  add("uploads_over_limit", c.uploads_over_limit);
  add("nodes_refused", c.nodes_refused);
  add("scp_lines_too_long", c.scp_lines_too_long);
  add("scp_files_refused", c.scp_files_refused);
  add("unsupported", c.unsupported);
  add("uploads_discarded", c.uploads_discarded);
}

}  // namespace decnet::services::ssh_files
