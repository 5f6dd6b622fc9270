// SHA-256 fingerprint of the configuration files (ldns provides the digest).
#include "config/config_hash.h"

#include <ldns/ldns.h>

#include <fstream>
#include <iterator>

namespace tmdns::config {

std::string configHash(const Config& config) {
  ldns_sha256_CTX ctx;
  ldns_sha256_init(&ctx);
  std::vector<std::string> files = config.sourceFiles;
  if (files.empty()) {
    files.push_back(config.file);
  }
  for (const std::string& name : files) {
    std::ifstream in(name, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ldns_sha256_update(&ctx, reinterpret_cast<const uint8_t*>(name.data()), name.size() + 1);
    ldns_sha256_update(&ctx, reinterpret_cast<const uint8_t*>(text.data()), text.size());
  }
  uint8_t digest[LDNS_SHA256_DIGEST_LENGTH];
  ldns_sha256_final(digest, &ctx);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace tmdns::config
