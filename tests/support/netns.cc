#include "support/netns.h"

#include <unistd.h>

#include "support/child_process.h"

namespace soket::test {

NetnsLab::NetnsLab() : prefix_("sk" + std::to_string(::getpid()) + "-") {
  bridge_ = prefix_ + "bridge";
  if (!ip({"netns", "add", bridge_})) return;
  made_.push_back(bridge_);
  ip({"-n", bridge_, "link", "add", "br0", "type", "bridge"}) &&
      ip({"-n", bridge_, "link", "set", "br0", "up"});
}

NetnsLab::~NetnsLab() {
  for (auto it = made_.rbegin(); it != made_.rend(); ++it) ip({"netns", "del", *it});
}

std::string NetnsLab::unavailable() {
  if (::geteuid() != 0) return "network namespaces need root";
  const std::string probe = "sk" + std::to_string(::getpid()) + "-probe";
  const auto added = run({"ip", "netns", "add", probe});
  if (added.exit_code != 0) return "cannot make a network namespace: " + added.err;
  run({"ip", "netns", "del", probe});
  return "";
}

bool NetnsLab::ip(const std::vector<std::string>& words) {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), words.begin(), words.end());
  const auto result = run(argv);
  if (result.exit_code == 0) return true;
  error_ = "ip";
  for (const auto& word : words) error_ += " " + word;
  error_ += ": " + result.err;
  return false;
}

std::string NetnsLab::namespace_of(const std::string& name) const {
  return prefix_ + name;
}

std::string NetnsLab::add_host(const std::string& name, int number) {
  const std::string ns = namespace_of(name);
  const std::string port = "p" + std::to_string(number);  // Its end on the bridge.
  const std::string address = "198.18.0." + std::to_string(number);
  if (!ip({"netns", "add", ns})) return "";
  made_.push_back(ns);
  // Made in the bridge's namespace with its other end moved straight into the host's: the
  // pair never appears in the machine's own namespace.
  const bool ok = ip({"-n", bridge_, "link", "add", port, "type", "veth", "peer", "name", "eth0",
                      "netns", ns}) &&
                  ip({"-n", bridge_, "link", "set", port, "master", "br0"}) &&
                  ip({"-n", bridge_, "link", "set", port, "up"}) &&
                  ip({"-n", ns, "addr", "add", address + "/24", "dev", "eth0"}) &&
                  ip({"-n", ns, "link", "set", "eth0", "up"}) &&
                  ip({"-n", ns, "link", "set", "lo", "up"});
  return ok ? address : "";
}

bool NetnsLab::set_link(const std::string& name, bool up) {
  return ip({"-n", namespace_of(name), "link", "set", "eth0", up ? "up" : "down"});
}

std::vector<std::string> NetnsLab::wrap(const std::string& name) const {
  return {"ip", "netns", "exec", namespace_of(name)};
}

}  // namespace soket::test
