// HttpProber: libcurl easy handles on one multi handle, socket-action driven, bodies discarded.
#include "probes/http_prober.h"

#include <curl/curl.h>
#include <sys/epoll.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "probes/address.h"

namespace tmdns::probes {

struct HttpProber::Transfer {
  AttemptId id = 0;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* connectTo = nullptr;
  TimePoint start;
  std::vector<std::pair<int, int>> expected;
  long lastCode = 0;   // code of the latest status line seen (1xx included)
  long finalCode = 0;  // code of the final response, once its header block ended
  bool headersDone = false;
  size_t bodyBytes = 0;
  char error[CURL_ERROR_SIZE] = {};
};

// libcurl's C callbacks; a nested struct so that they may reach the prober's private state.
struct HttpProber::Callbacks {
  static int socket(CURL* /*easy*/, curl_socket_t fd, int what, void* user, void* /*socketp*/) {
    auto* self = static_cast<HttpProber*>(user);
    if (what == CURL_POLL_REMOVE) {
      self->loop_.unwatch(fd);
      return 0;
    }
    uint32_t events = 0;
    if ((what & CURL_POLL_IN) != 0) {
      events |= EPOLLIN;
    }
    if ((what & CURL_POLL_OUT) != 0) {
      events |= EPOLLOUT;
    }
    self->loop_.watch(fd, events, makeTag(TagKind::kCurl, static_cast<uint64_t>(fd)));
    return 0;
  }

  static int timer(CURLM* /*multi*/, long timeoutMs, void* user) {
    auto* self = static_cast<HttpProber*>(user);
    if (timeoutMs < 0) {
      self->timer_.reset();
    } else {
      self->timer_ = Clock::now() + std::chrono::milliseconds(timeoutMs);
    }
    return 0;
  }

  // Tracks status lines and the blank line ending each header block, so that the final status
  // is known as soon as the headers are in, whatever happens to the body afterwards.
  static size_t header(char* data, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const size_t length = size * count;
    if (length >= 12 && std::memcmp(data, "HTTP/", 5) == 0) {
      const char* space = static_cast<const char*>(std::memchr(data, ' ', length));
      if (space != nullptr && space + 4 <= data + length) {
        long code = 0;
        for (int i = 1; i <= 3; ++i) {
          const char c = space[i];
          code = (c >= '0' && c <= '9') ? code * 10 + (c - '0') : -1000;
        }
        transfer->lastCode = code > 0 ? code : 0;
      }
    } else if ((length == 2 && data[0] == '\r' && data[1] == '\n') ||
               (length == 1 && data[0] == '\n')) {
      // 1xx responses (RFC 9110 §15.2) precede the real one; only a final code counts.
      if (transfer->lastCode >= 200) {
        transfer->headersDone = true;
        transfer->finalCode = transfer->lastCode;
      }
    }
    return length;
  }

  // Discards the body; returning less than given aborts the transfer (CURLE_WRITE_ERROR), which
  // the result ignores because the status is already known.
  static size_t write(char* /*data*/, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const size_t length = size * count;
    transfer->bodyBytes += length;
    return transfer->bodyBytes > kMaxBodyBytes ? 0 : length;
  }
};

namespace {

std::once_flag curlGlobalInit;
CURLcode curlGlobalInitResult = CURLE_OK;

template <typename T>
void setOption(CURL* easy, CURLoption option, T value, CURLcode& rc) {
  if (rc == CURLE_OK) {
    rc = curl_easy_setopt(easy, option, value);
  }
}

// `statusSeen`: a status line arrived but its header block never completed. `detail`: curl's
// error buffer, appended to reasons that have no wording of our own.
AttemptResult classify(const CURLcode rc, long osErrno, bool statusSeen, const char* detail,
                       const std::string& sourceAddress) {
  AttemptResult r;
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      r.timedOut = true;
      break;
    case CURLE_COULDNT_CONNECT:
      r.reason = osErrno != 0 ? connectErrorReason(static_cast<int>(osErrno)) : "connect failed";
      break;
    case CURLE_SSL_CONNECT_ERROR:
      r.reason = "TLS handshake failed";
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
      r.reason = "TLS certificate verification failed";
      break;
    case CURLE_GOT_NOTHING:
      r.reason = "empty reply";
      break;
    case CURLE_RECV_ERROR:
      r.reason = osErrno == ECONNRESET ? "connection reset" : "receive failed";
      break;
    case CURLE_SEND_ERROR:
      r.reason = osErrno == ECONNRESET ? "connection reset" : "send failed";
      break;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
      r.reason = "invalid HTTP response";
      break;
    case CURLE_INTERFACE_FAILED:
      r.reason = "bind to " + sourceAddress + " failed";
      break;
    case CURLE_URL_MALFORMAT:
      r.reason = "invalid URL";
      break;
    case CURLE_OUT_OF_MEMORY:
      // curl 7.88 reports a header beyond its size limit (CURL_MAX_HTTP_HEADER) as OOM, with
      // no message; after a status line that is by far the likelier cause.
      r.reason = statusSeen ? "response headers too large" : "out of memory";
      break;
    default:
      r.reason = curl_easy_strerror(rc);
      if (detail[0] != '\0') {
        r.reason += std::string(": ") + detail;
      }
      break;
  }
  return r;
}

}  // namespace

bool statusAccepted(long code, const std::vector<std::pair<int, int>>& expected) {
  if (code == 200) {
    return true;
  }
  for (const auto& [min, max] : expected) {
    if (code >= min && code <= max) {
      return true;
    }
  }
  return false;
}

HttpProber::HttpProber(EventLoop& loop, std::string userAgent, std::string sourceAddress)
    : loop_(loop), userAgent_(std::move(userAgent)), sourceAddress_(std::move(sourceAddress)) {}

HttpProber::~HttpProber() {
  for (auto& [id, transfer] : transfers_) {
    release(*transfer);
  }
  transfers_.clear();
  if (multi_ != nullptr) {
    curl_multi_cleanup(static_cast<CURLM*>(multi_));
  }
}

bool HttpProber::init(std::string& error) {
  // curl_global_init is not thread-safe in every build; only probes/ uses curl, once.
  std::call_once(curlGlobalInit,
                 [] { curlGlobalInitResult = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (curlGlobalInitResult != CURLE_OK) {
    initError_ = std::string("curl_global_init: ") + curl_easy_strerror(curlGlobalInitResult);
    error = initError_;
    return false;
  }
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) {
    initError_ = "curl_multi_init failed";
    error = initError_;
    return false;
  }
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Callbacks::socket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Callbacks::timer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  multi_ = multi;
  return true;
}

void HttpProber::start(AttemptId id, const ProbeSpec& spec, const std::string& address,
                       std::chrono::milliseconds timeout, TimePoint now) {
  if (multi_ == nullptr) {
    completed_.push_back({id, {false, false, "HTTP client unavailable: " + initError_, 0}});
    return;
  }
  auto transfer = std::make_unique<Transfer>();
  transfer->id = id;
  transfer->start = now;
  transfer->expected = spec.expectedStatus;
  CURL* easy = curl_easy_init();
  if (easy == nullptr) {
    completed_.push_back({id, {false, false, "curl_easy_init failed", 0}});
    return;
  }
  transfer->easy = easy;

  const std::string port = std::to_string(spec.port);
  const std::string host = urlHost(spec.target);
  const std::string path =
      (!spec.path.empty() && spec.path[0] == '/') ? spec.path : "/" + spec.path;
  const std::string url = std::string(spec.protocol == Protocol::kHttps ? "https" : "http") +
                          "://" + host + ":" + port + path;
  if (!address.empty()) {
    // CONNECT_TO (not RESOLVE, which fills the multi handle's shared DNS cache): this transfer
    // alone connects to `address` while URL, Host and SNI keep naming the target.
    const std::string entry = host + ":" + port + ":" + urlHost(address) + ":" + port;
    transfer->connectTo = curl_slist_append(nullptr, entry.c_str());
  }
  for (const auto& [name, value] : spec.headers) {
    // "Name;" is curl's spelling for a header sent with an empty value ("Name:" would remove it).
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    transfer->headers = curl_slist_append(transfer->headers, line.c_str());
  }
  const long timeoutMs = timeout.count() < 1 ? 1L : static_cast<long>(timeout.count());

  CURLcode rc = CURLE_OK;
  setOption(easy, CURLOPT_URL, url.c_str(), rc);
  setOption(easy, CURLOPT_PRIVATE, static_cast<void*>(transfer.get()), rc);
  setOption(easy, CURLOPT_ERRORBUFFER, transfer->error, rc);
  setOption(easy, CURLOPT_PROTOCOLS_STR, "http,https", rc);
  setOption(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1), rc);
  setOption(easy, CURLOPT_HTTPGET, 1L, rc);
  setOption(easy, CURLOPT_PATH_AS_IS, 1L, rc);
  // §4.1: redirects are failures, not followed (curl's default, stated for the reader).
  setOption(easy, CURLOPT_FOLLOWLOCATION, 0L, rc);
  setOption(easy, CURLOPT_NOSIGNAL, 1L, rc);
  // Each probe is a fresh connection: a pooled one could lead to another address of the name,
  // and a real client's first connection is what the probe should measure.
  setOption(easy, CURLOPT_FRESH_CONNECT, 1L, rc);
  setOption(easy, CURLOPT_FORBID_REUSE, 1L, rc);
  setOption(easy, CURLOPT_TIMEOUT_MS, timeoutMs, rc);
  // The connect timeout covers the TLS handshake as well, so a stalled handshake ends here.
  setOption(easy, CURLOPT_CONNECTTIMEOUT_MS, timeoutMs, rc);
  setOption(easy, CURLOPT_USERAGENT, userAgent_.c_str(), rc);
  if (transfer->headers != nullptr) {
    setOption(easy, CURLOPT_HTTPHEADER, transfer->headers, rc);
  }
  if (transfer->connectTo != nullptr) {
    setOption(easy, CURLOPT_CONNECT_TO, transfer->connectTo, rc);
  }
  if (!sourceAddress_.empty()) {
    // "host!" makes curl bind to this address and never read it as an interface name.
    const std::string source = "host!" + sourceAddress_;
    setOption(easy, CURLOPT_INTERFACE, source.c_str(), rc);
  }
  if (spec.protocol == Protocol::kHttps) {
    // §4.1: Traffic Manager does not validate certificates; verifyTls opts in (issue 4).
    setOption(easy, CURLOPT_SSL_VERIFYPEER, spec.verifyTls ? 1L : 0L, rc);
    setOption(easy, CURLOPT_SSL_VERIFYHOST, spec.verifyTls ? 2L : 0L, rc);
    // Every probe performs a full handshake, as an independent prober would.
    setOption(easy, CURLOPT_SSL_SESSIONID_CACHE, 0L, rc);
  }
  setOption(easy, CURLOPT_HEADERFUNCTION, &Callbacks::header, rc);
  setOption(easy, CURLOPT_HEADERDATA, static_cast<void*>(transfer.get()), rc);
  setOption(easy, CURLOPT_WRITEFUNCTION, &Callbacks::write, rc);
  setOption(easy, CURLOPT_WRITEDATA, static_cast<void*>(transfer.get()), rc);
  if (rc != CURLE_OK) {
    const std::string reason = std::string("curl setup failed: ") + curl_easy_strerror(rc);
    curl_easy_cleanup(easy);
    curl_slist_free_all(transfer->headers);
    curl_slist_free_all(transfer->connectTo);
    completed_.push_back({id, {false, false, reason, 0}});
    return;
  }
  const CURLMcode mrc = curl_multi_add_handle(static_cast<CURLM*>(multi_), easy);
  if (mrc != CURLM_OK) {
    curl_easy_cleanup(easy);
    curl_slist_free_all(transfer->headers);
    curl_slist_free_all(transfer->connectTo);
    completed_.push_back(
        {id, {false, false, std::string("curl_multi_add_handle: ") + curl_multi_strerror(mrc), 0}});
    return;
  }
  transfers_.emplace(id, std::move(transfer));
}

void HttpProber::cancel(AttemptId id) {
  auto it = transfers_.find(id);
  if (it == transfers_.end()) {
    return;
  }
  release(*it->second);
  transfers_.erase(it);
}

void HttpProber::onSocket(int fd, uint32_t epollEvents, TimePoint now) {
  if (multi_ == nullptr) {
    return;
  }
  int mask = 0;
  // A hang-up is delivered as readable so that curl reads the end of stream and reports it.
  if ((epollEvents & (EPOLLIN | EPOLLHUP)) != 0) {
    mask |= CURL_CSELECT_IN;
  }
  if ((epollEvents & EPOLLOUT) != 0) {
    mask |= CURL_CSELECT_OUT;
  }
  if ((epollEvents & EPOLLERR) != 0) {
    mask |= CURL_CSELECT_ERR;
  }
  int running = 0;
  curl_multi_socket_action(static_cast<CURLM*>(multi_), fd, mask, &running);
  drain(now);
}

void HttpProber::onTimer(TimePoint now) {
  if (multi_ == nullptr || !timer_ || *timer_ > now) {
    return;
  }
  // Cleared first: curl usually sets a new timer from inside the call.
  timer_.reset();
  int running = 0;
  curl_multi_socket_action(static_cast<CURLM*>(multi_), CURL_SOCKET_TIMEOUT, 0, &running);
  drain(now);
}

std::vector<CompletedAttempt> HttpProber::takeCompleted() {
  std::vector<CompletedAttempt> out;
  out.swap(completed_);
  return out;
}

void HttpProber::drain(TimePoint now) {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(static_cast<CURLM*>(multi_), &left)) {
    if (msg->msg != CURLMSG_DONE) {
      continue;
    }
    CURL* easy = msg->easy_handle;
    const CURLcode rc = msg->data.result;  // read before the handle is removed
    void* privateData = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &privateData);
    auto* transfer = static_cast<Transfer*>(privateData);
    if (transfer == nullptr) {
      continue;
    }
    AttemptResult result;
    if (transfer->headersDone) {
      // The status decides (§4.1: body irrelevant), even if the body was then cut off at the
      // bound, trickled into the timeout or broke off.
      result.ok = statusAccepted(transfer->finalCode, transfer->expected);
      result.reason = "HTTP " + std::to_string(transfer->finalCode);
    } else {
      long osErrno = 0;
      curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &osErrno);
      result = classify(rc, osErrno, transfer->lastCode > 0, transfer->error, sourceAddress_);
    }
    result.latencySeconds = std::chrono::duration<double>(now - transfer->start).count();
    const AttemptId id = transfer->id;
    release(*transfer);
    transfers_.erase(id);
    completed_.push_back({id, std::move(result)});
  }
}

void HttpProber::release(Transfer& transfer) {
  if (transfer.easy != nullptr) {
    curl_multi_remove_handle(static_cast<CURLM*>(multi_), transfer.easy);
    curl_easy_cleanup(transfer.easy);
    transfer.easy = nullptr;
  }
  curl_slist_free_all(transfer.headers);
  transfer.headers = nullptr;
  curl_slist_free_all(transfer.connectTo);
  transfer.connectTo = nullptr;
}

}  // namespace tmdns::probes
