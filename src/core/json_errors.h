#pragma once
// Parsers of outside files report every problem as an Error that starts with the file's
// name, whether the core noticed it or nlohmann-json did (a wrong type, a missing key).
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "core/json_limits.h"

namespace digitrain {

// An integer, or a float with a whole value: JavaScript writes 128 for 128.0 and Keras
// takes int(units), so "units": 128.0 is as good as 128 wherever the page or the CLI reads it.
inline bool is_whole_number(const nlohmann::json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double x = v.get<double>();
  // The range first: converting a double outside long long's range (4e99) is undefined.
  return x > -9007199254740992.0 && x < 9007199254740992.0 && x == static_cast<double>(static_cast<long long>(x));
}

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
