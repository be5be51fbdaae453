// Linked into the suites that run once per backend (integration, hostile): where the suite
// runs on io_uring and this kernel (or a seccomp filter) refuses it, every test is skipped
// with the reason, found by the very probe the server makes; nothing silently runs on epoll.
#include <gtest/gtest.h>

#include "conn/engine.h"
#include "support/test_backend.h"

namespace {

class BackendEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    if (soket::test::test_backend() != "io_uring") return;
    const auto choice = soket::conn::choose_engine(soket::conn::EngineRequest::io_uring);
    if (choice.engine != soket::conn::Engine::io_uring) {
      GTEST_SKIP() << "the io_uring suite cannot run here: " << choice.refusal;
    }
  }
};

const auto* const registered = testing::AddGlobalTestEnvironment(new BackendEnvironment);

}  // namespace
