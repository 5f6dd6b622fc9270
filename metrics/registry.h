// The set of collectors one scrape asks, in registration order.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/exposition.h"
#include "metrics/family.h"

namespace tmdns::metrics {

// A collector appends the families it owns. Collectors run on the scraping thread (the HTTP
// thread), one scrape at a time; whatever they read from other threads they read safely.
class Registry {
 public:
  using Collector = std::function<void(std::vector<Family>&)>;

  // Before the first scrape.
  void add(Collector collector);

  std::vector<Family> collect() const;
  std::string scrape(Format format) const { return render(collect(), format); }

 private:
  mutable std::mutex mutex_;  // one scrape at a time; also guards collectors_
  std::vector<Collector> collectors_;
};

}  // namespace tmdns::metrics
