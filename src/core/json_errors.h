#pragma once
// Parsers of outside files report every problem as an Error that starts with the file's
// name, whether the core noticed it or nlohmann-json did (a wrong type, a missing key).
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace digitrain {

// Parses JSON text. Returns a discarded value (is_discarded()) if the text is not valid
// JSON, or with allow_exceptions throws json::parse_error (its .byte says where).
// Not json::parse: it instantiates the parser twice (with and without a callback, chosen
// at run time), which costs the page's WebAssembly module 10 KB it never uses.
inline nlohmann::json parse_json(const std::string& text, bool allow_exceptions = false) {
  nlohmann::json result;
  nlohmann::detail::json_sax_dom_parser<nlohmann::json> dom(result, allow_exceptions);
  if (!nlohmann::json::sax_parse(text, &dom)) return nlohmann::json(nlohmann::json::value_t::discarded);
  return result;
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
