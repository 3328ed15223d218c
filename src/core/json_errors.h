#pragma once
// Parsers of outside files report every problem as an Error that starts with the file's
// name, whether the core noticed it or nlohmann-json did (a wrong type, a missing key).
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace digitrain {

// Call from `catch (...)`: rethrows the exception in flight, named after `source`. Other
// exceptions (bad_alloc, ...) pass through unchanged.
[[noreturn]] inline void rethrow_naming_source(const std::string& source) {
  try {
    throw;
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": " + e.what());
  } catch (const Error& e) {
    const std::string what = e.what();
    throw Error(what.rfind(source, 0) == 0 ? what : source + ": " + what);
  }
}

}  // namespace digitrain
