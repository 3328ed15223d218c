#pragma once
// JSON text from outside (model files, TF.js model.json, model descriptions) is parsed with
// a depth limit: nlohmann-json parses iteratively, but copying, comparing, dumping and
// destroying a value recurse once per level, so a 140 KB file nested 70,000 deep used to
// overflow the stack (SIGSEGV natively; in WebAssembly a trap that leaves the module's
// stack pointer behind). The depth is counted as the parser descends, before anything
// deeper is built. docs/model-format.md states the limit.
#include <nlohmann/json.hpp>
#include <string>

namespace digitrain {

// Deeper than any model file or description (they nest 5 levels); the same limit as the
// page's JS values (wasm/js_json.cpp).
constexpr int kMaxJsonDepth = 64;

// Parses JSON text read from `source`.
//  - nested deeper than kMaxJsonDepth: throws Error "<source>: JSON nested more than 64
//    levels deep (an object or list inside 64 others); ...".
//  - otherwise invalid (syntax, a number out of range like 1e389): returns a discarded
//    value (is_discarded()), or with allow_exceptions throws Error "<source>: not valid JSON
//    at byte N (...)" (`hint` says what the file may be instead).
// Not json::parse: it instantiates the parser twice (with and without a callback, chosen
// at run time), which costs the page's WebAssembly module 10 KB it never uses.
nlohmann::json parse_json(const std::string& text, const std::string& source, bool allow_exceptions = false,
                          const std::string& hint = "");

}  // namespace digitrain
