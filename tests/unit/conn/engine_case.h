// A case that runs once per engine (epoll and io_uring), made as the server makes them; the
// io_uring run is skipped, with the reason, only where the kernel refuses io_uring.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "conn/engine.h"

namespace soket::conn {

class EngineCase : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    if (GetParam() != Engine::io_uring) return;
    if (auto choice = choose_engine(EngineRequest::io_uring); choice.engine != Engine::io_uring) {
      GTEST_SKIP() << choice.refusal;
    }
  }
};

// What `make` makes with the engine's test hook `name` set to `value` (an engine reads its
// hooks when it is made), the hook unset again after.
template <typename Make>
auto made_with_hook(const char* name, const char* value, Make make) {
  ::setenv(name, value, 1);
  auto made = make();
  ::unsetenv(name);
  return made;
}

inline const auto kBothEngines = ::testing::Values(Engine::epoll, Engine::io_uring);

inline std::string engine_case_name(const ::testing::TestParamInfo<Engine>& info) {
  return std::string(name(info.param));
}

}  // namespace soket::conn
