// Test helpers for writing wire bytes by hand: bytes({0x12, 0x34}) reads as the packet diagram.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <vector>

namespace soket::test {

inline std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

}  // namespace soket::test
