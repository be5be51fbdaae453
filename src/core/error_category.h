// EnumErrorCategory: the std::error_category of a module's `enum class errc`, so that each
// module writes only its name and the message of each code, not the class around them.
#pragma once

#include <string>
#include <system_error>

namespace soket {

template <typename Enum>
class EnumErrorCategory final : public std::error_category {
 public:
  using Describe = const char* (*)(Enum);
  EnumErrorCategory(const char* name, Describe describe) : name_(name), describe_(describe) {}
  const char* name() const noexcept override { return name_; }
  std::string message(int code) const override { return describe_(static_cast<Enum>(code)); }

 private:
  const char* name_;
  Describe describe_;
};

}  // namespace soket
