#pragma once
// How every binding that can fail answers: {ok: true, ...} or {ok: false, error}, as a
// JavaScript object, or an empty array (or_empty). No C++ exception reaches JavaScript.
#include <emscripten/val.h>

#include <new>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "js_json.h"

namespace digitrain {

inline emscripten::val ok(nlohmann::json result = nlohmann::json::object()) {
  result["ok"] = true;
  return js_from_json(result);
}

inline emscripten::val failure(const std::string& message) {
  emscripten::val result = emscripten::val::object();
  result.set("ok", false);
  result.set("error", message);
  return result;
}

template <class F>
emscripten::val guarded(F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    return failure(e.what());
  } catch (const std::bad_alloc&) {
    return failure("out of memory");
  } catch (const std::exception& e) {
    return failure(std::string("internal error: ") + e.what());
  }
}

// An empty array of `array_type` ("Float32Array", "Array", ...): "nothing" as an answer.
inline emscripten::val empty_array(const char* array_type) { return emscripten::val::global(array_type).new_(0); }

// For calls that answer with an array: an empty one means "nothing" (no model, bad input,
// out of memory), so no C++ exception reaches JavaScript.
template <class F>
emscripten::val or_empty(const char* array_type, F&& f) {
  try {
    return f();
  } catch (const std::exception&) {
    return empty_array(array_type);
  }
}

}  // namespace digitrain
