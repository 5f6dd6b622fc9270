// HealthModel: plan reconciliation that keeps unchanged probes' health, and change announcements.
#include "probes/health_model.h"

#include <utility>

namespace tmdns::probes {

std::shared_ptr<const routing::HealthTable> HealthModel::setPlan(ProbePlan plan) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::unordered_map<std::string, KeyState> next;
  std::vector<std::string> order;
  for (ProbeSpec& spec : plan.probes) {
    std::string key = spec.key();
    auto it = next.find(key);
    if (it == next.end()) {
      auto old = keys_.find(key);
      KeyState state;
      if (old != keys_.end()) {
        // Kept probe: keep its counters and status; only the endpoints using it are renewed.
        state.tracker = old->second.tracker;
        state.detail = old->second.detail;
      } else {
        state.tracker = HealthTracker(spec.toleratedFailures);
      }
      it = next.emplace(key, std::move(state)).first;
      it->second.spec = spec;
      order.push_back(key);
    }
    it->second.endpoints.push_back(spec.endpoint);
    it->second.labels.push_back(spec.profileName + "/" + spec.endpointName);
  }
  keys_ = std::move(next);
  order_ = std::move(order);
  generation_ = plan.generation;
  endpointCount_ = plan.endpointCount;
  ++version_;
  return tableLocked();
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
  if (!changed) {
    return update;
  }
  state.detail.lastChangeUnixMs = result.finishedUnixMs;
  for (const std::string& label : state.labels) {
    update.logLines.push_back(label + ": " + std::string(routing::toString(before)) + " -> " +
                              std::string(routing::toString(*changed)) + " (" + result.reason +
                              ")");
  }
  update.table = tableLocked();
  return update;
}

std::vector<EndpointProbeState> HealthModel::details() const {
  std::lock_guard<std::mutex> lock(mutex_);
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

std::shared_ptr<const routing::HealthTable> HealthModel::tableLocked() const {
  auto table = std::make_shared<routing::HealthTable>();
  // Unprobed endpoints read CheckingEndpoint: routing derives Disabled/Unmonitored/... itself.
  table->status.assign(endpointCount_, routing::MonitorStatus::kCheckingEndpoint);
  for (const auto& [key, state] : keys_) {
    for (routing::EndpointId id : state.endpoints) {
      if (id < table->status.size()) {
        table->status[id] = state.tracker.status();
      }
    }
  }
  return table;
}

}  // namespace tmdns::probes
