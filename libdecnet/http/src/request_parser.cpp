#include "decnet/http/request_parser.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdio>

#include "decnet/core/json.h"
#include "decnet/http/url.h"

namespace decnet::http {

// ---- Request / Response helpers -------------------------------------------------------------------

std::string_view Request::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

std::optional<std::string> Request::Query(std::string_view name) const {
  return QueryParam(query, name);
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Error(int status, std::string_view message) {
  json::JsonWriter w;
  w.Str("error", message);
  return Json(status, w.Finish());
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

const char* StatusReason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 421: return "Misdirected Request";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

// ---- parser ---------------------------------------------------------------------------------------

struct ParserCallbacks {
  static RequestParser* Self(http_parser* p) { return static_cast<RequestParser*>(p->data); }

  static int OnMessageBegin(http_parser* p) {
    Self(p)->started_ = true;
    return 0;
  }
  static int OnUrl(http_parser* p, const char* at, size_t len) {
    RequestParser* self = Self(p);
    self->started_ = true;
    if (self->req_.target.size() + len > self->limits_.max_url_bytes) {
      return self->Fail(414, "request target too long");
    }
    self->req_.target.append(at, len);
    return CountHeaderBytes(self, len);
  }
  static int CountHeaderBytes(RequestParser* self, size_t len) {
    self->header_bytes_ += len;
    if (self->header_bytes_ > self->limits_.max_header_bytes) {
      return self->Fail(431, "request headers too large");
    }
    return 0;
  }
  static int FinishHeader(RequestParser* self) {
    if (self->req_.headers.size() >= self->limits_.max_headers) {
      return self->Fail(431, "too many request headers");
    }
    if (!self->limits_.keep_header_case) {
      for (char& c : self->field_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    self->req_.headers.emplace_back(std::move(self->field_), std::move(self->value_));
    self->field_.clear();
    self->value_.clear();
    self->in_value_ = false;
    return 0;
  }
  static int OnHeaderField(http_parser* p, const char* at, size_t len) {
    RequestParser* self = Self(p);
    if (self->in_value_ && FinishHeader(self) != 0) return -1;
    if (CountHeaderBytes(self, len) != 0) return -1;
    self->field_.append(at, len);
    return 0;
  }
  static int OnHeaderValue(http_parser* p, const char* at, size_t len) {
    RequestParser* self = Self(p);
    self->in_value_ = true;
    if (CountHeaderBytes(self, len) != 0) return -1;
    self->value_.append(at, len);
    return 0;
  }
  static int OnHeadersComplete(http_parser* p) {
    RequestParser* self = Self(p);
    if ((self->in_value_ || !self->field_.empty()) && FinishHeader(self) != 0) return -1;
    if (p->upgrade && !self->limits_.ignore_upgrade) {
      return self->Fail(501, "protocol upgrade not supported");
    }
    if (p->content_length != ULLONG_MAX && p->content_length > self->limits_.max_body_bytes) {
      return self->Fail(413, "request body too large");
    }
    Request& r = self->req_;
    r.method = http_method_str(static_cast<http_method>(p->method));
    r.keep_alive = http_should_keep_alive(p) != 0;
    r.http_major = p->http_major;
    r.http_minor = p->http_minor;
    std::string_view target = r.target;
    size_t q = target.find('?');
    std::string_view raw_path = target.substr(0, q);
    if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
    size_t hash = r.query.find('#');
    if (hash != std::string::npos) r.query.resize(hash);
    if (raw_path.empty() || raw_path[0] != '/') return self->Fail(400, "request target must be a path");
    auto decoded = PercentDecode(raw_path, false);
    if (!decoded) return self->Fail(400, "bad percent-encoding in path");
    r.path = std::move(*decoded);
    return 0;
  }
  static int OnBody(http_parser* p, const char* at, size_t len) {
    RequestParser* self = Self(p);
    if (self->req_.body_bytes + len > self->limits_.max_body_bytes) {
      return self->Fail(413, "request body too large");
    }
    self->req_.body_bytes += len;
    const size_t room = self->limits_.max_body_kept_bytes - std::min(self->req_.body.size(),
                                                                       self->limits_.max_body_kept_bytes);
    self->req_.body.append(at, std::min(len, room));
    return 0;
  }
  static int OnMessageComplete(http_parser* p) {
    RequestParser* self = Self(p);
    self->state_ = RequestParser::State::kComplete;
    http_parser_pause(p, 1);  // one request at a time: the caller answers before the next is parsed
    return 0;
  }

  static const http_parser_settings& Settings() {
    static const http_parser_settings s = [] {
      http_parser_settings v;
      http_parser_settings_init(&v);
      v.on_message_begin = OnMessageBegin;
      v.on_url = OnUrl;
      v.on_header_field = OnHeaderField;
      v.on_header_value = OnHeaderValue;
      v.on_headers_complete = OnHeadersComplete;
      v.on_body = OnBody;
      v.on_message_complete = OnMessageComplete;
      return v;
    }();
    return s;
  }
};

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) { Reset(); }

void RequestParser::Reset() {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
  state_ = State::kNeedMore;
  req_ = Request();
  field_.clear();
  value_.clear();
  in_value_ = false;
  started_ = false;
  header_bytes_ = 0;
  error_status_ = 0;
  error_message_.clear();
}

// Returns -1: from on_headers_complete, 1 and 2 mean "skip body"/"upgrade", so only a negative value is
// an error in every callback.
int RequestParser::Fail(int status, std::string message) {
  if (error_status_ == 0) {
    error_status_ = status;
    error_message_ = std::move(message);
  }
  return -1;
}

size_t RequestParser::Feed(const char* data, size_t len) {
  if (state_ != State::kNeedMore) return 0;
  if (len == 0) return 0;
  size_t n = http_parser_execute(&parser_, &ParserCallbacks::Settings(), data, len);
  http_errno err = HTTP_PARSER_ERRNO(&parser_);
  if (state_ == State::kComplete) {
    if (err == HPE_PAUSED) http_parser_pause(&parser_, 0);
    return n;
  }
  if (err != HPE_OK) {
    state_ = State::kError;
    if (error_status_ == 0) {
      error_status_ = err == HPE_HEADER_OVERFLOW ? 431 : 400;
      error_message_ = http_errno_description(err);
    }
  }
  return n;
}

}  // namespace decnet::http
