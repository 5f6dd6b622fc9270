// The serving process: start-up, the signal loop (SIGHUP reload, SIGTERM/SIGINT stop), shutdown.
#pragma once

#include <string>

namespace tmdns::app {

// Serves `configFile` until SIGTERM or SIGINT. Returns the process exit code: 0 after a clean
// stop, 1 when the first configuration is invalid or a socket cannot be bound.
int serve(const std::string& configFile);

}  // namespace tmdns::app
