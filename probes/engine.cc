// Engine: the probe loop. Rounds are resolved, fanned out over addresses, timed out and applied.
#include "probes/engine.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "probes/address.h"
#include "probes/http_prober.h"
#include "probes/resolver.h"
#include "probes/tcp_prober.h"

namespace tmdns::probes {
namespace {

// curl enforces an HTTP attempt's timeout itself (and then still reports a status whose headers
// arrived in time); the engine's own deadline is only a backstop this much later.
constexpr std::chrono::milliseconds kHttpBackstop{500};

int64_t unixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Engine::Engine(MonitorOptions options, HealthModel& model, Monitor::Publish publish,
               Monitor::Log log, Monitor::Observe observe)
    : options_(std::move(options)),
      model_(model),
      publish_(std::move(publish)),
      log_(std::move(log)),
      observe_(std::move(observe)) {
  if (options_.userAgent.empty()) {
    options_.userAgent = "tmdns";
  }
  if (options_.maxConcurrent < 1) {
    options_.maxConcurrent = 1;
  }
}

Engine::~Engine() = default;

void Engine::requestStop() {
  stop_.store(true);
  loop_.wake();
}

void Engine::initBackends() {
  // None of these failures stops the engine: probes that need the missing piece fail with the
  // reason, so that the endpoints' state says why rather than the process dying.
  if (!loop_.ok() && log_) {
    log_("probes: event loop unavailable (" + loop_.error() + "); probes will fail");
  }
  tcp_ = std::make_unique<TcpProber>(loop_, options_.sourceAddress);
  http_ = std::make_unique<HttpProber>(loop_, options_.userAgent, options_.sourceAddress);
  std::string error;
  if (!http_->init(error) && log_) {
    log_("probes: HTTP client unavailable (" + error + "); HTTP and HTTPS probes will fail");
  }
  resolver_ = std::make_unique<Resolver>(loop_, options_.resolvers);
  if (!resolver_->init(error) && log_) {
    log_("probes: resolver unavailable (" + error + "); probes of names will fail");
  }
}

void Engine::run() {
  // Named so that top -H, perf and the probe benchmark can tell the engine's CPU use apart.
  pthread_setname_np(pthread_self(), "tmdns-probes");
  initBackends();
  std::vector<ReadyEvent> events;
  while (!stop_.load()) {
    TimePoint now = Clock::now();
    reconcile(now);
    expireRounds(now);
    startDue(now);
    processCompletions(Clock::now());

    events.clear();
    loop_.wait(waitTimeoutMs(Clock::now()), events);
    for (const ReadyEvent& event : events) {
      now = Clock::now();
      const uint64_t value = tagValue(event.tag);
      switch (tagKind(event.tag)) {
        case TagKind::kCurl:
          http_->onSocket(static_cast<int>(value), event.events, now);
          break;
        case TagKind::kAres:
          resolver_->onSocket(static_cast<int>(value), event.events);
          break;
        case TagKind::kTcp:
          tcp_->onEvent(value, now);
          break;
        case TagKind::kWake:
          break;
      }
    }
    now = Clock::now();
    http_->onTimer(now);
    resolver_->onTimer(now);
    processCompletions(now);
  }

  // Abandon whatever is in flight and release every handle and socket on this thread.
  std::vector<std::string> keys;
  for (const auto& [key, round] : rounds_) {
    keys.push_back(key);
  }
  for (const std::string& key : keys) {
    cancelRound(key);
  }
  resolver_.reset();
  http_.reset();
  tcp_.reset();
}

void Engine::reconcile(TimePoint now) {
  if (havePlan_ && model_.version() == planVersion_) {
    return;
  }
  uint64_t version = 0;
  std::vector<ProbeSpec> specs = model_.probes(version);
  std::unordered_map<std::string, ProbeSpec> next;
  for (ProbeSpec& spec : specs) {
    std::string key = spec.key();
    next.emplace(std::move(key), std::move(spec));
  }
  for (const auto& [key, spec] : specs_) {
    if (next.count(key) == 0) {
      cancelRound(key);
      scheduler_.remove(key);
    }
  }
  // New keys are planned from the clock after the plan was read, not from `now`: reading a large
  // plan takes a while (10,000 specs: tens of ms), and every probe whose jitter fell inside that
  // time would otherwise start in one burst as soon as it is done (bench/README.md).
  const TimePoint planned = Clock::now();
  for (const auto& [key, spec] : next) {
    // Kept keys keep their cadence (add() ignores known keys); new ones get their jitter.
    scheduler_.add(key, std::chrono::seconds(std::max(1, spec.intervalSeconds)), planned);
  }
  specs_ = std::move(next);
  planVersion_ = version;
  havePlan_ = true;
  resolver_->prune(now);
}

void Engine::startDue(TimePoint now) {
  const auto cap = static_cast<size_t>(options_.maxConcurrent);
  if (rounds_.size() >= cap) {
    publishOldestDue();
    return;
  }
  for (const std::string& key : scheduler_.takeDue(now, cap - rounds_.size())) {
    startRound(key, now);
  }
  publishOldestDue();
}

void Engine::publishOldestDue() {
  // What is still queued after starting everything due either waits for its time (the normal
  // case: a due time in the future) or for a free slot under the cap (a due time in the past).
  const std::optional<TimePoint> due = scheduler_.nextDue();
  oldestDueNs_.store(
      due ? std::chrono::duration_cast<std::chrono::nanoseconds>(due->time_since_epoch()).count()
          : kNoDue,
      std::memory_order_relaxed);
}

double Engine::schedulerLagSeconds(TimePoint now) const {
  const int64_t due = oldestDueNs_.load(std::memory_order_relaxed);
  const int64_t nowNs =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  // A healthy engine wakes for a due probe within a millisecond or so; the time past a due
  // probe that the engine has not started is how far behind it is.
  return due == kNoDue || nowNs <= due ? 0.0 : static_cast<double>(nowNs - due) / 1e9;
}

void Engine::startRound(const std::string& key, TimePoint now) {
  auto it = specs_.find(key);
  if (it == specs_.end()) {
    scheduler_.remove(key);
    return;
  }
  const ProbeSpec& spec = it->second;
  Round& round = rounds_[key];
  round = Round{};
  round.id = nextRoundId_++;
  round.start = now;
  round.deadline = now + std::chrono::seconds(std::max(1, spec.timeoutSeconds));
  if (isIpLiteral(spec.target)) {
    beginAttempts(key, round, {spec.target}, now);
    return;
  }
  std::optional<Resolution> resolution = resolver_->lookup(spec.target, now);
  if (!resolution) {
    round.resolving = true;
    waiting_[Resolver::normalize(spec.target)].emplace_back(key, round.id);
    return;
  }
  if (!resolution->ok) {
    finishRound(key, {false, "resolve failed: " + resolution->error, 0, 0}, now);
    return;
  }
  beginAttempts(key, round, resolution->addresses, now);
}

void Engine::beginAttempts(const std::string& key, Round& round,
                           const std::vector<std::string>& addresses, TimePoint now) {
  round.resolving = false;
  if (addresses.empty()) {
    finishRound(key, {false, "resolve failed: no address records", 0, 0}, now);
    return;
  }
  const ProbeSpec& spec = specs_.at(key);
  const bool literal = isIpLiteral(spec.target);
  const auto remaining = std::max<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::milliseconds>(round.deadline - now),
      std::chrono::milliseconds(1));
  round.addresses = addresses;
  for (const std::string& address : addresses) {
    const AttemptId id = nextAttemptId_++;
    attemptKeys_[id] = key;
    round.pending[id] = address;
    const bool http = spec.protocol != Protocol::kTcp;
    round.pendingHttp[id] = http;
    if (http) {
      // An IP-literal target is the URL host itself; a name keeps its name and is steered to
      // the resolved address.
      http_->start(id, spec, literal ? std::string() : address, remaining, now);
    } else {
      tcp_->start(id, address, spec.port, now);
    }
  }
}

void Engine::expireRounds(TimePoint now) {
  std::vector<std::pair<std::string, RoundResult>> finished;
  for (auto& [key, round] : rounds_) {
    if (now < round.deadline) {
      continue;
    }
    const double elapsed = std::chrono::duration<double>(now - round.start).count();
    if (round.resolving) {
      finished.push_back({key, {false, "resolve failed: timeout", elapsed, 0}});
      continue;
    }
    std::vector<AttemptId> expired;
    for (const auto& [id, http] : round.pendingHttp) {
      if (!http || now >= round.deadline + kHttpBackstop) {
        expired.push_back(id);
      }
    }
    for (AttemptId id : expired) {
      if (round.pendingHttp[id]) {
        http_->cancel(id);
      } else {
        tcp_->cancel(id);
      }
      round.failures.emplace_back(round.pending[id], timeoutReason(key));
      round.pending.erase(id);
      round.pendingHttp.erase(id);
      attemptKeys_.erase(id);
    }
    if (round.pending.empty()) {
      finished.push_back({key, {false, "", elapsed, 0}});
    }
  }
  for (auto& [key, result] : finished) {
    if (result.reason.empty()) {
      result.reason = failureReason(rounds_.at(key));
    }
    finishRound(key, std::move(result), now);
  }
}

void Engine::processCompletions(TimePoint now) {
  // Starting attempts after a resolution can complete them at once (a refused loopback
  // connect, a curl setup error), so repeat until nothing is left.
  for (;;) {
    std::vector<CompletedAttempt> done = http_->takeCompleted();
    for (CompletedAttempt& c : tcp_->takeCompleted()) {
      done.push_back(std::move(c));
    }
    std::vector<std::pair<std::string, Resolution>> resolved = resolver_->takeCompleted();
    if (done.empty() && resolved.empty()) {
      return;
    }
    for (CompletedAttempt& c : done) {
      attemptDone(c.id, std::move(c.result), now);
    }
    for (auto& [name, resolution] : resolved) {
      auto it = waiting_.find(name);
      if (it == waiting_.end()) {
        continue;
      }
      std::vector<std::pair<std::string, uint64_t>> waiters = std::move(it->second);
      waiting_.erase(it);
      for (const auto& [key, roundId] : waiters) {
        auto round = rounds_.find(key);
        if (round == rounds_.end() || round->second.id != roundId || !round->second.resolving) {
          continue;  // that round already timed out or was cancelled
        }
        if (resolution.ok) {
          beginAttempts(key, round->second, resolution.addresses, now);
        } else {
          const double elapsed = std::chrono::duration<double>(now - round->second.start).count();
          finishRound(key, {false, "resolve failed: " + resolution.error, elapsed, 0}, now);
        }
      }
    }
  }
}

void Engine::attemptDone(AttemptId id, AttemptResult result, TimePoint now) {
  auto keyIt = attemptKeys_.find(id);
  if (keyIt == attemptKeys_.end()) {
    return;
  }
  const std::string key = keyIt->second;
  attemptKeys_.erase(keyIt);
  auto roundIt = rounds_.find(key);
  if (roundIt == rounds_.end()) {
    return;
  }
  Round& round = roundIt->second;
  auto pending = round.pending.find(id);
  if (pending == round.pending.end()) {
    return;
  }
  const std::string address = pending->second;
  round.pending.erase(pending);
  round.pendingHttp.erase(id);
  if (result.timedOut) {
    result.reason = timeoutReason(key);
  }
  if (result.ok) {
    // Any address answering is enough: a client connecting by name falls back to the next
    // address too. The other attempts of the round are abandoned.
    finishRound(key, {true, result.reason, result.latencySeconds, 0}, now);
    return;
  }
  round.failures.emplace_back(address, result.reason);
  if (!round.pending.empty()) {
    return;
  }
  finishRound(key, {false, failureReason(round), result.latencySeconds, 0}, now);
}

void Engine::finishRound(const std::string& key, RoundResult result, TimePoint now) {
  cancelRound(key);
  scheduler_.completed(key, now);
  result.finishedUnixMs = unixMs();
  HealthModel::Update update = model_.apply(key, result);
  // Routing first, then the log: whoever reads the log line finds the change already served.
  if (update.table && publish_) {
    publish_(update.generation, std::move(update.table));
  }
  if (log_) {
    for (const std::string& line : update.logLines) {
      log_(line);
    }
  }
  if (observe_) {
    for (const ProbeEvent& event : update.events) {
      observe_(event);
    }
  }
}

void Engine::cancelRound(const std::string& key) {
  auto it = rounds_.find(key);
  if (it == rounds_.end()) {
    return;
  }
  for (const auto& [id, http] : it->second.pendingHttp) {
    if (http) {
      http_->cancel(id);
    } else {
      tcp_->cancel(id);
    }
    attemptKeys_.erase(id);
  }
  rounds_.erase(it);
}

int Engine::waitTimeoutMs(TimePoint now) const {
  std::optional<TimePoint> next;
  auto consider = [&next](std::optional<TimePoint> t) {
    if (t && (!next || *t < *next)) {
      next = t;
    }
  };
  if (rounds_.size() < static_cast<size_t>(options_.maxConcurrent)) {
    consider(scheduler_.nextDue());
  }
  consider(http_->nextTimer());
  consider(resolver_->nextTimer());
  for (const auto& [key, round] : rounds_) {
    consider(now < round.deadline ? round.deadline : round.deadline + kHttpBackstop);
  }
  if (!next) {
    return -1;  // only a plan change or stop can create work: both write the eventfd
  }
  if (*next <= now) {
    return 0;
  }
  // Rounded up: waking a fraction of a millisecond early would spin until the deadline.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next - now).count();
  return static_cast<int>(std::min<int64_t>(ms, 60000));
}

std::string Engine::failureReason(const Round& round) {
  if (round.failures.empty()) {
    return "no result";
  }
  // One reason when every address failed alike ("HTTP 503"); otherwise each address with its
  // own ("127.0.0.1: HTTP 503; [::1]: connect refused").
  // Listed in resolver order, not completion order, so the same situation reads the same.
  const std::string& first = round.failures.front().second;
  bool same = true;
  std::string all;
  for (const std::string& address : round.addresses) {
    for (const auto& [failed, why] : round.failures) {
      if (failed == address) {
        same = same && why == first;
        all += (all.empty() ? "" : "; ") + urlHost(address) + ": " + why;
      }
    }
  }
  return same ? first : all;
}

std::string Engine::timeoutReason(const std::string& key) const {
  auto it = specs_.find(key);
  const int seconds = it == specs_.end() ? 0 : it->second.timeoutSeconds;
  return "timeout after " + std::to_string(seconds) + "s";
}

}  // namespace tmdns::probes
