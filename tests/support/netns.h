// NetnsLab: hosts on one machine, each a network namespace of its own with one interface
// (eth0, an address in 198.18.0.0/24, the range set aside for network tests) on a bridge
// that itself lives in a namespace of its own. Traffic between two hosts crosses two veth
// pairs and the bridge: real interfaces, not loopback. Nothing is added to the machine's own
// namespace, so those addresses exist only inside the lab; a socket to one must be opened
// inside a host (`wrap`), never from the test process itself.
//
// Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2; `unavailable()` says why not.
// The destructor deletes every namespace it made (their veths go with them).
#pragma once

#include <string>
#include <vector>

namespace soket::test {

class NetnsLab {
 public:
  NetnsLab();
  ~NetnsLab();
  NetnsLab(const NetnsLab&) = delete;
  NetnsLab& operator=(const NetnsLab&) = delete;

  // Why a lab cannot be built here ("" if it can): probed by building one namespace.
  static std::string unavailable();

  // Adds host `name` at 198.18.0.<number>; its address, or "" on failure (`error()` says).
  std::string add_host(const std::string& name, int number);
  // Takes host `name`'s interface down or up: a cable pulled, no reset sent to anyone.
  bool set_link(const std::string& name, bool up);
  // The argv prefix that runs a program inside host `name`.
  std::vector<std::string> wrap(const std::string& name) const;
  const std::string& error() const { return error_; }

 private:
  bool ip(const std::vector<std::string>& words);
  std::string namespace_of(const std::string& name) const;

  std::string prefix_;
  std::string bridge_;
  std::vector<std::string> made_;
  std::string error_;
};

}  // namespace soket::test
