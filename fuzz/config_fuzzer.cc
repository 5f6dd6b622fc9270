// libFuzzer target: configuration text (YAML or JSON) through the loader, the validator and the
// compiler, as --check-config and a reload run them; a compiled snapshot then answers queries.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/compiler.h"
#include "config/diagnostics.h"
#include "config/loader.h"
#include "dns/query_handler.h"
#include "dns/wire_types.h"
#include "fuzz/fuzz_support.h"

namespace {

using tmdns::fuzz::fail;

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

bool endsToken(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == ',' ||
         c == ']' || c == '}' || c == '{' || c == '#';
}

// The loader opens the files a configuration names (profile_files globs, geoip, latency). The
// fuzzer lets it read only below fuzz/sample/ (the configuration's directory) and ordinary
// absolute paths: /dev/zero, /dev/stdin, a FIFO or a glob matching one would hang the loader or
// exhaust memory on input the operator controls anyway, which is not a finding. So text is
// not tried when it holds "..", a YAML escape that could spell '/' or '.' ("\/", "\x", "\u",
// "\U"), or an absolute path (a '/' not after a name character) that contains a glob
// character, a backslash, "dev", "proc", "sys" or "run". Monitor paths like "/healthz" pass.
bool staysInSample(std::string_view text) {
  if (text.find("..") != std::string_view::npos) {
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      const char e = text[i + 1];
      if (e == '/' || e == 'x' || e == 'u' || e == 'U') {
        return false;
      }
    }
    if (c != '/' || (i > 0 && isNameChar(text[i - 1]))) {
      continue;
    }
    size_t end = i + 1;
    while (end < text.size() && !endsToken(text[end])) {
      ++end;
    }
    const std::string_view path = text.substr(i, end - i);
    if (path.find_first_of("*?[\\") != std::string_view::npos) {
      return false;
    }
    for (const std::string_view special : {"dev", "proc", "sys", "run"}) {
      if (path.find(special) != std::string_view::npos) {
        return false;
      }
    }
  }
  return true;
}

// A few questions for every zone of a compiled snapshot, checked like the query fuzzer's.
void askEveryZone(const tmdns::config::Config& config, const tmdns::dns::Snapshot& snapshot) {
  static constexpr uint16_t kTypes[] = {1, 28, 5, 6, 2, 255, 16};  // A AAAA CNAME SOA NS ANY TXT
  tmdns::dns::QueryHandler handler(7);
  const tmdns::routing::HealthTable health = tmdns::fuzz::makeHealth(snapshot, 0);
  std::vector<uint8_t> out(tmdns::dns::kMaxMessage);
  tmdns::routing::ClientInfo source;
  source.family = 4;
  source.sourcePrefix = 32;
  source.addr[0] = 192;
  source.addr[1] = 0;
  source.addr[2] = 2;
  source.addr[3] = 1;
  std::vector<std::string> names;
  for (const tmdns::config::Zone& zone : config.zones) {
    names.push_back(zone.name);
    for (const tmdns::config::Profile& profile : zone.profiles) {
      names.push_back(profile.relativeName + "." + zone.name);
    }
  }
  for (const std::string& name : names) {
    // RFC 1035 §4.1.2 question, uncompressed. Every name the loader accepted must be a valid
    // domain name (RFC 1035 §2.3.4): labels of 1..63 octets, at most 255 octets in all.
    std::vector<uint8_t> query = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};
    size_t start = 0;
    while (start < name.size()) {
      size_t dot = name.find('.', start);
      if (dot == std::string::npos) {
        dot = name.size();
      }
      if (dot == start || dot - start > tmdns::dns::kMaxLabelLength) {
        fail("the loader accepted a name with an empty or over-long label: " + name);
      }
      query.push_back(static_cast<uint8_t>(dot - start));
      query.insert(query.end(), name.begin() + static_cast<long>(start),
                   name.begin() + static_cast<long>(dot));
      start = dot + 1;
    }
    query.push_back(0);
    const size_t typeAt = query.size();
    if (typeAt - tmdns::dns::kHeaderSize > tmdns::dns::kMaxNameLength) {
      fail("the loader accepted a name longer than 255 octets: " + name);
    }
    query.insert(query.end(), {0, 0, 0, 1});
    // OPT: payload 4096, DO, no options (RFC 6891 §6.1.2).
    query.insert(query.end(), {0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0, 0, 0});
    for (const uint16_t type : kTypes) {
      query[typeAt] = static_cast<uint8_t>(type >> 8);
      query[typeAt + 1] = static_cast<uint8_t>(type);
      for (const auto transport : {tmdns::dns::Transport::kUdp, tmdns::dns::Transport::kTcp}) {
        const size_t n =
            handler.handle(snapshot, health.view(), query, source, transport, out, nullptr);
        tmdns::fuzz::checkResponse(query, {out.data(), n}, transport, snapshot.maxUdpPayload);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (!staysInSample(text)) {
    return -1;  // not added to the corpus
  }
  // A name in the sample directory: profile_files globs and data files resolve there.
  static const std::string file = tmdns::fuzz::sampleDirectory() + "/fuzzed.yaml";
  tmdns::config::Diagnostics loadDiags;
  tmdns::config::Diagnostics compileDiags;
  std::optional<tmdns::config::Config> config;
  std::unique_ptr<tmdns::dns::Snapshot> snapshot;
  try {
    config = tmdns::config::loadConfigText(text, file, loadDiags);
    if (config) {
      snapshot = tmdns::config::compile(*config, compileDiags);
    }
  } catch (const std::exception& e) {
    // config/loader.h: "Never throws"; app::loadConfiguration's catch is only a last resort.
    fail(std::string("the configuration pipeline threw: ") + e.what());
  }
  // The loader returns a model exactly when it reported no error, the compiler a snapshot
  // exactly when it reported none, and every diagnostic says where and what (STYLE.md).
  if (config.has_value() == loadDiags.hasErrors()) {
    fail(config ? "the loader returned a model along with errors"
                : "the loader returned neither a model nor an error");
  }
  if (config && (snapshot != nullptr) == compileDiags.hasErrors()) {
    fail(snapshot != nullptr ? "the compiler returned a snapshot along with errors"
                             : "the compiler returned neither a snapshot nor an error");
  }
  for (const tmdns::config::Diagnostics* diags : {&loadDiags, &compileDiags}) {
    for (const tmdns::config::Diagnostic& d : diags->items()) {
      if (d.pos.file.empty() || d.message.empty()) {
        fail("a diagnostic without a file or a message: " + d.format());
      }
      // The loader turns an exception that escaped its readers into this diagnostic: a bug.
      if (d.severity == tmdns::config::Diagnostic::Severity::kError &&
          d.message.rfind("internal error while loading", 0) == 0) {
        fail("the loader caught an exception: " + d.format());
      }
    }
  }
  if (snapshot != nullptr) {
    askEveryZone(*config, *snapshot);
  }
  return 0;
}
