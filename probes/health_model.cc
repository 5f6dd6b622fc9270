// HealthModel: plan reconciliation that keeps unchanged probes' health, and change announcements.
#include "probes/health_model.h"

#include <utility>

#include "probes/probe_outcome.h"

namespace tmdns::probes {

std::shared_ptr<const routing::HealthTable> HealthModel::setPlan(ProbePlan plan) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::unordered_map<std::string, KeyState> next;
  std::vector<std::string> order;
  // Kept whole so that events can name every endpoint; KeyState::specs point into it and are
  // replaced together with it.
  plan_ = std::move(plan.probes);
  for (const ProbeSpec& spec : plan_) {
    std::string key = spec.key();
    auto it = next.find(key);
    if (it == next.end()) {
      auto old = keys_.find(key);
      KeyState state;
      if (old != keys_.end()) {
        // Kept probe: keep its counters and status; only the endpoints using it are renewed.
        state.tracker = old->second.tracker;
        state.detail = old->second.detail;
        state.probed = old->second.probed;
      } else {
        state.tracker = HealthTracker(spec.toleratedFailures);
      }
      it = next.emplace(key, std::move(state)).first;
      it->second.spec = spec;
      order.push_back(key);
    }
    it->second.endpoints.push_back(spec.endpoint);
    it->second.labels.push_back(spec.profileName + "/" + spec.endpointName);
    it->second.specs.push_back(&spec);
  }
  keys_ = std::move(next);
  order_ = std::move(order);
  generation_ = plan.generation;
  endpointCount_ = plan.endpointCount;
  ++version_;
  updateFirstRoundLocked();
  rebuildStatusLocked();
  return tableLocked();
}

void HealthModel::updateFirstRoundLocked() {
  if (firstRoundDone_) {
    return;
  }
  for (const auto& [key, state] : keys_) {
    if (!state.probed) {
      return;
    }
  }
  firstRoundDone_ = true;
}

bool HealthModel::firstRoundDone() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return firstRoundDone_;
}

HealthModel::Update HealthModel::apply(const std::string& key, const RoundResult& result) {
  std::lock_guard<std::mutex> lock(mutex_);
  Update update;
  update.generation = generation_;
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    return update;
  }
  KeyState& state = it->second;
  const routing::MonitorStatus before = state.tracker.status();
  const auto changed = state.tracker.observe(result.ok);
  state.detail.lastResult = result.reason;
  state.detail.lastLatencySeconds = result.latencySeconds;
  state.detail.lastProbeUnixMs = result.finishedUnixMs;
  state.detail.consecutiveFailures = state.tracker.consecutiveFailures();
  state.detail.status = state.tracker.status();
  state.probed = true;
  updateFirstRoundLocked();
  const ProbeOutcome outcome = classifyOutcome(result.ok, result.reason);
  for (const ProbeSpec* spec : state.specs) {
    ProbeEvent event;
    event.zone = spec->zoneName;
    event.profile = spec->profileName;
    event.endpoint = spec->endpointName;
    event.protocol = spec->protocol;
    event.outcome = outcome;
    event.seconds = result.latencySeconds;
    event.statusChanged = changed.has_value();
    event.from = before;
    event.to = state.tracker.status();
    update.events.push_back(std::move(event));
  }
  if (!changed) {
    return update;
  }
  state.detail.lastChangeUnixMs = result.finishedUnixMs;
  state.detail.lastChangeFrom = before;
  state.detail.lastChangeReason = result.reason;
  for (const std::string& label : state.labels) {
    update.logLines.push_back(label + ": " + std::string(routing::toString(before)) + " -> " +
                              std::string(routing::toString(*changed)) + " (" + result.reason +
                              ")");
  }
  for (routing::EndpointId id : state.endpoints) {
    if (id < status_.size()) {
      status_[id] = *changed;
    }
  }
  update.table = tableLocked();
  return update;
}

std::vector<EndpointProbeState> HealthModel::details() const {
  uint64_t generation = 0;
  return details(generation);
}

std::vector<EndpointProbeState> HealthModel::details(uint64_t& generation) const {
  std::lock_guard<std::mutex> lock(mutex_);
  generation = generation_;
  std::vector<EndpointProbeState> out(endpointCount_);
  for (const auto& [key, state] : keys_) {
    for (routing::EndpointId id : state.endpoints) {
      if (id < out.size()) {
        out[id] = state.detail;
        out[id].status = state.tracker.status();
        out[id].consecutiveFailures = state.tracker.consecutiveFailures();
      }
    }
  }
  return out;
}

std::vector<ProbeSpec> HealthModel::probes(uint64_t& version) const {
  std::lock_guard<std::mutex> lock(mutex_);
  version = version_;
  std::vector<ProbeSpec> out;
  out.reserve(order_.size());
  for (const std::string& key : order_) {
    out.push_back(keys_.at(key).spec);
  }
  return out;
}

uint64_t HealthModel::version() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return version_;
}

void HealthModel::rebuildStatusLocked() {
  // Unprobed endpoints read CheckingEndpoint: routing derives Disabled/Unmonitored/... itself.
  status_.assign(endpointCount_, routing::MonitorStatus::kCheckingEndpoint);
  for (const auto& [key, state] : keys_) {
    for (routing::EndpointId id : state.endpoints) {
      if (id < status_.size()) {
        status_[id] = state.tracker.status();
      }
    }
  }
}

std::shared_ptr<const routing::HealthTable> HealthModel::tableLocked() const {
  return std::make_shared<routing::HealthTable>(routing::HealthTable{status_});
}

}  // namespace tmdns::probes
