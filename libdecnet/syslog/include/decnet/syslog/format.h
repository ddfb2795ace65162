// RFC 5424 formatting: timestamps, SD-PARAM escaping, whole lines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "decnet/syslog/message.h"

namespace decnet::syslog {

// "2026-05-02T06:22:48.089309+00:00" (what the Python original's isoformat() emits for UTC).
void AppendRfc3339(std::string* out, int64_t time_us);
// "2026-05-02 06:22:48": the timestamp shape of the DECNET JSON record, in UTC.
void AppendUtcSeconds(std::string* out, int64_t time_us);
// SD-PARAM-VALUE escaping of RFC 5424 §6.3.3: `\` `"` and `]` get a backslash.
void AppendSdEscaped(std::string* out, std::string_view value);

// Emits `m` back as an RFC 5424 line (no trailing newline). NIL fields stay "-"; a missing
// timestamp becomes "-"; the BOM is re-emitted when the message had one.
void AppendMessage(std::string* out, const Message& m);

// The DECNET dialect line (DESIGN.md §5): <PRI>1 TS HOST APP - MSGID [relay@55555 k="v" ...] msg
// with PRI = 16*8 + severity (local0), HOST/APP/MSGID truncated to 255/48/32 and "-" when empty,
// "-" for the SD when there are no params, " msg" appended only when msg is not empty.
using ParamList = std::vector<std::pair<std::string_view, std::string_view>>;
std::string FormatDecnetLine(int severity, int64_t time_us, std::string_view decky,
                             std::string_view service, std::string_view event_type,
                             const ParamList& params, std::string_view msg);

}  // namespace decnet::syslog
