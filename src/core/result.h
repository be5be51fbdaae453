// Result<T>: a value or a std::error_code, the return type of every fallible call.
// C++20 has no std::expected; this is the smallest thing that does its job.
#pragma once

#include <cassert>
#include <optional>
#include <system_error>
#include <utility>

namespace soket {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}                      // NOLINT: implicit by design
  Result(std::error_code error) : error_(error) { assert(error_); }  // NOLINT

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const std::error_code& error() const { return error_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::optional<T> value_;
  std::error_code error_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(std::error_code error) : error_(error) {}  // NOLINT: implicit by design

  bool ok() const { return !error_; }
  explicit operator bool() const { return ok(); }
  const std::error_code& error() const { return error_; }

 private:
  std::error_code error_;
};

// The error code of the calling thread's errno, read on the line of the failing syscall.
inline std::error_code last_system_error() {
  return {errno, std::system_category()};
}

}  // namespace soket
