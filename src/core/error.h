#pragma once
// The one error type the core throws. Messages name the source, what was expected
// and what was found, so they can be shown to a user as they are (CLI, or the page
// through the WASM bindings).
#include <stdexcept>
#include <string>

namespace digitrain {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace digitrain
