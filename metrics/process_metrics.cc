// Process metrics from /proc: the same names and meanings as Prometheus' client libraries.
#include "metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace tmdns::metrics {
namespace {

std::string readWhole(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

double countOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) {
    return 0;
  }
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') {
      ++count;
    }
  }
  closedir(dir);
  return count - 1;  // the descriptor opendir() itself holds
}

void gauge(std::vector<Family>& out, const char* name, const char* help, double value,
           MetricType type = MetricType::kGauge) {
  Family family;
  family.name = name;
  family.help = help;
  family.type = type;
  family.samples.push_back({{}, value});
  out.push_back(std::move(family));
}

}  // namespace

bool parseProcStat(const std::string& stat, const std::string& procStat, long ticksPerSecond,
                   long pageSize, ProcessSample& out) {
  // proc(5): "pid (comm) state ppid ...": comm may hold spaces and parentheses, so the fields
  // are counted from the last ')'. After it: state is field 3, utime 14, stime 15,
  // starttime 22, vsize 23, rss 24.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos || ticksPerSecond <= 0) {
    return false;
  }
  std::istringstream fields(stat.substr(close + 1));
  std::vector<std::string> values;
  std::string field;
  while (fields >> field) {
    values.push_back(field);
  }
  // values[0] is field 3 (state).
  constexpr size_t kUtime = 14 - 3;
  constexpr size_t kStime = 15 - 3;
  constexpr size_t kStartTime = 22 - 3;
  constexpr size_t kVsize = 23 - 3;
  constexpr size_t kRss = 24 - 3;
  if (values.size() <= kRss) {
    return false;
  }
  const double ticks = static_cast<double>(ticksPerSecond);
  out.cpuSeconds = (std::strtod(values[kUtime].c_str(), nullptr) +
                    std::strtod(values[kStime].c_str(), nullptr)) /
                   ticks;
  out.virtualBytes = std::strtod(values[kVsize].c_str(), nullptr);
  out.residentBytes = std::strtod(values[kRss].c_str(), nullptr) * static_cast<double>(pageSize);
  // proc(5): starttime is in clock ticks after boot; /proc/stat's btime is boot in Unix time.
  const size_t btime = procStat.find("btime ");
  if (btime != std::string::npos) {
    const double boot = std::strtod(procStat.c_str() + btime + 6, nullptr);
    out.startTimeSeconds = boot + std::strtod(values[kStartTime].c_str(), nullptr) / ticks;
  }
  return true;
}

ProcessSample readProcessSample() {
  ProcessSample sample;
  parseProcStat(readWhole("/proc/self/stat"), readWhole("/proc/stat"), sysconf(_SC_CLK_TCK),
                sysconf(_SC_PAGESIZE), sample);
  sample.openFds = countOpenFds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    sample.maxFds = static_cast<double>(limit.rlim_cur);
  }
  return sample;
}

void collectProcess(const ProcessSample& sample, std::vector<Family>& out) {
  gauge(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
        sample.cpuSeconds, MetricType::kCounter);
  gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
        sample.residentBytes);
  gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", sample.virtualBytes);
  gauge(out, "process_open_fds", "Number of open file descriptors.", sample.openFds);
  if (sample.maxFds > 0) {
    gauge(out, "process_max_fds", "Maximum number of open file descriptors.", sample.maxFds);
  }
  if (sample.startTimeSeconds > 0) {
    gauge(out, "process_start_time_seconds",
          "Start time of the process since unix epoch in seconds.", sample.startTimeSeconds);
  }
}

}  // namespace tmdns::metrics
