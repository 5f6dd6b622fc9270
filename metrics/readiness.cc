// Readiness::check: the first missing condition, in start-up order.
#include "metrics/readiness.h"

namespace tmdns::metrics {

Readiness::Verdict Readiness::check() const {
  if (stopping_.load()) {
    return {false, "shutting down"};
  }
  if (!configuration_.load()) {
    return {false, "configuration not loaded"};
  }
  if (!listeners_.load()) {
    return {false, "DNS listeners not bound"};
  }
  if (firstRoundDone_ && !firstRoundDone_()) {
    return {false, "first probe round not done"};
  }
  return {true, "ready"};
}

}  // namespace tmdns::metrics
