// The standard process_* metrics (CPU, memory, descriptors, start time), read from /proc.
#pragma once

#include <string>
#include <vector>

#include "metrics/family.h"

namespace tmdns::metrics {

struct ProcessSample {
  double cpuSeconds = 0;  // user + system
  double residentBytes = 0;
  double virtualBytes = 0;
  double openFds = 0;
  double maxFds = 0;
  double startTimeSeconds = 0;  // since the Unix epoch
};

// Reads /proc/self/stat, /proc/stat (boot time), /proc/self/fd and RLIMIT_NOFILE. Fields that
// cannot be read stay 0 and their metric is left out.
ProcessSample readProcessSample();

// Parses the fields tmdns uses out of a /proc/<pid>/stat line and the btime of /proc/stat.
bool parseProcStat(const std::string& stat, const std::string& procStat, long ticksPerSecond,
                   long pageSize, ProcessSample& out);

// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds.
void collectProcess(const ProcessSample& sample, std::vector<Family>& out);

}  // namespace tmdns::metrics
