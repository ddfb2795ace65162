// HTTP/1.1 as the persona's web server answers it: nginx or Apache (a version plausible for the
// persona's distro, `http.server`), with the product's default page, Server header, header order,
// error pages (byte for byte what nginx 1.22 / Apache 2.4 send, Apache's <address> footer naming host
// and port), keep-alive rules and pipelining. Every request is logged (event `request`); Basic,
// Bearer and Digest Authorization headers and urlencoded login forms are logged as credentials (event
// `login`, the universal shape). JA4H only when the `http.foxio_licensed` setting is true (FoxIO
// License 1.1).
//
// Parsing is Debian's http_parser through decnet::http::RequestParser (its bounds and error statuses),
// with two things it cannot do handled here: methods it does not know (nginx answers 405, Apache 501)
// are fed to it as GET and remembered, and an HTTP/0.9 request line is answered with a bare body.
#pragma once

#include <memory>
#include <string_view>

#include "decnet/decoy/service.h"

namespace decnet::services::web {

std::unique_ptr<decoy::Service> MakeHttp(decoy::Host& host);

// The Server header value the persona picks (or the topology's setting): exposed for tests.
std::string ChooseServer(const decoy::Persona& persona);

}  // namespace decnet::services::web
