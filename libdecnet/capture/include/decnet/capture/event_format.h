// How a fingerprint event leaves the sniffer: one JSON object for `--read --json`, the DECNET RFC 5424
// line (APP sniffer, HOST decky, MSGID event type, [relay@55555 ...]) for <ingest>.log, and the
// collector's JSON record for <ingest>.json (the shape the Python collector's parse_rfc5424 produced, so
// the ingester reads sniffer and collector records alike).
#pragma once

#include <string>
#include <string_view>

#include "decnet/capture/analyzer.h"

namespace decnet::capture {

// {"ts":1533675122.268646,"event_type":"tls_client_hello","src_ip":...,...} with every field a string.
std::string EventToJson(const Event& e);

// `ts` is epoch seconds (the event time); severity 6 (info), facility local0.
std::string FormatRfc5424(const Event& e, std::string_view decky, double ts);

// {"timestamp":"2026-11-24 14:44:13","decky":...,"service":"sniffer","event_type":...,
//  "attacker_ip":...,"fields":{...},"msg":"","raw_line":...}
std::string CollectorRecord(const Event& e, std::string_view decky, double ts,
                            std::string_view raw_line);

// SD-PARAM value escaping (RFC 5424 §6.3.3): backslash, double quote and ']'.
void AppendSdEscaped(std::string& out, std::string_view v);

}  // namespace decnet::capture
