// deploy/kubernetes, checked without a cluster: every manifest parses, the key fields agree with
// each other (probes, ports, labels, selectors, security context), the ConfigMap is the
// container configuration and loads, and the config-reloader sidecar's script reloads tmdns
// when kubelet swaps the volume (run in a PID namespace, as the pod shares one).
#include <unistd.h>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/deploy_support.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e::deploy {
namespace {

namespace fs = std::filesystem;

std::string manifestDir() {
  return sourceDir() + "/deploy/kubernetes";
}

// node[path...] without yaml-cpp's habit of throwing on a missing key: an undefined node then.
YAML::Node at(const YAML::Node& node, const std::vector<std::string>& path) {
  YAML::Node current = node;
  for (const std::string& key : path) {
    if (!current.IsDefined() || !current.IsMap()) {
      return YAML::Node(YAML::NodeType::Undefined);
    }
    const YAML::Node& map = current;
    const YAML::Node next = map[key];
    if (!next.IsDefined()) {
      return YAML::Node(YAML::NodeType::Undefined);
    }
    current.reset(next);  // rebind: Node::operator= would overwrite the document
  }
  return current;
}

std::string str(const YAML::Node& node, const std::vector<std::string>& path) {
  const YAML::Node value = at(node, path);
  return value.IsDefined() && value.IsScalar() ? value.Scalar() : "<missing>";
}

std::map<std::string, std::string> stringMap(const YAML::Node& node) {
  std::map<std::string, std::string> out;
  if (node.IsDefined() && node.IsMap()) {
    for (const auto& item : node) {
      out[item.first.Scalar()] = item.second.IsScalar() ? item.second.Scalar() : "<not a string>";
    }
  }
  return out;
}

// Every document of every manifest (not the kustomization), by kind. Parse errors fail the test.
struct Manifests {
  std::multimap<std::string, YAML::Node> byKind;
  std::vector<std::string> files;

  const YAML::Node& one(const std::string& kind) const {
    static const YAML::Node missing(YAML::NodeType::Undefined);
    auto [it, end] = byKind.equal_range(kind);
    if (it == end || std::next(it) != end) {
      ADD_FAILURE() << "want exactly one " << kind << ", have " << byKind.count(kind);
      return missing;
    }
    return it->second;
  }
};

Manifests loadManifests() {
  Manifests m;
  for (const auto& entry : fs::directory_iterator(manifestDir())) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".yaml" || name == "kustomization.yaml") {
      continue;
    }
    m.files.push_back(name);
    try {
      for (const YAML::Node& doc : YAML::LoadAllFromFile(entry.path().string())) {
        if (doc.IsNull()) {
          continue;
        }
        EXPECT_NE(str(doc, {"apiVersion"}), "<missing>") << name;
        EXPECT_NE(str(doc, {"metadata", "name"}), "<missing>") << name;
        m.byKind.emplace(str(doc, {"kind"}), doc);
      }
    } catch (const YAML::Exception& e) {
      ADD_FAILURE() << name << ": " << e.what();
    }
  }
  return m;
}

YAML::Node container(const YAML::Node& deployment, const std::string& name) {
  const YAML::Node containers = at(deployment, {"spec", "template", "spec", "containers"});
  if (containers.IsDefined() && containers.IsSequence()) {
    for (const YAML::Node& c : containers) {
      if (str(c, {"name"}) == name) {
        return c;
      }
    }
  }
  ADD_FAILURE() << "no container " << name;
  return YAML::Node(YAML::NodeType::Undefined);
}

std::set<std::string> ports(const YAML::Node& list, const std::string& portKey) {
  std::set<std::string> out;
  if (list.IsDefined() && list.IsSequence()) {
    for (const YAML::Node& p : list) {
      out.insert(str(p, {portKey}) + "/" + str(p, {"protocol"}));
    }
  }
  return out;
}

// `subset` labels all appear in `labels` with the same values.
::testing::AssertionResult selects(const std::map<std::string, std::string>& subset,
                                   const std::map<std::string, std::string>& labels) {
  if (subset.empty()) {
    return ::testing::AssertionFailure() << "empty selector";
  }
  for (const auto& [key, value] : subset) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) {
      return ::testing::AssertionFailure()
             << "selector " << key << "=" << value << " does not match the pod labels";
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(DeployKubernetes, KustomizationListsEveryManifest) {
  const YAML::Node k = YAML::LoadFile(manifestDir() + "/kustomization.yaml");
  EXPECT_EQ(str(k, {"kind"}), "Kustomization");
  std::set<std::string> listed;
  for (const YAML::Node& r : at(k, {"resources"})) {
    listed.insert(r.Scalar());
  }
  const Manifests m = loadManifests();
  EXPECT_EQ(listed, std::set<std::string>(m.files.begin(), m.files.end()));
  std::multiset<std::string> kinds;
  for (const auto& [kind, doc] : m.byKind) {
    kinds.insert(kind);
  }
  EXPECT_EQ(kinds, (std::multiset<std::string>{"ConfigMap", "Deployment", "PodDisruptionBudget",
                                               "Service"}));
}

TEST(DeployKubernetes, DeploymentProbesPortsAndSecurity) {
  const Manifests m = loadManifests();
  const YAML::Node& d = m.one("Deployment");
  EXPECT_EQ(str(d, {"apiVersion"}), "apps/v1");
  EXPECT_GE(at(d, {"spec", "replicas"}).as<int>(0), 2) << "several replicas";
  const auto podLabels = stringMap(at(d, {"spec", "template", "metadata", "labels"}));
  EXPECT_TRUE(selects(stringMap(at(d, {"spec", "selector", "matchLabels"})), podLabels));

  // Prometheus scrape annotations on the pods, pointing at the http: listener.
  EXPECT_EQ(stringMap(at(d, {"spec", "template", "metadata", "annotations"})),
            (std::map<std::string, std::string>{{"prometheus.io/scrape", "true"},
                                                {"prometheus.io/port", "9153"},
                                                {"prometheus.io/path", "/metrics"}}));

  const YAML::Node pod = at(d, {"spec", "template", "spec"});
  EXPECT_EQ(str(pod, {"securityContext", "runAsNonRoot"}), "true");
  EXPECT_NE(str(pod, {"securityContext", "runAsUser"}), "0");
  EXPECT_EQ(str(pod, {"securityContext", "seccompProfile", "type"}), "RuntimeDefault");

  const YAML::Node tmdns = container(d, "tmdns");
  EXPECT_EQ(ports(at(tmdns, {"ports"}), "containerPort"),
            (std::set<std::string>{"53/UDP", "53/TCP", "9153/TCP"}));
  EXPECT_EQ(str(tmdns, {"readinessProbe", "httpGet", "path"}), "/readyz");
  EXPECT_EQ(str(tmdns, {"readinessProbe", "httpGet", "port"}), "9153");
  EXPECT_EQ(str(tmdns, {"livenessProbe", "httpGet", "path"}), "/healthz");
  EXPECT_EQ(str(tmdns, {"livenessProbe", "httpGet", "port"}), "9153");
  const YAML::Node args = at(tmdns, {"args"});
  ASSERT_TRUE(args.IsSequence());
  EXPECT_EQ(args.as<std::vector<std::string>>(),
            (std::vector<std::string>{"--config", "/etc/tmdns/tmdns.yaml"}));

  // Every container: limits and requests, non-root, no privilege escalation, no capability.
  for (const YAML::Node& c : at(pod, {"containers"})) {
    const std::string name = str(c, {"name"});
    for (const char* kind : {"requests", "limits"}) {
      for (const char* resource : {"cpu", "memory"}) {
        EXPECT_NE(str(c, {"resources", kind, resource}), "<missing>")
            << name << " resources." << kind << "." << resource;
      }
    }
    EXPECT_EQ(str(c, {"securityContext", "runAsNonRoot"}), "true") << name;
    EXPECT_EQ(str(c, {"securityContext", "allowPrivilegeEscalation"}), "false") << name;
    EXPECT_EQ(str(c, {"securityContext", "readOnlyRootFilesystem"}), "true") << name;
    const YAML::Node drop = at(c, {"securityContext", "capabilities", "drop"});
    ASSERT_TRUE(drop.IsSequence()) << name;
    EXPECT_EQ(drop.as<std::vector<std::string>>(), std::vector<std::string>{"ALL"}) << name;
    // Both read the configuration from the ConfigMap.
    const YAML::Node mounts = at(c, {"volumeMounts"});
    ASSERT_TRUE(mounts.IsSequence() && mounts.size() == 1) << name;
    EXPECT_EQ(str(mounts[0], {"mountPath"}), "/etc/tmdns") << name;
  }
  const YAML::Node volumes = at(pod, {"volumes"});
  ASSERT_TRUE(volumes.IsSequence() && volumes.size() == 1);
  EXPECT_EQ(str(volumes[0], {"configMap", "name"}), str(m.one("ConfigMap"), {"metadata", "name"}));

  // Port 53 without root or capabilities: the sysctl, not NET_BIND_SERVICE.
  const YAML::Node sysctls = at(pod, {"securityContext", "sysctls"});
  ASSERT_TRUE(sysctls.IsSequence() && sysctls.size() == 1);
  EXPECT_EQ(str(sysctls[0], {"name"}), "net.ipv4.ip_unprivileged_port_start");
  EXPECT_EQ(str(sysctls[0], {"value"}), "53");
  // The reloader signals tmdns across containers.
  EXPECT_EQ(str(pod, {"shareProcessNamespace"}), "true");
}

TEST(DeployKubernetes, ServiceAndDisruptionBudgetSelectThePods) {
  const Manifests m = loadManifests();
  const YAML::Node& d = m.one("Deployment");
  const auto podLabels = stringMap(at(d, {"spec", "template", "metadata", "labels"}));

  const YAML::Node& service = m.one("Service");
  EXPECT_TRUE(selects(stringMap(at(service, {"spec", "selector"})), podLabels));
  EXPECT_EQ(ports(at(service, {"spec", "ports"}), "port"),
            (std::set<std::string>{"53/UDP", "53/TCP"}));
  EXPECT_EQ(ports(at(service, {"spec", "ports"}), "targetPort"),
            (std::set<std::string>{"53/UDP", "53/TCP"}));
  // Client addresses reach tmdns unchanged (Subnet, Geographic, Performance routing).
  EXPECT_EQ(str(service, {"spec", "externalTrafficPolicy"}), "Local");

  const YAML::Node& pdb = m.one("PodDisruptionBudget");
  EXPECT_EQ(str(pdb, {"apiVersion"}), "policy/v1");
  const auto pdbSelector = stringMap(at(pdb, {"spec", "selector", "matchLabels"}));
  EXPECT_EQ(pdbSelector, stringMap(at(d, {"spec", "selector", "matchLabels"})));
  EXPECT_TRUE(selects(pdbSelector, podLabels));
  // A budget the Deployment can satisfy while one pod is drained.
  const int replicas = at(d, {"spec", "replicas"}).as<int>(0);
  const int minAvailable = at(pdb, {"spec", "minAvailable"}).as<int>(replicas);
  EXPECT_LT(minAvailable, replicas);
  EXPECT_GE(minAvailable, 1);
}

// The ConfigMap holds deploy/docker/tmdns.yaml and deploy/example/profiles, byte for byte, and
// loads as mounted at /etc/tmdns.
TEST(DeployKubernetes, ConfigMapIsTheContainerConfigurationAndLoads) {
  const Manifests m = loadManifests();
  const auto data = stringMap(at(m.one("ConfigMap"), {"data"}));
  std::map<std::string, std::string> expected = {
      {"tmdns.yaml", readFile(sourceDir() + "/deploy/docker/tmdns.yaml")}};
  for (const auto& entry : fs::directory_iterator(sourceDir() + "/deploy/example/profiles")) {
    expected[entry.path().filename().string()] = readFile(entry.path().string());
  }
  EXPECT_EQ(data, expected);

  TempDir etc;
  for (const auto& [key, text] : data) {
    etc.write(key, text);
  }
  const CommandResult r = runCommand({serverBinary(), "--check-config", etc.file("tmdns.yaml")});
  EXPECT_EQ(r.code(), 0) << r.out << r.err;
  EXPECT_EQ(r.err.find("matches no file"), std::string::npos) << r.err;
}

// Lays out `files` the way kubelet does a ConfigMap volume: <dir>/..<version>/<key>, the
// ..data symlink to the current version, and <key> -> ..data/<key>. A new version is switched
// to with one rename, as kubelet does.
void writeVolumeVersion(const TempDir& dir, const std::string& version,
                        const std::map<std::string, std::string>& files) {
  for (const auto& [key, text] : files) {
    dir.write(".." + version + "/" + key, text);
    if (!fs::is_symlink(dir.file(key))) {
      fs::create_symlink("..data/" + key, dir.file(key));
    }
  }
  makeReadable(dir);
  const std::string next = dir.file("..data_tmp");
  fs::create_symlink(".." + version, next);
  ASSERT_EQ(std::rename(next.c_str(), dir.file("..data").c_str()), 0);
}

TEST(DeployKubernetes, ReloaderSidecarSignalsTmdnsWhenTheConfigMapChanges) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "the sidecar signals every process named tmdns it sees: the test confines it "
                    "to a PID namespace (unshare --pid), which needs root; running as uid "
                 << geteuid();
  }
  const std::string unshare = findProgram("unshare");
  ASSERT_FALSE(unshare.empty()) << missingProgram("unshare", "util-linux");
  const Manifests m = loadManifests();
  const YAML::Node command = at(container(m.one("Deployment"), "config-reloader"), {"command"});
  ASSERT_TRUE(command.IsSequence() && command.size() == 3);
  EXPECT_EQ(command[0].Scalar(), "/bin/sh");
  EXPECT_EQ(command[1].Scalar(), "-c");

  // The pod's volume, with the ConfigMap's configuration made loopback-only and quick to check.
  TempDir volume;
  auto data = stringMap(at(m.one("ConfigMap"), {"data"}));
  std::string config = replaceAll(data.at("tmdns.yaml"), "\"0.0.0.0:53\"", "\"127.0.0.1:0\"");
  config = replaceAll(config, "\"0.0.0.0:9153\"", "\"127.0.0.1:0\"");
  data["tmdns.yaml"] = config;
  writeVolumeVersion(volume, "2024_01_01_00_00_00.1", data);

  TempDir work;
  const std::string script = replaceAll(
      replaceAll(command[2].Scalar(), "/etc/tmdns", volume.path()), "sleep 5", "sleep 0.2");
  work.write("reloader.sh", script);
  // Like the pod: tmdns and the sidecar in one PID namespace where nothing else runs.
  work.write("pod.sh", "#!/bin/sh\n'" + serverBinary() + "' --config '" +
                           volume.file("tmdns.yaml") + "' &\nexec /bin/sh '" +
                           work.file("reloader.sh") + "'\n");
  Process pod;
  std::string error;
  ASSERT_TRUE(pod.start(
      {unshare, "--pid", "--fork", "--mount-proc", "/bin/sh", work.file("pod.sh")}, error))
      << error;
  ASSERT_TRUE(pod.waitForStderr(std::regex(kServingPattern), 10s)) << pod.stderrText();
  // Let the sidecar take its first look before the change.
  std::this_thread::sleep_for(500ms);

  data["tmdns.yaml"] = replaceAll(config, "tmdns example zone", "tmdns example zone, edited");
  writeVolumeVersion(volume, "2024_01_01_00_01_00.2", data);
  EXPECT_TRUE(pod.waitForStderr(std::regex(R"(^tmdns: reloaded: serving generation 2 )"), 10s))
      << "stderr:\n"
      << pod.stderrText() << "\nstdout:\n"
      << pod.stdoutText();
  EXPECT_NE(pod.stdoutText().find("SIGHUP to tmdns"), std::string::npos) << pod.stdoutText();
}

}  // namespace
}  // namespace tmdns::e2e::deploy
