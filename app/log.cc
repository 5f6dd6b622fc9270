// stderr logging with one write per line.
#include "app/log.h"

#include <unistd.h>

#include <string>

namespace tmdns::app {

void logLine(std::string_view message) {
  std::string line = "tmdns: ";
  line.append(message);
  line.push_back('\n');
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
    if (n <= 0) {
      return;  // stderr gone: nothing better to do with a log line
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace tmdns::app
