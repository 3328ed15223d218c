#pragma once
// JavaScript values <-> nlohmann::json, walked directly. The page parses and writes JSON
// text with the browser's own JSON.parse/JSON.stringify, so the module carries no JSON
// text parser of its own: with the TF.js converter moved out, over a quarter of its download.
#include <emscripten/val.h>

#include <nlohmann/json.hpp>
#include <string>

namespace digitrain {

// Plain data only (null, booleans, numbers, strings, arrays, plain objects); anything else
// (functions, typed arrays, undefined in an array, cycles, absurd nesting or size) is an
// Error starting with `source`. Whole numbers become JSON integers (JSON.parse gives 128
// for 128.0 too; the core reads whole floats as integers, so the CLI agrees). A getter
// that throws passes its JavaScript exception through: JSON.parse never makes one.
nlohmann::json json_from_js(const emscripten::val& value, const std::string& source);

emscripten::val js_from_json(const nlohmann::json& value);

}  // namespace digitrain
