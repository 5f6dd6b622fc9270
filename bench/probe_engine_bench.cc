// Probe engine at scale: N loopback endpoints probed every interval; engine CPU and probe spread.
//
// Usage: tmdns_bench_probes [--endpoints N] [--interval S] [--duration S] [--protocol http|tcp]
//   (defaults: 10000 endpoints, a 10 s interval, a duration of 3 intervals, HTTP)
// Starts loopback backends on a thread of this process (HTTP: one epoll server on 127.0.0.1 that
// tells endpoints apart by path, /e0 .. /eN-1; TCP: one listener per endpoint, spread over
// 127.0.0.1-127.0.0.254 x a few ports), runs probes::Monitor on a plan of N endpoints and
// reports the engine thread's CPU time (from /proc/self/task/<tid>, the thread named
// "tmdns-probes"), the arrivals of probes at the backends per 100 ms and each probe's lateness
// (arrival minus its planned start: Scheduler::jitter() after the engine took the plan, then one
// interval apart). Run by hand; it stops by itself. Nothing leaves 127.0.0.0/8. The exit status is
// 0 when every endpoint ended Online and every probe planned before the last second arrived.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "probes/monitor.h"
#include "probes/probe_spec.h"
#include "probes/scheduler.h"
#include "routing/health_table.h"

namespace {

using namespace tmdns;
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

constexpr auto kBucket = std::chrono::milliseconds(100);
constexpr auto kLagPoll = std::chrono::milliseconds(50);
constexpr int kAddresses = 254;  // 127.0.0.1 .. 127.0.0.254
constexpr char kResponse[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

struct Options {
  size_t endpoints = 10000;
  int intervalSeconds = 10;
  int durationSeconds = 0;  // 0: three intervals
  probes::Protocol protocol = probes::Protocol::kHttp;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "tmdns_bench_probes: %s\nusage: tmdns_bench_probes [--endpoints N] [--interval S] "
               "[--duration S] [--protocol http|tcp]\n",
               why);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      usage(("missing value after " + flag).c_str());
    }
    const std::string value = argv[++i];
    char* end = nullptr;
    const long number = std::strtol(value.c_str(), &end, 10);
    const bool numeric = end != value.c_str() && *end == '\0' && number > 0;
    if (flag == "--protocol") {
      if (value == "http") {
        o.protocol = probes::Protocol::kHttp;
      } else if (value == "tcp") {
        o.protocol = probes::Protocol::kTcp;
      } else {
        usage("--protocol is http or tcp");
      }
    } else if (!numeric) {
      usage((flag + " needs a positive integer").c_str());
    } else if (flag == "--endpoints") {
      o.endpoints = static_cast<size_t>(number);
    } else if (flag == "--interval") {
      o.intervalSeconds = static_cast<int>(number);
    } else if (flag == "--duration") {
      o.durationSeconds = static_cast<int>(number);
    } else {
      usage(("unknown flag " + flag).c_str());
    }
  }
  if (o.durationSeconds == 0) {
    o.durationSeconds = 3 * o.intervalSeconds;
  }
  return o;
}

[[noreturn]] void fatal(const std::string& what) {
  std::fprintf(stderr, "tmdns_bench_probes: %s\n", what.c_str());
  std::exit(1);
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string firstLine(const std::string& path, const std::string& prefix = "") {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) {
      return line;
    }
  }
  return "?";
}

// CPU time of one thread of this process. RUSAGE_THREAD only covers the calling thread, so the
// engine's is read from procfs: utime/stime (fields 14, 15 of stat, in clock ticks) for the
// user/system split, and the first field of schedstat (nanoseconds on CPU) for the total.
struct ThreadCpu {
  double user = 0;
  double system = 0;
  double total = 0;
};

ThreadCpu readThreadCpu(pid_t tid) {
  const std::string dir = "/proc/self/task/" + std::to_string(tid);
  ThreadCpu cpu;
  std::ifstream statFile(dir + "/stat");
  std::string stat;
  std::getline(statFile, stat);
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) {
    fatal("cannot read " + dir + "/stat");
  }
  std::istringstream fields(stat.substr(paren + 1));
  std::vector<std::string> after;  // after[0] is field 3 (state)
  for (std::string f; fields >> f;) {
    after.push_back(f);
  }
  if (after.size() < 13) {
    fatal("short " + dir + "/stat");
  }
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  cpu.user = std::stod(after[11]) / tick;
  cpu.system = std::stod(after[12]) / tick;
  cpu.total = cpu.user + cpu.system;
  std::ifstream schedstat(dir + "/schedstat");
  double ns = 0;
  if (schedstat >> ns && ns > 0) {
    cpu.total = ns / 1e9;
  }
  return cpu;
}

ThreadCpu operator-(const ThreadCpu& a, const ThreadCpu& b) {
  return {a.user - b.user, a.system - b.system, a.total - b.total};
}

pid_t findThread(const std::string& name) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
      if (firstLine((entry.path() / "comm").string()) == name) {
        return static_cast<pid_t>(std::stol(entry.path().filename().string()));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  fatal("no thread named " + name + " (does probes::Engine::run name its thread?)");
}

void raiseFileLimit(size_t needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    fatal(std::string("getrlimit: ") + std::strerror(errno));
  }
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    fatal(std::string("setrlimit: ") + std::strerror(errno));
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    fatal("RLIMIT_NOFILE hard limit " + std::to_string(limit.rlim_cur) + " < " +
          std::to_string(needed) +
          " descriptors needed; raise it (ulimit -Hn) or use fewer endpoints");
  }
}

struct Arrival {
  uint32_t endpoint = 0;
  TimePoint at;  // when the backend accepted the probe's connection
};

// The loopback backends, served by one epoll thread. TCP: every accepted connection is an
// arrival of its listener's endpoint, closed at once. HTTP: the request line's path (/e<index>)
// names the endpoint; the answer is 200 with an empty body, then the connection is closed.
class Backends {
 public:
  struct Listener {
    std::string address;
    uint16_t port = 0;
  };

  Backends(probes::Protocol protocol, size_t endpoints) : protocol_(protocol) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    stop_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_ < 0 || stop_ < 0) {
      fatal(std::string("epoll/eventfd: ") + std::strerror(errno));
    }
    watch(stop_, EPOLLIN, kStopTag);
    if (protocol_ == probes::Protocol::kTcp) {
      // Addresses vary fastest; each group of 254 endpoints shares one port when it is free on
      // every address (it usually is), so the listeners take few of the ephemeral ports that the
      // probes' own connects need.
      for (size_t i = 0; i < endpoints; ++i) {
        const std::string address = "127.0.0." + std::to_string(1 + i % kAddresses);
        const uint16_t groupPort = i % kAddresses == 0 ? 0 : listeners_[i - i % kAddresses].port;
        listen(address, groupPort, i);
      }
    } else {
      listen("127.0.0.1", 0, 0);
    }
    arrivals_.reserve(endpoints * 4);
  }

  ~Backends() {
    stop();
    for (int fd : listenFds_) {
      close(fd);
    }
    close(stop_);
    close(epoll_);
  }

  Backends(const Backends&) = delete;
  Backends& operator=(const Backends&) = delete;

  const std::vector<Listener>& listeners() const { return listeners_; }

  void start() {
    thread_ = std::thread([this] { run(); });
  }

  void stop() {
    if (!thread_.joinable()) {
      return;
    }
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t r = write(stop_, &one, sizeof(one));
    thread_.join();
  }

  // After stop().
  const std::vector<Arrival>& arrivals() const { return arrivals_; }
  uint64_t rejected() const { return rejected_; }
  double cpuSeconds() const { return cpuSeconds_; }

 private:
  static constexpr uint64_t kStopTag = ~uint64_t{0};
  static constexpr uint64_t kListenerBit = uint64_t{1} << 62;  // else the tag is a connection fd

  struct Connection {
    bool open = false;
    TimePoint accepted;
    size_t length = 0;
    char head[1024];
  };

  void watch(int fd, uint32_t events, uint64_t tag) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      fatal(std::string("epoll_ctl: ") + std::strerror(errno));
    }
  }

  void listen(const std::string& address, uint16_t port, size_t endpoint) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
    int fd = -1;
    for (uint16_t tryPort : {port, uint16_t{0}}) {
      fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        fatal(std::string("socket: ") + std::strerror(errno));
      }
      sa.sin_port = htons(tryPort);
      if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0) {
        break;
      }
      const int bindErrno = errno;
      close(fd);
      fd = -1;
      if (tryPort == 0 || bindErrno != EADDRINUSE) {
        fatal("bind " + address + ": " + std::strerror(bindErrno));
      }
    }
    socklen_t length = sizeof(sa);
    if (::listen(fd, 4096) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &length) != 0) {
      fatal("listen " + address + ": " + std::strerror(errno));
    }
    listenFds_.push_back(fd);
    listeners_.push_back({address, ntohs(sa.sin_port)});
    watch(fd, EPOLLIN, kListenerBit | endpoint);
  }

  void run() {
    pthread_setname_np(pthread_self(), "bench-backend");
    epoll_event events[256];
    for (;;) {
      const int n = epoll_wait(epoll_, events, 256, -1);
      if (n < 0 && errno != EINTR) {
        fatal(std::string("epoll_wait: ") + std::strerror(errno));
      }
      for (int i = 0; i < n; ++i) {
        const uint64_t tag = events[i].data.u64;
        if (tag == kStopTag) {
          for (size_t fd = 0; fd < connections_.size(); ++fd) {
            if (connections_[fd].open) {
              close(static_cast<int>(fd));
            }
          }
          rusage usage{};
          getrusage(RUSAGE_THREAD, &usage);
          cpuSeconds_ = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                        static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
          return;
        }
        if ((tag & kListenerBit) != 0) {
          const size_t index = tag & ~kListenerBit;
          acceptAll(listenFds_[index], static_cast<uint32_t>(index));
        } else {
          readRequest(static_cast<int>(tag));
        }
      }
    }
  }

  void acceptAll(int listenFd, uint32_t endpoint) {
    for (;;) {
      const int fd = accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED && errno != EINTR) {
          std::fprintf(stderr, "accept: %s\n", std::strerror(errno));
        }
        return;
      }
      const TimePoint now = Clock::now();
      if (protocol_ == probes::Protocol::kTcp) {
        arrivals_.push_back({endpoint, now});
        close(fd);
        continue;
      }
      if (static_cast<size_t>(fd) >= connections_.size()) {
        connections_.resize(static_cast<size_t>(fd) + 1024);
      }
      Connection& c = connections_[static_cast<size_t>(fd)];
      c.open = true;
      c.accepted = now;
      c.length = 0;
      watch(fd, EPOLLIN, static_cast<uint64_t>(fd));
    }
  }

  void readRequest(int fd) {
    Connection& c = connections_[static_cast<size_t>(fd)];
    const ssize_t n = recv(fd, c.head + c.length, sizeof(c.head) - c.length, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      return;
    }
    if (n > 0) {
      c.length += static_cast<size_t>(n);
      const std::string_view head(c.head, c.length);
      if (head.find("\r\n\r\n") == std::string_view::npos && c.length < sizeof(c.head)) {
        return;  // the rest of the request head is still on its way
      }
      constexpr std::string_view kPrefix = "GET /e";
      if (head.substr(0, kPrefix.size()) == kPrefix) {
        arrivals_.push_back(
            {static_cast<uint32_t>(std::strtoul(c.head + kPrefix.size(), nullptr, 10)),
             c.accepted});
        [[maybe_unused]] ssize_t w = send(fd, kResponse, sizeof(kResponse) - 1, MSG_NOSIGNAL);
      } else {
        ++rejected_;
      }
    } else {
      ++rejected_;  // closed or failed before a whole request head arrived
    }
    c.open = false;
    close(fd);  // also leaves the epoll set
  }

  probes::Protocol protocol_;
  int epoll_ = -1;
  int stop_ = -1;
  std::vector<int> listenFds_;
  std::vector<Listener> listeners_;
  std::vector<Connection> connections_;  // by descriptor; HTTP only
  std::vector<Arrival> arrivals_;
  uint64_t rejected_ = 0;
  double cpuSeconds_ = 0;
  std::thread thread_;
};

// Nearest-rank percentile of sorted values.
template <typename T>
T percentile(const std::vector<T>& sorted, double p) {
  if (sorted.empty()) {
    return T{};
  }
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// Counts per 100 ms bucket over [from, to): mean and max.
struct Spread {
  double mean = 0;
  size_t max = 0;
  double ratio() const { return mean > 0 ? static_cast<double>(max) / mean : 0; }
};

Spread spreadOf(const std::vector<Clock::duration>& offsets, Clock::duration from,
                Clock::duration to) {
  const auto buckets = static_cast<size_t>((to - from) / kBucket);
  std::vector<size_t> counts(std::max<size_t>(buckets, 1), 0);
  size_t inside = 0;
  for (Clock::duration d : offsets) {
    if (d >= from && static_cast<size_t>((d - from) / kBucket) < buckets) {
      ++counts[static_cast<size_t>((d - from) / kBucket)];
      ++inside;
    }
  }
  Spread s;
  s.mean = static_cast<double>(inside) / static_cast<double>(counts.size());
  s.max = *std::max_element(counts.begin(), counts.end());
  return s;
}

std::string percent(double cpuSeconds, double wallSeconds) {
  char out[32];
  std::snprintf(out, sizeof(out), "%.2f %%",
                wallSeconds > 0 ? 100.0 * cpuSeconds / wallSeconds : 0);
  return out;
}

std::string ms(Clock::duration d) {
  char out[32];
  std::snprintf(out, sizeof(out), "%.2f ms", std::chrono::duration<double, std::milli>(d).count());
  return out;
}

void row(const std::string& what, const std::string& value) {
  std::printf("| %-46s | %s |\n", what.c_str(), value.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const bool tcp = options.protocol == probes::Protocol::kTcp;
  const size_t n = options.endpoints;
  const auto interval = std::chrono::seconds(options.intervalSeconds);
  const auto duration = std::chrono::seconds(options.durationSeconds);
  std::string command = "tmdns_bench_probes";
  for (int i = 1; i < argc; ++i) {
    command += std::string(" ") + argv[i];
  }
  // TCP: a listener per endpoint; both: the engine's probes in flight (maxConcurrent) and their
  // accepted ends, plus slack for curl, c-ares and epoll.
  const probes::MonitorOptions monitorOptions;
  raiseFileLimit((tcp ? n : 1) + 2 * static_cast<size_t>(monitorOptions.maxConcurrent) + 256);

  Backends backends(options.protocol, n);
  probes::ProbePlan plan;
  plan.generation = 1;
  plan.endpointCount = n;
  std::vector<std::chrono::milliseconds> jitter(n);
  const int timeoutSeconds = std::max(1, std::min(5, options.intervalSeconds - 1));
  for (size_t i = 0; i < n; ++i) {
    const Backends::Listener& listener = backends.listeners()[tcp ? i : 0];
    probes::ProbeSpec spec;
    spec.endpoint = static_cast<routing::EndpointId>(i);
    spec.profileName = "bench";
    spec.endpointName = "e" + std::to_string(i);
    spec.protocol = options.protocol;
    spec.target = listener.address;
    spec.port = listener.port;
    spec.path = "/e" + std::to_string(i);
    spec.headers = {{"Host", listener.address}};
    spec.intervalSeconds = options.intervalSeconds;
    spec.timeoutSeconds = timeoutSeconds;
    spec.toleratedFailures = 3;
    // The engine plans each key's first run this far after it takes the plan (Scheduler::add).
    jitter[i] = probes::Scheduler::jitter(spec.key(), interval);
    plan.probes.push_back(std::move(spec));
  }

  std::atomic<uint64_t> publishes{0};
  std::atomic<uint64_t> logLines{0};
  std::mutex tableMutex;
  std::shared_ptr<const routing::HealthTable> lastTable;
  probes::Monitor monitor(
      monitorOptions,
      [&](uint64_t, std::shared_ptr<const routing::HealthTable> table) {
        publishes.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard<std::mutex> lock(tableMutex);
        lastTable = std::move(table);
      },
      [&](const std::string&) { logLines.fetch_add(1, std::memory_order_relaxed); });
  monitor.start();
  const pid_t engineTid = findThread("tmdns-probes");
  backends.start();

  const std::string loadBefore = firstLine("/proc/loadavg");
  // CPU samples when the plan is set and at every interval boundary after: the first interval
  // holds the first probe of every endpoint and every status change, the later ones are the
  // steady state.
  std::vector<std::pair<TimePoint, ThreadCpu>> samples;
  const TimePoint planSet = Clock::now();
  samples.push_back({planSet, readThreadCpu(engineTid)});
  monitor.setPlan(plan);
  std::vector<TimePoint> boundaries;
  for (auto at = planSet + interval; at < planSet + duration; at += interval) {
    boundaries.push_back(at);
  }
  boundaries.push_back(planSet + duration);
  // The engine's own view of how late it is (the oldest due probe not started), every 50 ms.
  std::vector<double> maxLag(boundaries.size(), 0);
  for (size_t next = 0; next < boundaries.size();) {
    std::this_thread::sleep_until(std::min(Clock::now() + kLagPoll, boundaries[next]));
    maxLag[next] = std::max(maxLag[next], monitor.schedulerLagSeconds());
    if (Clock::now() >= boundaries[next]) {
      samples.push_back({Clock::now(), readThreadCpu(engineTid)});
      ++next;
    }
  }
  const TimePoint end = samples.back().first;
  const std::vector<probes::EndpointProbeState> details = monitor.details();
  monitor.stop();
  backends.stop();
  const std::string loadAfter = firstLine("/proc/loadavg");

  // Each endpoint's k-th arrival is matched with its k-th planned start, t0 + jitter + k
  // intervals, where t0 is the clock reading the engine planned with (Engine::reconcile). That
  // reading is not exposed and lies somewhere after setPlan() was called (its wake-up is delayed
  // by the scheduler on a busy machine), so t0 is estimated as the latest time consistent with
  // every arrival: lateness is then measured from the most punctual probe, which on loopback is
  // within a few tens of microseconds of its planned start.
  std::vector<std::vector<TimePoint>> perEndpoint(n);
  size_t unknown = 0;
  for (const Arrival& a : backends.arrivals()) {
    if (a.endpoint < n) {
      perEndpoint[a.endpoint].push_back(a.at);
    } else {
      ++unknown;
    }
  }
  Clock::duration planDelay = Clock::duration::max();
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < perEndpoint[i].size(); ++k) {
      const auto planned = planSet + jitter[i] + static_cast<int>(k) * interval;
      planDelay = std::min(planDelay, perEndpoint[i][k] - planned);
    }
  }
  planDelay = std::max(planDelay, Clock::duration::zero());
  const TimePoint t0 = planSet + planDelay;
  const size_t intervals = samples.size() - 1;
  std::vector<std::vector<Clock::duration>> lateness(intervals);
  std::vector<Clock::duration> arrivalOffsets;
  std::vector<Clock::duration> plannedOffsets;
  size_t planned = 0;
  size_t missing = 0;
  for (size_t i = 0; i < n; ++i) {
    size_t k = 0;
    for (auto due = t0 + jitter[i]; due < end; due += interval, ++k) {
      plannedOffsets.push_back(due - t0);
      // Probes planned in the last second may still be in flight when the run ends.
      const bool counted = due < end - std::chrono::seconds(1);
      planned += counted ? 1 : 0;
      if (k >= perEndpoint[i].size()) {
        missing += counted ? 1 : 0;
        continue;
      }
      const TimePoint arrived = perEndpoint[i][k];
      arrivalOffsets.push_back(arrived - t0);
      lateness[std::min(intervals - 1, k)].push_back(arrived - due);
    }
  }
  // The latest probe, and when it was planned: is lateness a start-up effect or steady?
  Clock::duration worst = Clock::duration::min();
  Clock::duration worstPlanned{};
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < perEndpoint[i].size(); ++k) {
      const auto due = t0 + jitter[i] + static_cast<int>(k) * interval;
      if (perEndpoint[i][k] - due > worst) {
        worst = perEndpoint[i][k] - due;
        worstPlanned = due - t0;
      }
    }
  }
  std::vector<Clock::duration> allLateness;
  for (auto& v : lateness) {
    std::sort(v.begin(), v.end());
    allLateness.insert(allLateness.end(), v.begin(), v.end());
  }
  std::sort(allLateness.begin(), allLateness.end());

  size_t online = 0;
  std::vector<double> latencies;
  for (const probes::EndpointProbeState& d : details) {
    online += d.status == routing::MonitorStatus::kOnline ? 1 : 0;
    latencies.push_back(d.lastLatencySeconds);
  }
  std::sort(latencies.begin(), latencies.end());
  size_t tableOnline = 0;
  if (lastTable) {
    for (routing::MonitorStatus s : lastTable->status) {
      tableOnline += s == routing::MonitorStatus::kOnline ? 1 : 0;
    }
  }

  const double wall = seconds(end - planSet);
  const ThreadCpu total = samples.back().second - samples.front().second;
  // Whole run, and from the second interval on: the first can hold the one burst a new plan may
  // cause (probes planned while the engine was still busy taking it).
  const auto steadyFrom = intervals > 1 ? Clock::duration(interval) : Clock::duration::zero();
  const Spread observed = spreadOf(arrivalOffsets, Clock::duration::zero(), end - t0);
  const Spread schedule = spreadOf(plannedOffsets, Clock::duration::zero(), end - t0);
  const Spread observedSteady = spreadOf(arrivalOffsets, steadyFrom, end - t0);
  const Spread scheduleSteady = spreadOf(plannedOffsets, steadyFrom, end - t0);
  char buf[256];

  std::printf("command: %s\n", command.c_str());
  std::printf("machine: %u CPUs, %s\n", std::thread::hardware_concurrency(),
              firstLine("/proc/cpuinfo", "model name").c_str());
  std::printf("load average before: %s\nload average after:  %s\n", loadBefore.c_str(),
              loadAfter.c_str());
  std::printf(
      "plan: %zu %s endpoints (%s), interval %d s, timeout %d s, %.1f s run\n\n", n,
      tcp ? "TCP" : "HTTP",
      tcp ? "one listener each on 127.0.0.1-127.0.0.254"
          : ("paths /e0../eN-1 on 127.0.0.1:" + std::to_string(backends.listeners()[0].port))
                .c_str(),
      options.intervalSeconds, timeoutSeconds, wall);

  std::printf("| %-46s | %s |\n|%s|%s|\n", "measure", "value", std::string(48, '-').c_str(),
              "-------");
  std::snprintf(buf, sizeof(buf), "%.3f s (user %.2f, system %.2f) = %s of one core", total.total,
                total.user, total.system, percent(total.total, wall).c_str());
  row("engine thread CPU, whole run", buf);
  for (size_t k = 0; k < intervals; ++k) {
    const double cpu = samples[k + 1].second.total - samples[k].second.total;
    const double w = seconds(samples[k + 1].first - samples[k].first);
    std::snprintf(buf, sizeof(buf),
                  "%s CPU, %zu probes, lateness p50 %s / p99 %s / max %s, engine lag max %.1f ms",
                  percent(cpu, w).c_str(), lateness[k].size(),
                  ms(percentile(lateness[k], 50)).c_str(), ms(percentile(lateness[k], 99)).c_str(),
                  ms(lateness[k].empty() ? Clock::duration{} : lateness[k].back()).c_str(),
                  1e3 * maxLag[k]);
    row("interval " + std::to_string(k + 1) + (k == 0 ? " (first probes, status changes)" : ""),
        buf);
  }
  if (intervals > 1) {
    const double cpu = samples.back().second.total - samples[1].second.total;
    const double w = seconds(end - samples[1].first);
    std::snprintf(buf, sizeof(buf), "%s of one core", percent(cpu, w).c_str());
    row("engine thread CPU, intervals 2.." + std::to_string(intervals) + " (steady)", buf);
  }
  std::snprintf(buf, sizeof(buf), "%zu (%.1f /s); %zu of %zu planned before the last second",
                allLateness.size(), static_cast<double>(allLateness.size()) / wall,
                planned - missing, planned);
  row("probes arrived at the backends", buf);
  if (unknown != 0 || backends.rejected() != 0) {
    std::snprintf(buf, sizeof(buf),
                  "%zu unknown endpoint, %llu closed before a request (in flight at stop)", unknown,
                  static_cast<unsigned long long>(backends.rejected()));
    row("unexpected requests", buf);
  }
  std::snprintf(buf, sizeof(buf), "mean %.1f, max %zu (max/mean %.2f); planned: max/mean %.2f",
                observed.mean, observed.max, observed.ratio(), schedule.ratio());
  row("arrivals per 100 ms, whole run", buf);
  std::snprintf(buf, sizeof(buf), "mean %.1f, max %zu (max/mean %.2f); planned: max/mean %.2f",
                observedSteady.mean, observedSteady.max, observedSteady.ratio(),
                scheduleSteady.ratio());
  row("arrivals per 100 ms, from interval 2", buf);
  std::snprintf(buf, sizeof(buf), "p50 %s / p99 %s / max %s (planned at +%.3f s)",
                ms(percentile(allLateness, 50)).c_str(), ms(percentile(allLateness, 99)).c_str(),
                ms(allLateness.empty() ? Clock::duration{} : allLateness.back()).c_str(),
                seconds(worstPlanned));
  row("lateness (arrival - planned start)", buf);
  row("engine took the plan after setPlan() began", ms(planDelay));
  std::snprintf(buf, sizeof(buf), "p50 %.2f ms / p99 %.2f ms / max %.2f ms",
                1e3 * percentile(latencies, 50), 1e3 * percentile(latencies, 99),
                latencies.empty() ? 0 : 1e3 * latencies.back());
  row("probe duration (last round, engine's view)", buf);
  std::snprintf(buf, sizeof(buf), "%zu of %zu (last published table: %zu)", online, n, tableOnline);
  row("endpoints Online at the end", buf);
  std::snprintf(buf, sizeof(buf), "%llu tables, %llu log lines",
                static_cast<unsigned long long>(publishes.load()),
                static_cast<unsigned long long>(logLines.load()));
  row("status changes published", buf);
  std::snprintf(buf, sizeof(buf), "%.3f s = %s of one core", backends.cpuSeconds(),
                percent(backends.cpuSeconds(), wall).c_str());
  row("backend thread CPU (not the engine's)", buf);
  return online == n && missing == 0 ? 0 : 1;
}
