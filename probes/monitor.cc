// Monitor: owns the health model and the engine thread; the thread-safe face of the probe engine.
#include "probes/monitor.h"

#include <mutex>
#include <thread>
#include <utility>

#include "probes/engine.h"
#include "probes/health_model.h"

namespace tmdns::probes {

struct Monitor::Impl {
  HealthModel model;
  std::unique_ptr<Engine> engine;
  std::thread thread;
  std::mutex lifecycle;  // start/stop only
  bool started = false;
  bool stopped = false;
};

Monitor::Monitor(MonitorOptions options, Publish publish, Log log, Observe observe)
    : impl_(std::make_unique<Impl>()) {
  impl_->engine = std::make_unique<Engine>(std::move(options), impl_->model, std::move(publish),
                                           std::move(log), std::move(observe));
}

Monitor::~Monitor() {
  stop();
}

void Monitor::start() {
  std::lock_guard<std::mutex> lock(impl_->lifecycle);
  if (impl_->started || impl_->stopped) {
    return;
  }
  impl_->started = true;
  Engine* engine = impl_->engine.get();
  impl_->thread = std::thread([engine] { engine->run(); });
}

std::shared_ptr<const routing::HealthTable> Monitor::setPlan(ProbePlan plan) {
  auto table = impl_->model.setPlan(std::move(plan));
  // The engine reconciles its schedule on its own thread; the model already answers for the
  // new plan, so the returned table is exact whatever the engine is doing.
  impl_->engine->wake();
  return table;
}

std::vector<EndpointProbeState> Monitor::details() const {
  return impl_->model.details();
}

std::vector<EndpointProbeState> Monitor::details(uint64_t& generation) const {
  return impl_->model.details(generation);
}

bool Monitor::firstRoundDone() const {
  return impl_->model.firstRoundDone();
}

double Monitor::schedulerLagSeconds() const {
  return impl_->engine->schedulerLagSeconds(Clock::now());
}

void Monitor::stop() {
  std::lock_guard<std::mutex> lock(impl_->lifecycle);
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  if (impl_->started) {
    impl_->engine->requestStop();
    impl_->thread.join();
  }
}

}  // namespace tmdns::probes
