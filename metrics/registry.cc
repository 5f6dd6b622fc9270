// Registry: runs the collectors in order.
#include "metrics/registry.h"

#include <utility>

namespace tmdns::metrics {

void Registry::add(Collector collector) {
  std::lock_guard<std::mutex> lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::vector<Family> Registry::collect() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Family> families;
  for (const Collector& collector : collectors_) {
    collector(families);
  }
  return families;
}

}  // namespace tmdns::metrics
